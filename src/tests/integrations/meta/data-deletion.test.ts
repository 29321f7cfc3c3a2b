/**
 * Facebook data deletion (F1–F3): only a signed_request signed with the app secret is honoured
 * (S-4: no bare ids, no ignored bad signatures); the person's contacts in every company, by
 * Facebook or Instagram id (B-4), go with their messages, summaries, appointments, reservations,
 * holds and pets; the confirmation code's status page says what happened.
 */
import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import request from 'supertest';
import { Appointment } from '../../../models/Appointment';
import { BookingHold } from '../../../models/BookingHold';
import { Contact } from '../../../models/Contact';
import { Conversation } from '../../../models/Conversation';
import { DataDeletionRequest } from '../../../models/DataDeletionRequest';
import { Message } from '../../../models/Message';
import { Pet } from '../../../models/Pet';
import { ResourceReservation } from '../../../models/ResourceReservation';
import { seedAppointment, seedPet } from '../../factories/customers';
import { createContact, createMessage } from '../../factories/inbox';
import { APP_SECRET } from '../../helpers/fakeGraph';
import { useMetaWorld } from './support';

const m = useMetaWorld();
const F1 = '/api/v1/facebook/data-deletion';
const USER_ID = '10229999000111';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
function signedRequest(payload: object, secret = APP_SECRET): string {
  const body = b64(JSON.stringify(payload));
  return `${b64(createHmac('sha256', secret).update(body).digest())}.${body}`;
}
const valid = () => signedRequest({ algorithm: 'HMAC-SHA256', issued_at: 1_700_000_000, user_id: USER_ID });

/** A contact with everything deletion must remove: messages (and summary), an appointment with a reservation, a hold, a pet. */
async function personIn(companyId: Types.ObjectId, social: { facebookId?: string | null; instagramId?: string | null }) {
  const contact = await createContact(companyId, social);
  await createMessage(companyId, contact._id);
  await createMessage(companyId, contact._id, { direction: 'outbound' });
  const petId = await seedPet(companyId, contact._id);
  await seedAppointment(companyId, contact._id, petId, new Date('2030-01-01T10:00:00Z'));
  const appointment = (await Appointment.findOne({ companyId, customerId: contact._id }).lean())!;
  await ResourceReservation.create({
    companyId,
    locationId: appointment.locationId,
    appointmentId: appointment._id,
    appointmentItemId: new Types.ObjectId(),
    resourceTypeId: new Types.ObjectId(),
    start: appointment.start,
    end: appointment.end,
  });
  await BookingHold.create({
    companyId,
    locationId: new Types.ObjectId(),
    customerId: contact._id,
    tentative: [{ staffId: new Types.ObjectId(), start: new Date('2030-01-02T10:00:00Z'), end: new Date('2030-01-02T11:00:00Z') }],
    expiresAt: new Date(Date.now() + 600_000),
  });
  return contact._id;
}

/** What is left of a contact's data (all counts zero once deleted). */
async function remaining(companyId: Types.ObjectId, contactId: Types.ObjectId) {
  return {
    contacts: await Contact.countDocuments({ companyId, _id: contactId }),
    messages: await Message.countDocuments({ company_id: companyId, contact_id: contactId }),
    conversations: await Conversation.countDocuments({ companyId, contactId }),
    appointments: await Appointment.countDocuments({ companyId, customerId: contactId }),
    reservations: await ResourceReservation.countDocuments({ companyId }),
    holds: await BookingHold.countDocuments({ companyId, customerId: contactId }),
    pets: await Pet.countDocuments({ companyId, customerId: contactId }),
  };
}
const NOTHING = { contacts: 0, messages: 0, conversations: 0, appointments: 0, reservations: 0, holds: 0, pets: 0 };
const EVERYTHING = { contacts: 1, messages: 2, conversations: 1, appointments: 1, reservations: 1, holds: 1, pets: 1 };

