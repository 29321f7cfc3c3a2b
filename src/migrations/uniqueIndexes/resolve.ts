/**
 * How `--resolve-duplicates` settles each kind of duplicate, one transaction per group, so a run
 * stopped half-way leaves every group either untouched or settled:
 * - contacts sharing a social id (concurrent first messages, B-32): merged into one (a customer
 *   before a lead, else the oldest) which takes over their messages, appointments, holds and pets
 *   and fills its missing fields from them; the others are deleted;
 * - users sharing company + email: the active, most recently updated one keeps the address; the
 *   others are deactivated, their sessions ended, and their email becomes `local+duplicate-<id>@domain`;
 * - service items sharing a variant (category, size, coat): the active, oldest one stays; the
 *   appointments and holds of the others point to it and the others are deleted;
 * - messages sharing an external id (a webhook delivered twice) and conversation summaries of one
 *   contact: the oldest stays; the summaries of the companies concerned are rebuilt afterwards.
 * Other collections have no resolver: their duplicates are reported for the operator to settle.
 */
import mongoose, { type ClientSession, type Types } from 'mongoose';
import { contactSearchKeys, type Searchable } from '../../models/Contact';
import { rebuildConversationSummaries } from '../../services/conversationSummary.service';
import { inTransaction } from '../../services/tenant';
import type { DuplicateGroup } from './detect';

type Row = Record<string, unknown> & { _id: Types.ObjectId };
const coll = (name: string) => mongoose.connection.db!.collection<Row>(name);

