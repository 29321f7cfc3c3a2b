/**
 * The operators' `delete:facebook-ids`: for each Facebook PSID, the contacts that have it as
 * `social.facebookId` (in any company) are deleted with everything recorded about them
 * (deleteContactsData: messages, conversation summaries, appointments and their reservations,
 * holds, pets), one transaction per contact, so a failure leaves that contact whole and the others
 * go on. A dry run only counts.
 */
import type { Types } from 'mongoose';
import { Contact } from '../../models/Contact';
import { crossTenant } from '../../models/plugins/tenantScoped';
import { inTransaction } from '../tenant';
import { deleteContactsData, noDeletions, type DeletedCounts } from './dataDeletion.service';

/** At most this many ids per run: a larger list is split by the operator, not held in memory at once. */
export const MAX_IDS = 100_000;
const PSID = /^[A-Za-z0-9_-]{1,64}$/;
const LOOKUP_BATCH = 1000;

/**
 * The ids in `text`: a JSON array, a JSON object `{ "ids": [...] }`, or ids separated by commas,
 * whitespace or new lines. Throws on anything that is not an id (so a wrong file is not half-used).
 */
export function parseFacebookIds(text: string): string[] {
  const trimmed = text.trim();
  let raw: unknown[];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('the ids look like JSON but do not parse');
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { ids?: unknown }).ids;
    if (!Array.isArray(list)) throw new Error('JSON must be an array of ids or an object with an "ids" array');
    raw = list;
  } else {
    raw = trimmed.split(/[\s,]+/).filter((s) => s !== '');
  }
  const ids = raw.map((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v));
  const bad = ids.find((v) => typeof v !== 'string' || !PSID.test(v));
  if (bad !== undefined) throw new Error(`not a Facebook id: ${JSON.stringify(bad).slice(0, 80)}`);
  const unique = [...new Set(ids as string[])];
  if (unique.length === 0) throw new Error('no ids given');
  if (unique.length > MAX_IDS) throw new Error(`${unique.length} ids: at most ${MAX_IDS} per run`);
  return unique;
}

export interface FacebookIdDeletionSummary {
  dryRun: boolean;
  ids: number;
  /** Ids no contact has. */
  notFound: string[];
  contactsFound: number;
  deleted: DeletedCounts;
  failed: { contactId: string; error: string }[];
}

export interface DeletionOptions {
  dryRun: boolean;
  /** Hears how many contacts will be deleted (not on a dry run), then once per contact done. */
  onStart?: (contacts: number) => void;
  onContact?: () => void;
}

export async function deleteFacebookIds(ids: string[], options: DeletionOptions): Promise<FacebookIdDeletionSummary> {
  type Found = { _id: Types.ObjectId; companyId: Types.ObjectId; social: { facebookId: string } };
  const contacts: Found[] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    const batch = ids.slice(i, i + LOOKUP_BATCH);
    contacts.push(
      ...(await crossTenant(Contact.find({ 'social.facebookId': { $in: batch } }, { _id: 1, companyId: 1, 'social.facebookId': 1 })).lean<
        Found[]
      >()),
    );
  }
  const found = new Set(contacts.map((c) => c.social.facebookId));
  const summary: FacebookIdDeletionSummary = {
    dryRun: options.dryRun,
    ids: ids.length,
    notFound: ids.filter((id) => !found.has(id)),
    contactsFound: contacts.length,
    deleted: noDeletions(),
    failed: [],
  };
  if (options.dryRun) return summary;
  options.onStart?.(contacts.length);
  for (const c of contacts) {
    try {
      const counts = await inTransaction((session) => deleteContactsData(c.companyId, [c._id], session));
      for (const k of Object.keys(counts) as (keyof DeletedCounts)[]) summary.deleted[k] += counts[k];
    } catch (err) {
      summary.failed.push({ contactId: String(c._id), error: (err as Error).message });
    }
    options.onContact?.();
  }
  return summary;
}
