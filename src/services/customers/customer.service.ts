/**
 * Customers and leads of one company: the inbox's Contact records, so a customer who wrote on
 * Instagram is the record the booking wizard picks. Phone numbers are normalised one way
 * (./phone.service.ts); creating a customer whose number (or social id) the company already has
 * returns that contact, a lead becoming a customer, instead of writing a duplicate.
 */
import type { Types } from 'mongoose';
import { Contact, contactSearchKeys, type Searchable } from '../../models/Contact';
import type { Clock } from '../../utils/clock';
import { ConflictError, NotFoundError } from '../../utils/errors';
import type { ByPhoneQuery, CustomerCreateBody, CustomerListQuery, CustomerUpdateBody } from '../../validators/customers/customer.schemas';
import { pageOfQuery } from '../../validators/customers/paging.schemas';
import { emptyList, listOrPage } from './paging';
import { companyPhoneCountry, normalizePhone, type NormalizedPhone } from './phone.service';
import { phoneFilter, searchFilter } from './search';

type CompanyId = Types.ObjectId;
type Filter = Record<string, unknown>;
type ContactDoc = ReturnType<typeof Contact.hydrate>;

/** Each listed contact [COMPAT keys, plus contactStatus], by name. */
const LIST_FIELDS = { fullName: 1, email: 1, phone: 1, social: 1, contactStatus: 1 };
const BY_NAME = { fullName: 1, _id: 1 } as const;
/** Names the inbox gives a contact it knows nothing about; a name typed by staff replaces them. */
const PLACEHOLDER_NAMES = new Set(['Facebook User', 'Instagram User', 'WhatsApp User', 'Customer']);
const SOCIAL = ['facebookId', 'instagramId', 'whatsapp'] as const;
type Social = Partial<Record<(typeof SOCIAL)[number], string>>;

const notFound = (): NotFoundError => new NotFoundError('Customer not found');
const duplicatePhone = (contactId?: unknown): ConflictError =>
  new ConflictError(
    'Another contact of the company has this phone number',
    'DUPLICATE_PHONE',
    contactId ? { contactId: String(contactId) } : undefined,
  );

/** The contact's searchable fields after `set` and `unset`. */
function merged(doc: ContactDoc, set: Filter, unset: Filter): Searchable {
  const pick = (f: keyof Searchable) => (f in unset ? undefined : ((f in set ? set[f] : doc.get(f)) as never));
  return { fullName: pick('fullName'), email: pick('email'), phone: pick('phone'), phoneE164: pick('phoneE164'), social: pick('social') };
}

/** Writes `set`/`unset` to the company's contact with fresh search keys; the updated contact. */
async function write(companyId: CompanyId, doc: ContactDoc, set: Filter, unset: Filter = {}) {
  const update = {
    $set: { ...set, searchKeys: contactSearchKeys(merged(doc, set, unset)) },
    ...(Object.keys(unset).length ? { $unset: unset } : {}),
  };
  const updated = await Contact.findOneAndUpdate({ _id: doc._id, companyId }, update, { new: true, runValidators: true }).catch(
    (err: { code?: number; keyPattern?: Record<string, unknown> }) => {
      if (err.code === 11000 && err.keyPattern?.phoneE164) throw duplicatePhone();
      throw err;
    },
  );
  if (!updated) throw notFound();
  return updated;
}

