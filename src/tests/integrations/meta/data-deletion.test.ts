/**
 * Facebook data deletion (F1–F3): only a signed_request signed with the app secret is honoured
 * (S-4: no bare ids, no ignored bad signatures); the person's contacts in every company, by
 * Facebook or Instagram id (B-4), go with their messages, summaries, appointments, reservations,
 * holds and pets; the confirmation code's status page says what happened.
 */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { DataDeletionRequest } from '../../../models/DataDeletionRequest';
import { EVERYTHING, NOTHING, personIn, remaining } from '../../factories/person';
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
