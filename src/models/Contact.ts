/**
 * Customers and leads → `contacts`, shared with the Meta Bot [COMPAT field names]. Two derived
 * fields serve the customer search and de-duplication: `phoneE164` (the number the staff API
 * normalised; one contact per number and company) and `searchKeys` (word prefixes of the name and
 * email, the phone's digits, the social ids), kept by the hooks at the end of this file.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Schema, model, type Document, type InferSchemaType, type Query, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

export const LEAD_SOURCES = ['facebook', 'instagram', 'whatsapp', 'telegram', 'web', 'other'] as const;

/** The derived search keys stay inside the database. */
function withoutKeys(_doc: unknown, ret: Record<string, unknown>): Record<string, unknown> {
  delete ret.searchKeys;
  return ret;
}

const contactSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true, index: true },
    fullName: { type: String, trim: true, maxlength: 100 },
    email: { type: String, lowercase: true, trim: true },
    /** As shown to staff (the international format when the staff API wrote it). */
    phone: { type: String, trim: true },
    /** The phone in E.164, set when the staff API (or the phone migration) could parse it. */
    phoneE164: { type: String, trim: true },
    social: {
      facebookId: { type: String, trim: true },
      instagramId: { type: String, trim: true },
      whatsapp: { type: String, trim: true },
    },
    profile: {
      name: { type: String, trim: true },
      picture: { type: String, trim: true },
      gender: { type: String, trim: true },
      locale: { type: String, trim: true },
      timezone: { type: String, trim: true },
    },
    socialNetworkName: { type: String, trim: true, maxlength: 100 },
    contactStatus: { type: String, required: true, enum: ['lead', 'customer'], default: 'lead', index: true },
    leadSource: { type: String, enum: LEAD_SOURCES },
    leadStage: { type: String, enum: ['new', 'contacted', 'qualified', 'lost'], default: 'new' },
    consents: {
      sms: { type: Boolean, default: false },
      email: { type: Boolean, default: false },
      marketing: { type: Boolean, default: false },
      smsConsentedAt: Date,
      emailConsentedAt: Date,
      marketingConsentedAt: Date,
    },
    preferredLocationId: { type: Schema.Types.ObjectId, ref: 'Location' },
    lastVisitedLocationId: { type: Schema.Types.ObjectId, ref: 'Location' },
    botSuspended: { type: Boolean, default: false },
    botSuspendUntil: { type: Date },
    notes: { type: String, trim: true, maxlength: 1000 },
    lastMessageAt: { type: Date, default: Date.now },
    messageCount: { type: Number, default: 0 },
    convertedToCustomerAt: { type: Date },
    interestedServices: [{ type: String, trim: true }],
    /** Derived (see contactSearchKeys); never returned. Absent: found by the search's slow path. */
    searchKeys: { type: [String], default: undefined, select: false },
  },
  { timestamps: true, toJSON: { virtuals: true, transform: withoutKeys }, toObject: { virtuals: true, transform: withoutKeys } },
);

contactSchema.virtual('isLead').get(function (this: { contactStatus?: string }) {
  return this.contactStatus === 'lead';
});
contactSchema.virtual('isCustomer').get(function (this: { contactStatus?: string }) {
  return this.contactStatus === 'customer';
});

// The customer list, by status and name, _id breaking ties (also serves every query of the original's {companyId, contactStatus}).
contactSchema.index({ companyId: 1, contactStatus: 1, fullName: 1, _id: 1 });
contactSchema.index({ companyId: 1, searchKeys: 1, contactStatus: 1 });
// One contact per normalised number: the staff API de-duplicates on it, and a race ends here.
contactSchema.index(
  { companyId: 1, phoneE164: 1 },
  { unique: true, partialFilterExpression: { phoneE164: { $type: 'string' } }, name: 'unique_company_phoneE164' },
);
contactSchema.index({ companyId: 1, 'social.facebookId': 1 });
contactSchema.index({ companyId: 1, 'social.instagramId': 1 });
contactSchema.index({ companyId: 1, 'social.whatsapp': 1 });
// One contact per customer and platform: concurrent first messages must not create duplicates
// (contract B-32). Partial, so contacts without that social id are not constrained.
for (const field of ['social.facebookId', 'social.instagramId', 'social.whatsapp']) {
  contactSchema.index(
    { companyId: 1, [field]: 1 },
    { unique: true, partialFilterExpression: { [field]: { $type: 'string' } }, name: `unique_company_${field.replace('social.', '')}` },
  );
}
contactSchema.index({ companyId: 1, phone: 1 });
contactSchema.index({ companyId: 1, email: 1 });
contactSchema.index({ companyId: 1, createdAt: -1 });
contactSchema.index({ companyId: 1, lastMessageAt: -1 });
contactSchema.plugin(tenantScoped);