export function createCustomerService(deps: { clock: Clock }) {
  /** A lead becomes a customer (contract §4.7 convertToCustomer). */
  const conversion = () => ({ set: { contactStatus: 'customer', convertedToCustomerAt: deps.clock.now() }, unset: { leadStage: 1 } });

  /** The one contact with this number or one of these social ids; 409 when they are different contacts. */
  async function findSame(companyId: CompanyId, e164: string, social: Social | undefined): Promise<ContactDoc | undefined> {
    const keys: Filter[] = [{ phoneE164: e164 }, ...SOCIAL.filter((k) => social?.[k]).map((k) => ({ [`social.${k}`]: social![k] }))];
    // One indexed lookup per key (an $or of them would scan the company's contacts on some servers).
    const hits = (await Promise.all(keys.map((k) => Contact.findOne({ companyId, ...k })))).filter((c) => c !== null);
    const found = [...new Map(hits.map((c) => [String(c._id), c])).values()];
    if (found.length > 1) {
      throw new ConflictError('The phone number and the social ids belong to different contacts', 'CONTACT_CONFLICT', {
        contactIds: found.map((c) => String(c._id)),
      });
    }
    return found[0];
  }

  /** The existing contact keeps its data; what it lacks comes from the request, and a lead becomes a customer. */
  async function adopt(companyId: CompanyId, doc: ContactDoc, b: CustomerCreateBody, phone: NormalizedPhone) {
    const set: Filter = {};
    const unset: Filter = {};
    if (!doc.fullName || PLACEHOLDER_NAMES.has(doc.fullName)) set.fullName = b.fullName;
    if (!doc.phone && !doc.phoneE164) Object.assign(set, { phone: phone.display, phoneE164: phone.e164 });
    if (b.email && !doc.email) set.email = b.email;
    if (b.notes && !doc.notes) set.notes = b.notes;
    const social: Social = { ...(doc.toObject().social as Social | undefined) };
    const added = SOCIAL.filter((k) => b.social?.[k] && !social[k]);
    for (const k of added) social[k] = b.social![k];
    if (added.length) set.social = social;
    if (doc.contactStatus === 'lead') {
      const c = conversion();
      Object.assign(set, c.set);
      Object.assign(unset, c.unset);
    }
    return Object.keys(set).length ? write(companyId, doc, set, unset) : doc;
  }

  async function list(companyId: CompanyId, base: Filter, search: Filter | null, q: { page?: number; limit?: number; size?: number }) {
    const page = pageOfQuery(q);
    if (!search) return emptyList(page);
    const filter = { companyId, ...base, ...search };
    return listOrPage(
      () => Contact.find(filter, LIST_FIELDS).sort(BY_NAME).lean(),
      () => Contact.countDocuments(filter),
      page,
    );
  }

  const statusFilter = (s: 'customer' | 'lead' | 'all'): Filter => (s === 'all' ? {} : { contactStatus: s });

  return {
    /** Customers by default [COMPAT]; `q` searches names, emails, phones and social ids. */
    async list(companyId: CompanyId, q: CustomerListQuery) {
      const search = q.q ? await searchFilter(q.q, () => companyPhoneCountry(companyId)) : {};
      return list(companyId, statusFilter(q.contactStatus ?? 'customer'), search, q);
    },

    /** The booking wizard's lookup: leads too by default, so a contact from the inbox is found. */
    async byPhone(companyId: CompanyId, q: ByPhoneQuery) {
      const search = phoneFilter(q.phone, await companyPhoneCountry(companyId));
      return list(companyId, statusFilter(q.contactStatus ?? 'all'), search, q);
    },

    async get(companyId: CompanyId, id: string) {
      const doc = await Contact.findOne({ _id: id, companyId });
      if (!doc) throw notFound();
      return doc.toJSON();
    },

    /** `created` false: the company already had this number (or social id); that contact is returned. */
    async create(companyId: CompanyId, b: CustomerCreateBody) {
      const phone = normalizePhone(b.phone, await companyPhoneCountry(companyId));
      const existing = await findSame(companyId, phone.e164, b.social);
      if (existing) return { customer: (await adopt(companyId, existing, b, phone)).toJSON(), created: false };
      try {
        const doc = await Contact.create({
          companyId,
          fullName: b.fullName,
          phone: phone.display,
          phoneE164: phone.e164,
          contactStatus: 'customer',
          ...(b.email ? { email: b.email } : {}),
          ...(b.notes ? { notes: b.notes } : {}),
          ...(b.social && Object.keys(b.social).length ? { social: b.social } : {}),
        });
        return { customer: doc.toJSON(), created: true };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        // A concurrent request wrote this number (or social id) first: that contact is the answer.
        const winner = await findSame(companyId, phone.e164, b.social);
        if (!winner) throw err;
        return { customer: (await adopt(companyId, winner, b, phone)).toJSON(), created: false };
      }
    },

    /** The documented fields only; null clears one. Social ids belong to the inbox. */
    async update(companyId: CompanyId, id: string, b: CustomerUpdateBody) {
      const doc = await Contact.findOne({ _id: id, companyId });
      if (!doc) throw notFound();
      const set: Filter = {};
      const unset: Filter = {};
      if (b.fullName !== undefined) set.fullName = b.fullName;
      for (const f of ['email', 'notes'] as const) {
        if (b[f] === null) unset[f] = 1;
        else if (b[f] !== undefined) set[f] = b[f];
      }
      if (b.phone === null) Object.assign(unset, { phone: 1, phoneE164: 1 });
      else if (b.phone !== undefined) {
        const phone = normalizePhone(b.phone, await companyPhoneCountry(companyId));
        const other = await Contact.findOne({ companyId, phoneE164: phone.e164, _id: { $ne: doc._id } }, { _id: 1 }).lean();
        if (other) throw duplicatePhone(other._id);
        Object.assign(set, { phone: phone.display, phoneE164: phone.e164 });
      }
      if (Object.keys(set).length + Object.keys(unset).length === 0) return doc.toJSON();
      return (await write(companyId, doc, set, unset)).toJSON();
    },

    /** Lead → customer; a customer stays as it is (200 either way). */
    async convert(companyId: CompanyId, id: string) {
      const c = conversion();
      const converted = await Contact.findOneAndUpdate(
        { _id: id, companyId, contactStatus: 'lead' },
        { $set: c.set, $unset: c.unset },
        { new: true },
      );
      if (converted) return { message: 'Lead converted to customer successfully', customer: converted.toJSON() };
      const current = await Contact.findOne({ _id: id, companyId });
      if (!current) throw notFound();
      return { message: 'Contact is already a customer', customer: current.toJSON() };
    },
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
