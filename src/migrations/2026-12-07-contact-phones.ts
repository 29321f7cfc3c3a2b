/**
 * For contacts written before the customer search: each phone that parses (in its company's
 * country, see services/customers/phone.service.ts) gets its E.164 form in `phoneE164`, which is
 * unique per company; `phone` keeps what was stored, for display. Of several contacts with one
 * number, one keeps it (the one that already had it, else a customer before a lead, else the
 * oldest) and the others are reported, left without `phoneE164` (still found by their phone).
 * Phones that do not parse are reported and left as they are. Every contact without search keys
 * gets them. Idempotent. Down: removes the derived fields (the search falls back to substrings).
 */
import mongoose, { Types } from 'mongoose';
import { Contact, contactSearchKeys, type Searchable } from '../models/Contact';
import { companyPhoneCountry, normalizePhone } from '../services/customers/phone.service';
import { ensureSchemaIndex } from './indexes';
import type { Migration } from './types';

const contacts = () => mongoose.connection.db!.collection('contacts');
const BATCH = 1000;
/** How many ids of each kind the summary names. */
const SHOWN = 10;

type Row = Searchable & { _id: Types.ObjectId; companyId: Types.ObjectId; contactStatus?: string; searchKeys?: string[] };

/** Customers before leads, then the oldest: who keeps a number several contacts share. */
const keeperFirst = (a: Row, b: Row): number =>
  Number(b.contactStatus === 'customer') - Number(a.contactStatus === 'customer') || String(a._id).localeCompare(String(b._id));

const listed = (ids: Types.ObjectId[]): string =>
  ids.length ? ` (${ids.slice(0, SHOWN).map(String).join(', ')}${ids.length > SHOWN ? ', …' : ''})` : '';

async function normalisePhones(): Promise<{ normalised: number; duplicates: Types.ObjectId[]; unparsed: Types.ObjectId[] }> {
  const pending = (await contacts()
    .find({ phone: { $type: 'string', $ne: '' }, phoneE164: { $exists: false } })
    .project({ companyId: 1, phone: 1, contactStatus: 1 })
    .toArray()) as Row[];
  const unparsed: Types.ObjectId[] = [];
  const duplicates: Types.ObjectId[] = [];
  const byNumber = new Map<string, Row[]>();
  const countries = new Map<string, Awaited<ReturnType<typeof companyPhoneCountry>>>();
  for (const c of pending) {
    const key = String(c.companyId);
    if (!countries.has(key)) countries.set(key, await companyPhoneCountry(c.companyId));
    try {
      const { e164 } = normalizePhone(c.phone!, countries.get(key));
      const group = `${key}:${e164}`;
      byNumber.set(group, [...(byNumber.get(group) ?? []), c]);
    } catch {
      unparsed.push(c._id);
    }
  }
  const writes = [];
  for (const [group, rows] of byNumber) {
    const [companyId, e164] = group.split(':') as [string, string];
    const holder = await contacts().findOne({ companyId: new Types.ObjectId(companyId), phoneE164: e164 }, { projection: { _id: 1 } });
    const [keeper, ...others] = rows.sort(keeperFirst);
    if (holder) duplicates.push(...rows.map((r) => r._id));
    else {
      duplicates.push(...others.map((r) => r._id));
      writes.push({ updateOne: { filter: { _id: keeper!._id }, update: { $set: { phoneE164: e164 }, $unset: { searchKeys: '' } } } });
    }
  }
  for (let i = 0; i < writes.length; i += BATCH) await contacts().bulkWrite(writes.slice(i, i + BATCH), { ordered: false });
  return { normalised: writes.length, duplicates, unparsed };
}

/** Search keys for every contact without them; how many got them. */
async function addSearchKeys(): Promise<number> {
  const cursor = contacts()
    .find({ searchKeys: { $exists: false } })
    .project({ fullName: 1, email: 1, phone: 1, phoneE164: 1, social: 1 });
  let batch: { updateOne: { filter: { _id: Types.ObjectId }; update: { $set: { searchKeys: string[] } } } }[] = [];
  let done = 0;
  for await (const c of cursor) {
    batch.push({ updateOne: { filter: { _id: c._id as Types.ObjectId }, update: { $set: { searchKeys: contactSearchKeys(c as Row) } } } });
    if (batch.length === BATCH) {
      await contacts().bulkWrite(batch, { ordered: false });
      done += batch.length;
      batch = [];
    }
  }
  if (batch.length) await contacts().bulkWrite(batch, { ordered: false });
  return done + batch.length;
}

export const contactPhones: Migration = {
  id: '2026-12-07-contact-phones',
  description: 'normalise contact phones to E.164 (phoneE164, one contact per number) and add the customer search keys',
  async up() {
    // The unique {companyId, phoneE164} index must exist before numbers are written, so a race with the API ends in it.
    // Only that one: the other unique indexes wait for their duplicates (2026-12-10-unique-indexes).
    await ensureSchemaIndex(Contact, 'unique_company_phoneE164');
    const { normalised, duplicates, unparsed } = await normalisePhones();
    const keyed = await addSearchKeys();
    return (
      `${normalised} phones normalised, ${duplicates.length} duplicates left without phoneE164${listed(duplicates)}, ` +
      `${unparsed.length} phones that do not parse left as they are${listed(unparsed)}, ${keyed} contacts given search keys`
    );
  },
  async needed() {
    return (await contacts().findOne({ searchKeys: { $exists: false } }, { projection: { _id: 1 } })) !== null;
  },
  async down() {
    const r = await contacts().updateMany({}, { $unset: { phoneE164: '', searchKeys: '' } });
    return `phoneE164 and search keys removed from ${r.modifiedCount} contacts`;
  },
};
