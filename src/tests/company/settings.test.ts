/** /settings and /settings/company: manager only (E1), the [COMPAT] projection, S15 and B12 fixed, tenant isolation. */
import request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { newObjectId } from '../factories/accounts';
import { type CompanyWorld, companyWorld } from '../factories/company';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let w: CompanyWorld;
beforeEach(async () => {
  w = await companyWorld(config);
});

const S = '/api/v1/settings';
const stored = async (id: unknown = w.home.companyId) => (await Company.findById(id).lean())!;
const save = (body: object, auth = w.as.manager) => request(app).post(`${S}/company`).set(auth).send(body);

const ROUTES = [
  ['get', S],
  ['get', `${S}/company`],
  ['post', `${S}/company`],
  ['get', `${S}/ai-agent`],
  ['post', `${S}/ai-agent`],
] as const;

describe('who may use /settings', () => {
  test.each(ROUTES)('when anyone but a manager calls %s %s, then 401 or 403 in E1', async (method, path) => {
    expect((await request(app)[method](path).send({})).body.error.code).toBe('UNAUTHORIZED');
    for (const role of ['receptionist', 'groomer', 'veterinarian', 'vet_technician', 'trainer'] as const) {
      const res = await request(app)[method](path).set(w.as[role]).send({ name: 'Hijack' });
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await stored()).name).toBe(w.home.name);
  });

  test('when a manager names another company in the query or body, then 403 and nothing of theirs is read or written', async () => {
    const read = await request(app)
      .get(`${S}/company?companyId=${String(w.other.companyId)}`)
      .set(w.as.manager);
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).not.toContain(w.other.name);
    const write = await save({ companyId: String(w.other.companyId), name: 'Hijack' });
    expect(write.status).toBe(403);
    expect((await stored(w.other.companyId)).name).toBe(w.other.name);
  });
});

describe('GET /settings/company', () => {
  test("when a manager reads, then {company} is the caller's, in the [COMPAT] projection (no bot)", async () => {
    const res = await request(app).get(`${S}/company`).set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body.company).toMatchObject({
      _id: String(w.home.companyId),
      name: w.home.name,
      timezone: 'UTC',
      businessTypes: ['grooming'],
      status: 'active',
      settings: { workHours: [expect.objectContaining({ weekday: 1 })], holidays: [] },
    });
    expect(res.body.company.bot).toBeUndefined();
    expect(res.body.company.integration).toBeUndefined();
  });

  test('when the company is gone, then {company: null} [COMPAT]', async () => {
    await Company.deleteOne({ _id: w.home.companyId });
    const res = await request(app).get(`${S}/company`).set(w.as.manager);
    expect([res.status, res.body]).toEqual([200, { company: null }]);
  });
});

describe('POST /settings/company', () => {
  test('when a manager saves documented fields, then they are stored and {company} answers in the projection', async () => {
    const res = await save({ name: 'Renamed', address: '5 Elm Street', registrationId: 'REG-1', timezone: 'Europe/London' });
    expect(res.status).toBe(200);
    expect(res.body.company).toMatchObject({
      name: 'Renamed',
      address: '5 Elm Street',
      registrationId: 'REG-1',
      timezone: 'Europe/London',
    });
    expect(res.body.company.bot).toBeUndefined();
    expect(await stored()).toMatchObject({ name: 'Renamed', email: (await stored()).email });
  });

  test('when the body sets status (S15), then 400 and a suspended company stays suspended', async () => {
    await Company.updateOne({ _id: w.home.companyId }, { $set: { status: 'suspended' } });
    const res = await save({ status: 'active' });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect((await stored()).status).toBe('suspended');
  });

  test('when payment methods are objects (B12), then they are stored, not turned into "[object Object]"', async () => {
    const res = await save({ paymentMethods: [{ bankName: 'Bank of Georgia', paypalEmail: 'pay@paws.example' }] });
    expect(res.status).toBe(200);
    expect((await stored()).paymentMethods).toEqual([
      expect.objectContaining({ bankName: 'Bank of Georgia', paypalEmail: 'pay@paws.example' }),
    ]);
  });

  test('when workHours is given at the top level [COMPAT], then it replaces settings.workHours; both at once is 400', async () => {
    const hours = [{ weekday: 5, startTime: '08:00', endTime: '12:00' }];
    expect((await save({ workHours: hours })).status).toBe(200);
    expect((await stored()).settings?.workHours.map((h) => h.weekday)).toEqual([5]);
    const both = await save({ workHours: hours, settings: { workHours: hours } });
    expect(both.status).toBe(400);
  });

  test.each([
    ['an invalid zone', { timezone: 'Europe/Atlantis' }, 'INVALID_TIMEZONE'],
    ['a malformed email', { email: 'nope' }, 'INVALID_EMAIL'],
    [
      'overlapping weekdays',
      { workHours: [1, 1].map((weekday) => ({ weekday, startTime: '09:00', endTime: '10:00' })) },
      'DUPLICATE_WEEKDAY',
    ],
    ['an unknown country', { country: 'XX' }, 'INVALID_COUNTRY'],
    ['a wrong type', { registrationName: { $gt: '' } }, 'VALIDATION_ERROR'],
  ])('when the body has %s, then 400 with a stable code (E1) and nothing is written', async (_what, body, code) => {
    const res = await save({ name: 'Changed', ...body });
    expect([res.status, res.body.error?.code]).toEqual([400, code]);
    expect((await stored()).name).toBe(w.home.name);
  });

  test("when the email is another company's, then 409 COMPANY_EMAIL_TAKEN (the original answered 500)", async () => {
    const res = await save({ email: (await stored(w.other.companyId)).email });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'COMPANY_EMAIL_TAKEN', message: 'Company email is already taken by another company' });
  });

  test('when an unknown id is sent as a path, then 404 (no route); when the body is empty, then 200 and nothing changes', async () => {
    expect((await request(app).get(`${S}/company/${newObjectId()}`).set(w.as.manager)).status).toBe(404);
    const res = await save({});
    expect(res.status).toBe(200);
    expect(res.body.company.name).toBe(w.home.name);
  });
});

describe('GET /settings', () => {
  test('when a manager opens the settings, then the Company and AI Agent pages get their data in one answer', async () => {
    const res = await request(app).get(S).set(w.as.manager);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bot', 'company', 'hasOpenaiApiKey', 'openaiApiKeyLast4']);
    expect(res.body.company).toMatchObject({ _id: String(w.home.companyId), timezone: 'UTC' });
    expect(res.body.bot).toMatchObject({ active: false, activeHours: { intervalActive: false, timezone: 'Asia/Tbilisi' } });
    expect(res.body).toMatchObject({ hasOpenaiApiKey: false, openaiApiKeyLast4: null });
  });
});