test('when Meta posts a valid signed_request, then the person’s data in every company is deleted and a code returned', async () => {
  const fbContact = await personIn(m.w.home.companyId, { facebookId: USER_ID });
  const igContact = await personIn(m.w.other.companyId, { facebookId: null, instagramId: USER_ID });
  const bystander = await personIn(m.w.home.companyId, {});
  const res = await request(m.app).post(F1).set('Host', 'api.petbuddy.test').type('form').send({ signed_request: valid() });
  expect(res.status).toBe(200);
  const code = res.body.confirmation_code as string;
  expect(code).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body.url).toBe(`http://api.petbuddy.test/api/v1/facebook/data-deletion-status?code=${code}`);
  expect(await remaining(m.w.home.companyId, fbContact)).toEqual({ ...NOTHING, reservations: 1 });
  expect(await remaining(m.w.other.companyId, igContact)).toEqual(NOTHING);
  // The bystander (same company) keeps everything, its reservation included.
  expect(await remaining(m.w.home.companyId, bystander)).toEqual(EVERYTHING);
  const recorded = await DataDeletionRequest.findOne({ code }).lean();
  expect(recorded).toMatchObject({
    status: 'completed',
    deleted: { contacts: 2, messages: 4, conversations: 2, appointments: 2, reservations: 2, holds: 2, pets: 2 },
  });
  expect(JSON.stringify(recorded)).not.toContain(USER_ID);
});

test('when the status URL is followed, then the page says when and what was deleted', async () => {
  await personIn(m.w.home.companyId, { facebookId: USER_ID });
  const { body } = await request(m.app).post(F1).send({ signed_request: valid() });
  const page = await request(m.app).get(new URL(body.url as string).pathname + new URL(body.url as string).search);
  expect(page.status).toBe(200);
  expect(page.type).toBe('text/html');
  expect(page.text).toContain(body.confirmation_code);
  expect(page.text).toContain('completed on');
  expect(page.text).toContain('2 message(s), 1 appointment(s)');
});

test('when nobody has the id, then a code is still recorded and its page says nothing was found', async () => {
  const { body } = await request(m.app).get(F1).query({ signed_request: valid() });
  const page = await request(m.app).get('/api/v1/facebook/data-deletion-status').query({ code: body.confirmation_code });
  expect(page.text).toContain('No data about you was found');
});

test('when the status page is asked for an unknown or malformed code, then 404 / 400 instead of a reassuring page', async () => {
  const unknown = await request(m.app).get('/api/v1/facebook/data-deletion-status').query({ code: '00000000-0000-4000-8000-000000000000' });
  expect([unknown.status, unknown.body.error.code]).toEqual([404, 'DELETION_REQUEST_NOT_FOUND']);
  const malformed = await request(m.app).get('/api/v1/facebook/data-deletion-status').query({ code: '<script>' });
  expect(malformed.status).toBe(400);
});

const tamperedPayload = () => {
  const [sig] = valid().split('.');
  return `${sig}.${b64(JSON.stringify({ algorithm: 'HMAC-SHA256', user_id: '999' }))}`;
};

test.each([
  ['a payload changed after signing', tamperedPayload],
  ['a request signed with another secret', () => signedRequest({ algorithm: 'HMAC-SHA256', user_id: USER_ID }, 'not-the-app-secret')],
  ['another algorithm', () => signedRequest({ algorithm: 'HMAC-SHA1', user_id: USER_ID })],
  ['no user id', () => signedRequest({ algorithm: 'HMAC-SHA256' })],
  ['a truncated signature', () => valid().slice(5)],
  ['no dot', () => valid().replace('.', '')],
  ['a payload that is not JSON', () => `${b64(createHmac('sha256', APP_SECRET).update(b64('{oops')).digest())}.${b64('{oops')}`],
])('when the signed_request has %s, then 400 INVALID_SIGNED_REQUEST and nothing is deleted', async (_what, make) => {
  const contact = await personIn(m.w.home.companyId, { facebookId: USER_ID });
  const res = await request(m.app).post(F1).send({ signed_request: make() });
  expect([res.status, res.body.error.code]).toEqual([400, 'INVALID_SIGNED_REQUEST']);
  expect(await remaining(m.w.home.companyId, contact)).toEqual(EVERYTHING);
  expect(await DataDeletionRequest.countDocuments()).toBe(0);
});

test.each([
  [
    'POST with bare ids (S-4)',
    () =>
      request(m.app)
        .post(F1)
        .send({ ids: [USER_ID] }),
  ],
  ['GET with bare ids (S-4)', () => request(m.app).get(F1).query({ ids: USER_ID })],
  ['POST with nothing', () => request(m.app).post(F1)],
])('when %s, then 400 and nothing is deleted', async (_what, send) => {
  const contact = await personIn(m.w.home.companyId, { facebookId: USER_ID });
  const res = await send();
  expect([res.status, res.body.error.code]).toEqual([400, 'INVALID_SIGNED_REQUEST']);
  expect(await remaining(m.w.home.companyId, contact)).toEqual(EVERYTHING);
});