/** Lower-cased, accents removed: what the search compares. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a text (letters and digits of any script), folded. */
export function searchWords(s: string | null | undefined): string[] {
  return s ? (foldText(s).match(/[\p{L}\p{N}]+/gu) ?? []) : [];
}

/** Word prefixes are stored up to this length; a longer word is stored whole as well. */
const MAX_PREFIX = 20;
const MIN_PHONE_PREFIX = 3;

function addPrefixes(keys: Set<string>, word: string, min: number): void {
  const upto = Math.min(word.length, MAX_PREFIX);
  for (let n = min; n <= upto; n++) keys.add(word.slice(0, n));
  if (word.length > MAX_PREFIX) keys.add(word);
}

export interface Searchable {
  fullName?: string | null;
  email?: string | null;
  phone?: string | null;
  phoneE164?: string | null;
  social?: { facebookId?: string | null; instagramId?: string | null; whatsapp?: string | null } | null;
}

/**
 * The keys a contact is found by, one equality lookup in the {companyId, searchKeys} index each:
 * every prefix of every word of the name and email, the phone's digits from the third on, in
 * international and national form, and each social id whole.
 */
export function contactSearchKeys(c: Searchable): string[] {
  const keys = new Set<string>();
  for (const w of [...searchWords(c.fullName), ...searchWords(c.email)]) addPrefixes(keys, w, 1);
  for (const id of [c.social?.facebookId, c.social?.instagramId, c.social?.whatsapp]) for (const w of searchWords(id)) keys.add(w);
  const phone = c.phoneE164 ?? c.phone ?? '';
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= MIN_PHONE_PREFIX) {
    addPrefixes(keys, digits, MIN_PHONE_PREFIX);
    // An international number's national part; a local one without its trunk 0.
    const national = parsePhoneNumberFromString(phone)?.nationalNumber ?? digits.replace(/^0+/, '');
    if (national.length >= MIN_PHONE_PREFIX) addPrefixes(keys, national, MIN_PHONE_PREFIX);
  }
  return [...keys];
}

const SEARCHED = ['fullName', 'email', 'phone', 'phoneE164', 'social'];
const isSearched = (path: string): boolean => SEARCHED.some((f) => path === f || path.startsWith(`${f}.`));

contactSchema.pre('save', function (this: Document & Searchable) {
  if (this.isNew || SEARCHED.some((f) => this.isModified(f))) this.set('searchKeys', contactSearchKeys(this));
});

contactSchema.pre('insertMany', function (next: () => void, docs: Searchable | Searchable[]) {
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    const doc = d as Searchable & { searchKeys?: string[] };
    doc.searchKeys ??= contactSearchKeys(doc);
  }
  next();
});

/** The values an upsert would insert: the filter's equality fields, then $setOnInsert and $set. */
function insertedValues(filter: Record<string, unknown>, u: Record<string, unknown>): Searchable {
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) if (!k.startsWith('$') && (typeof v !== 'object' || v === null)) flat[k] = v;
  Object.assign(flat, u.$setOnInsert, u.$set);
  const social = (flat.social ?? {}) as Record<string, unknown>;
  for (const f of ['facebookId', 'instagramId', 'whatsapp']) if (flat[`social.${f}`] !== undefined) social[f] = flat[`social.${f}`];
  return { ...(flat as Searchable), social: social as Searchable['social'] };
}

/**
 * An update that changes a searched field without giving the new keys drops them (the search then
 * finds the contact on its slow path; never by stale keys). An upsert's insert gets its keys.
 */
contactSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate'], function (this: Query<unknown, unknown>) {
  const u = this.getUpdate() as Record<string, unknown> | null;
  if (!u || Array.isArray(u)) return;
  const keysOf = (op: string): string[] => Object.keys((u[op] as object | undefined) ?? {});
  const renamed = Object.values((u.$rename as Record<string, string> | undefined) ?? {});
  const direct = Object.keys(u).filter((k) => !k.startsWith('$'));
  const changed = [...direct, ...keysOf('$set'), ...keysOf('$unset'), ...keysOf('$rename'), ...renamed];
  if ([...changed, ...keysOf('$setOnInsert')].includes('searchKeys')) return;
  if (changed.some(isSearched)) {
    u.$unset = { ...(u.$unset as object | undefined), searchKeys: 1 };
  } else if (this.getOptions().upsert) {
    const $set = { ...Object.fromEntries(direct.map((k) => [k, u[k]])), ...(u.$set as object | undefined) };
    const values = insertedValues(this.getFilter() as Record<string, unknown>, { ...u, $set });
    u.$setOnInsert = { ...(u.$setOnInsert as object | undefined), searchKeys: contactSearchKeys(values) };
  }
  this.setUpdate(u);
});

export type ContactFields = InferSchemaType<typeof contactSchema> & { _id: Types.ObjectId };
export const Contact = model('Contact', contactSchema);