async function load(group: DuplicateGroup, session: ClientSession): Promise<Row[]> {
  return coll(group.index.collection)
    .find({ _id: { $in: group.ids } }, { session })
    .sort({ _id: 1 })
    .toArray();
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

async function mergeContacts(group: DuplicateGroup, session: ClientSession): Promise<string> {
  const rows = await load(group, session);
  if (rows.length < 2) return 'already settled';
  const keeper = rows.find((r) => r.contactStatus === 'customer') ?? rows[0]!;
  const others = rows.filter((r) => r !== keeper);
  const otherIds = others.map((r) => r._id);
  const companyId = keeper.companyId;
  const scope = (field: string) => ({ [field]: { $in: otherIds } });
  const messages = await coll('messages').updateMany(
    { company_id: companyId, ...scope('contact_id') },
    { $set: { contact_id: keeper._id } },
    { session },
  );
  const appointments = await coll('appointments').updateMany(
    { companyId, ...scope('customerId') },
    { $set: { customerId: keeper._id } },
    { session },
  );
  await coll('bookingholds').updateMany({ companyId, ...scope('customerId') }, { $set: { customerId: keeper._id } }, { session });
  await coll('pets').updateMany({ companyId, ...scope('customerId') }, { $set: { customerId: keeper._id } }, { session });
  await coll('conversations').deleteMany({ companyId, ...scope('contactId') }, { session });
  await coll('contacts').deleteMany({ _id: { $in: otherIds } }, { session });
  // What the keeper lacks, from the others (oldest first): after their deletion, so no unique key is shared meanwhile.
  const $set: Record<string, unknown> = {};
  const merged = { ...keeper, social: { ...((keeper.social as object | undefined) ?? {}) } } as Row & { social: Record<string, unknown> };
  for (const o of others) {
    for (const f of ['fullName', 'email', 'phone', 'phoneE164'] as const) {
      if (!isSet(merged[f]) && isSet(o[f])) merged[f] = $set[f] = o[f];
    }
    for (const [k, v] of Object.entries((o.social as Record<string, unknown> | undefined) ?? {})) {
      if (!isSet(merged.social[k]) && isSet(v)) merged.social[k] = $set[`social.${k}`] = v;
    }
  }
  if (Object.keys($set).length > 0 || Array.isArray(keeper.searchKeys))
    $set.searchKeys = contactSearchKeys(merged as unknown as Searchable);
  await coll('contacts').updateOne({ _id: keeper._id }, { $set }, { session });
  return `merged ${otherIds.length} into ${String(keeper._id)} (${messages.modifiedCount} messages, ${appointments.modifiedCount} appointments moved)`;
}

async function separateUsers(group: DuplicateGroup, session: ClientSession): Promise<string> {
  const rows = await load(group, session);
  if (rows.length < 2) return 'already settled';
  const time = (r: Row): number => (r.updatedAt instanceof Date ? r.updatedAt.getTime() : 0);
  const keeper = [...rows].sort((a, b) => Number(b.isActive !== false) - Number(a.isActive !== false) || time(b) - time(a))[0]!;
  const others = rows.filter((r) => r !== keeper);
  for (const o of others) {
    const [local, domain] = String(o.email ?? 'user@invalid').split('@');
    await coll('users').updateOne(
      { _id: o._id },
      { $set: { email: `${local}+duplicate-${String(o._id)}@${domain ?? 'invalid'}`, isActive: false } },
      { session },
    );
  }
  await coll('refreshtokens').deleteMany({ userId: { $in: others.map((o) => o._id) } }, { session });
  return `${String(keeper._id)} keeps the address; ${others.map((o) => String(o._id)).join(', ')} deactivated and renamed`;
}

async function collapseServiceItems(group: DuplicateGroup, session: ClientSession): Promise<string> {
  const rows = await load(group, session);
  if (rows.length < 2) return 'already settled';
  const keeper = rows.find((r) => r.active !== false) ?? rows[0]!;
  const otherIds = rows.filter((r) => r !== keeper).map((r) => r._id);
  const moved = await coll('appointments').updateMany(
    { serviceItemId: { $in: otherIds } },
    { $set: { serviceItemId: keeper._id } },
    { session },
  );
  await coll('bookingholds').updateMany({ serviceItemId: { $in: otherIds } }, { $set: { serviceItemId: keeper._id } }, { session });
  await coll('serviceitems').deleteMany({ _id: { $in: otherIds } }, { session });
  return `${String(keeper._id)} kept, ${otherIds.length} deleted, ${moved.modifiedCount} appointments moved to it`;
}

async function keepOldest(group: DuplicateGroup, session: ClientSession): Promise<string> {
  const rows = await load(group, session);
  if (rows.length < 2) return 'already settled';
  const otherIds = rows.slice(1).map((r) => r._id);
  await coll(group.index.collection).deleteMany({ _id: { $in: otherIds } }, { session });
  return `${String(rows[0]!._id)} kept, ${otherIds.length} deleted`;
}

const RESOLVERS: Record<string, (g: DuplicateGroup, s: ClientSession) => Promise<string>> = {
  contacts: mergeContacts,
  users: separateUsers,
  serviceitems: collapseServiceItems,
  messages: keepOldest,
  conversations: keepOldest,
};

/** Collections whose summaries must be rebuilt after their duplicates are settled. */
const REBUILDS_SUMMARIES = new Set(['contacts', 'messages', 'conversations']);

export const canResolve = (collection: string): boolean => collection in RESOLVERS;

/** Settles the groups (each in its own transaction); returns a line per group. */
export async function resolveGroups(groups: DuplicateGroup[]): Promise<string[]> {
  const lines: string[] = [];
  const companies = new Map<string, Types.ObjectId>();
  for (const g of groups) {
    const resolver = RESOLVERS[g.index.collection];
    if (!resolver) continue;
    lines.push(`${g.index.collection}/${g.index.name}: ${await inTransaction((s) => resolver(g, s))}`);
    const companyId = (g.values.companyId ?? g.values.company_id) as Types.ObjectId | undefined;
    if (REBUILDS_SUMMARIES.has(g.index.collection) && companyId) companies.set(String(companyId), companyId);
  }
  for (const companyId of companies.values()) await rebuildConversationSummaries({ companyId });
  return lines;
}
