/**
 * Facebook's data deletion callback (F1–F3). Only a `signed_request` signed with the app secret
 * (HMAC-SHA256, compared in constant time) is honoured; the original also took bare `ids` and
 * ignored bad signatures (S-4). The person's contacts, found by their Facebook or Instagram id in
 * every company (B-4: Instagram too), are deleted with their messages and conversation summaries,
 * appointments and those appointments' reservations, holds and pets, in one transaction that also
 * records the confirmation code, so a code exists only for a deletion that happened.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ClientSession, Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { BookingHold } from '../../models/BookingHold';
import { Contact } from '../../models/Contact';
import { Conversation } from '../../models/Conversation';
import { DataDeletionRequest, type DataDeletionRequestFields } from '../../models/DataDeletionRequest';
import { Message } from '../../models/Message';
import { Pet } from '../../models/Pet';
import { ResourceReservation } from '../../models/ResourceReservation';
import { crossTenant } from '../../models/plugins/tenantScoped';
import type { Clock } from '../../utils/clock';
import { AppError } from '../../utils/errors';
import { moduleLogger } from '../../utils/logger';
import { inTransaction } from '../tenant';

const log = moduleLogger('data-deletion');

const PART = /^[A-Za-z0-9_-]+={0,2}$/;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LENGTH = 8192;

const invalid = () => new AppError(400, 'INVALID_SIGNED_REQUEST', 'signed_request is missing, malformed or not signed by this app');

/**
 * The user id of a signed request, which must be `<base64url HMAC-SHA256>.<base64url JSON>` signed
 * with `appSecret`, with algorithm HMAC-SHA256 and a user_id. Anything else: 400.
 */
export function verifySignedRequest(signed: string, appSecret: string): { userId: string } {
  if (signed.length > MAX_LENGTH) throw invalid();
  const parts = signed.split('.');
  if (parts.length !== 2 || !parts.every((p) => PART.test(p))) throw invalid();
  const [sigPart, payloadPart] = parts as [string, string];
  const signature = Buffer.from(sigPart, 'base64url');
  const expected = createHmac('sha256', appSecret).update(payloadPart).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const p = payload as { algorithm?: unknown; user_id?: unknown } | null;
  if (!p || typeof p !== 'object' || typeof p.algorithm !== 'string' || p.algorithm.toUpperCase() !== 'HMAC-SHA256') throw invalid();
  const userId = typeof p.user_id === 'number' ? String(p.user_id) : p.user_id;
  if (typeof userId !== 'string' || !USER_ID.test(userId)) throw invalid();
  return { userId };
}

export interface DeletedCounts {
  contacts: number;
  messages: number;
  conversations: number;
  appointments: number;
  reservations: number;
  holds: number;
  pets: number;
}

export const noDeletions = (): DeletedCounts => ({
  contacts: 0,
  messages: 0,
  conversations: 0,
  appointments: 0,
  reservations: 0,
  holds: 0,
  pets: 0,
});

/**
 * Deletes these contacts of one company and everything recorded about them, within `session`.
 * (A maintenance script can call it with its own transaction per contact.)
 */
export async function deleteContactsData(
  companyId: Types.ObjectId,
  contactIds: Types.ObjectId[],
  session: ClientSession,
): Promise<DeletedCounts> {
  const counts = noDeletions();
  const ids = { $in: contactIds };
  const appointments = await Appointment.find({ companyId, customerId: ids }, { _id: 1 }).session(session).lean();
  const appointmentIds = appointments.map((a) => a._id);
  // One after another: MongoDB does not run operations of one transaction in parallel.
  counts.reservations = (
    await ResourceReservation.deleteMany({ companyId, appointmentId: { $in: appointmentIds } }, { session })
  ).deletedCount;
  counts.appointments = (await Appointment.deleteMany({ companyId, customerId: ids }, { session })).deletedCount;
  counts.holds = (await BookingHold.deleteMany({ companyId, customerId: ids }, { session })).deletedCount;
  counts.messages = (await Message.deleteMany({ company_id: companyId, contact_id: ids }, { session })).deletedCount;
  counts.conversations = (await Conversation.deleteMany({ companyId, contactId: ids }, { session })).deletedCount;
  counts.pets = (await Pet.deleteMany({ companyId, customerId: ids }, { session })).deletedCount;
  counts.contacts = (await Contact.deleteMany({ companyId, _id: ids }, { session })).deletedCount;
  return counts;
}

export function createDataDeletionService(deps: { appSecret: string | undefined; clock: Clock }) {
  return {
    /** F1/F2: verifies the request, deletes, and returns the confirmation code. */
    async handleSignedRequest(signed: string): Promise<{ code: string; deleted: DeletedCounts }> {
      if (!deps.appSecret) {
        throw new AppError(
          503,
          'DATA_DELETION_NOT_CONFIGURED',
          'Data deletion requests cannot be verified: FACEBOOK_APP_SECRET is not set',
        );
      }
      const { userId } = verifySignedRequest(signed, deps.appSecret);
      const code = randomUUID();
      const deleted = await inTransaction(async (session) => {
        const totals = noDeletions();
        const contacts = await crossTenant(
          Contact.find({ $or: [{ 'social.facebookId': userId }, { 'social.instagramId': userId }] }, { _id: 1, companyId: 1 }).session(
            session,
          ),
        ).lean();
        const byCompany = new Map<string, { companyId: Types.ObjectId; ids: Types.ObjectId[] }>();
        for (const c of contacts) {
          const entry = byCompany.get(String(c.companyId)) ?? { companyId: c.companyId, ids: [] };
          entry.ids.push(c._id);
          byCompany.set(String(c.companyId), entry);
        }
        for (const { companyId, ids } of byCompany.values()) {
          const counts = await deleteContactsData(companyId, ids, session);
          for (const k of Object.keys(totals) as (keyof DeletedCounts)[]) totals[k] += counts[k];
        }
        await DataDeletionRequest.create([{ code, status: 'completed', completedAt: deps.clock.now(), deleted: totals }], { session });
        return totals;
      });
      // The code and counts only: the user id is personal data.
      log.info('facebook data deletion completed', { confirmationCode: code, deleted });
      return { code, deleted };
    },

    /** F3: the recorded request, or null. */
    async status(code: string) {
      return DataDeletionRequest.findOne({ code }).lean();
    },
  };
}

export type DataDeletionService = ReturnType<typeof createDataDeletionService>;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The status page of a completed request (F3), in plain words. */
export function deletionStatusPage(
  request: Pick<DataDeletionRequestFields, 'code' | 'completedAt'> & { deleted?: Partial<DeletedCounts> | null },
): string {
  const d: DeletedCounts = { ...noDeletions(), ...(request.deleted ?? {}) };
  const total = Object.values(d).reduce((a, b) => a + b, 0);
  const what =
    total === 0
      ? 'No data about you was found, so nothing had to be deleted.'
      : `We deleted ${d.contacts} contact record(s), ${d.messages} message(s), ${d.appointments} appointment(s), ` +
        `${d.reservations} resource reservation(s), ${d.holds} booking hold(s) and ${d.pets} pet record(s).`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Data deletion status</title></head><body>',
    `<h1>Data deletion request ${escapeHtml(request.code)}</h1>`,
    `<p>Status: completed on ${escapeHtml(request.completedAt.toISOString())}.</p>`,
    `<p>${escapeHtml(what)}</p>`,
    '</body></html>',
  ].join('\n');
}
