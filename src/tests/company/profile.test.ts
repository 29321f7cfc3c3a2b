/**
 * GET/PUT /company/:companyId and /company: the profile the dashboard reads and saves, tenant
 * isolation (S1), manager-only writes of documented fields only (S2, S15), B12, B45, B49.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { STAFF_ROLES } from '../../models/constants';
import { registerBody } from '../accounts/support';
import { createService } from '../factories/catalogue';
import { type CompanyWorld, companyWorld } from '../factories/company';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig({ AUTH_RATE_LIMIT_MAX: '1000' });
const app = buildApp({ config });

let w: CompanyWorld;
beforeEach(async () => {
  w = await companyWorld(config);
});

const url = (cid: unknown = w.home.companyId) => `/api/v1/company/${String(cid)}`;
const stored = async (id: unknown = w.home.companyId) => (await Company.findById(id).lean())!;
const put = (body: object, auth = w.as.manager, path = url()) => request(app).put(path).set(auth).send(body);

/** What CompanyInfoSection sends: the form fields and the settings it loaded (CompanyInfoSection.jsx:77-82). */
async function dashboardBody(overrides: Record<string, unknown> = {}) {
  const { company } = (await request(app).get(url()).set(w.as.manager)).body as { company: Record<string, unknown> };
  return {
    name: 'Happy Paws',
    phone: '',
    email: company.email,
    website: 'https://happypaws.example',
    timezone: 'Asia/Tbilisi',
    mainCurrency: 'GEL',
    settings: { ...(company.settings as object) },
    ...overrides,
  };
}

describe('GET /company/:companyId', () => {
  test('when any staff role of the company reads (B49), then {company, services, pagination} with work hours, zone, types and bot', async () => {
    for (const role of STAFF_ROLES) {
      const res = await request(app).get(url()).set(w.as[role]);
      expect(res.status).toBe(200);
      expect(res.body.company).toMatchObject({
        _id: String(w.home.companyId),
        name: w.home.name,
        timezone: 'UTC',
        businessTypes: ['grooming'],
        settings: { workHours: [{ _id: expect.any(String), weekday: 1, startTime: '09:00', endTime: '17:00' }] },
        bot: expect.objectContaining({ active: false }),
      });
      expect(res.body.services).toEqual([expect.objectContaining({ id: String(w.home.serviceCategoryId), name: 'Full Groom' })]);
      expect(res.body.pagination).toEqual({ page: 1, size: 20, total: 1, totalPages: 1, hasNext: false, hasPrev: false });
    }
  });

  test('when the dashboard asks for a page of services, then that page is answered', async () => {
    await createService(w.home.companyId, { name: 'Bath' });
    const res = await request(app).get(`${url()}?page=2&size=1`).set(w.as.receptionist);
    expect(res.body.services).toHaveLength(1);
    expect(res.body.pagination).toMatchObject({ page: 2, size: 1, total: 2, hasPrev: true, hasNext: false });
  });

  test('when the path names another company (S1), then 403 {message, userCompanyId, requestedCompanyId} and nothing of theirs', async () => {
    for (const cid of [w.other.companyId, 'not-an-id']) {
      const res = await request(app).get(url(cid)).set(w.as.manager);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'You can only access your own company profile',
        userCompanyId: String(w.home.companyId),
        requestedCompanyId: String(cid),
      });
      expect(JSON.stringify(res.body)).not.toContain(w.other.name);
    }
  });

  test("when the path is `undefined` or /company has no id, then it is the caller's company, same shape", async () => {
    for (const path of [url('undefined'), '/api/v1/company']) {
      const res = await request(app).get(path).set(w.as.groomer);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['company', 'pagination', 'services']);
      expect(res.body.company._id).toBe(String(w.home.companyId));
    }
  });

  test('when nobody is signed in, then 401 (E1); when the company is gone, then 404 {message}', async () => {
    const anonymous = await request(app).get(url());
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    await Company.deleteOne({ _id: w.home.companyId });
    const gone = await request(app).get(url()).set(w.as.manager);
    expect([gone.status, gone.body]).toEqual([404, { message: 'Company not found' }]);
  });
});

describe('PUT /company/:companyId', () => {
  test('when the dashboard saves Company Info right after registering (no phone, B45), then 200 {company, message} and it is stored', async () => {
    const body = await dashboardBody();
    const res = await put(body);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Company profile updated successfully');
    expect(res.body.company).toMatchObject({ name: 'Happy Paws', timezone: 'Asia/Tbilisi', mainCurrency: 'GEL' });
    const company = await stored();
    expect(company).toMatchObject({ name: 'Happy Paws', website: 'https://happypaws.example', timezone: 'Asia/Tbilisi' });
    expect(company.phone).toBeUndefined();
    expect(company.settings?.workHours.map((h) => [h.weekday, h.startTime, h.endTime])).toEqual([[1, '09:00', '17:00']]);
  });

  test('when PUT /company (no id) is used, then it updates the caller’s company', async () => {
    const res = await put(await dashboardBody({ name: 'Alias Paws' }), w.as.manager, '/api/v1/company');
    expect(res.status).toBe(200);
    expect((await stored()).name).toBe('Alias Paws');
  });

  test('when a receptionist, groomer or vet saves (S2), then 403 (E1) and nothing changes', async () => {
    for (const role of ['receptionist', 'groomer', 'veterinarian'] as const) {
      const res = await put({ name: 'Hijack', email: 'x@y.example' }, w.as[role]);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await stored()).name).toBe(w.home.name);
  });

  test("when a manager writes another company's profile (S1), then 403 {message} and theirs is unchanged", async () => {
    const res = await put({ name: 'Hijack', email: 'hijack@example.com' }, w.as.manager, url(w.other.companyId));
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('You can only access your own company profile');
    expect((await stored(w.other.companyId)).name).toBe(w.other.name);
  });

  test.each([
    ['status', { status: 'active' }],
    ['bot', { bot: { active: true } }],
    ['integration', { integration: { fbPageId: '1' } }],
    ['_id', { _id: '0123456789abcdef01234567' }],
    ['companyId', { companyId: 'own' }],
    ['an unknown field', { color: 'red' }],
  ])('when the body carries %s (S2, S15), then 400 and nothing is written', async (_what, extra) => {
    await Company.updateOne({ _id: w.home.companyId }, { $set: { status: 'suspended' } });
    const body: Record<string, unknown> = { ...(await dashboardBody({ name: 'Changed' })), ...extra };
    if ('companyId' in extra) body.companyId = String(w.home.companyId);
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(await stored()).toMatchObject({ name: w.home.name, status: 'suspended', bot: { active: false } });
  });

  test.each([
    ['no name', { name: '' }, 'Name and email are required'],
    ['a malformed email', { email: 'not-an-email' }, 'Invalid email format'],
    ['a zone that is not IANA', { timezone: 'Mars/Olympus' }, 'timezone must be an IANA time zone such as Europe/London'],
    ['a made-up currency', { mainCurrency: 'XYZ' }, 'mainCurrency must be an ISO 4217 code such as USD'],
    ['an unknown business type', { businessTypes: ['grooming', 'zoo'] }, expect.stringMatching(/^businessTypes must be a list of/)],
    ['an unknown country', { country: 'QQ' }, 'country must be an ISO 3166-1 alpha-2 code such as GE'],
    [
      'a weekday twice',
      {
        settings: {
          workHours: [
            { weekday: 1, startTime: '09:00', endTime: '17:00' },
            { weekday: 1, startTime: '10:00', endTime: '12:00' },
          ],
        },
      },
      'weekday 1 appears more than once',
    ],
    [
      'hours that end before they start',
      { settings: { workHours: [{ weekday: 2, startTime: '17:00', endTime: '9:00' }] } },
      'workHours[0].endTime must be after startTime (weekday 2)',
    ],
    ['a weekday out of range', { settings: { workHours: [{ weekday: 7, startTime: '09:00', endTime: '17:00' }] } }, expect.any(String)],
  ])('when the body has %s, then 400 {message} and nothing is written', async (_what, change, message) => {
    const res = await put(await dashboardBody({ name: 'Changed', ...change }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message });
    expect((await stored()).name).toBe(w.home.name);
  });

  test('when fields have the wrong types, then 400 VALIDATION_ERROR naming them', async () => {
    const res = await put(await dashboardBody({ name: 42, website: ['x'], settings: { holidays: ['someday'] } }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'settings.holidays.0', 'website']);
  });

  test("when the email is another company's, then 409; when it is its own (in other case), then 200", async () => {
    const other = await stored(w.other.companyId);
    const taken = await put(await dashboardBody({ email: other.email }));
    expect([taken.status, taken.body]).toEqual([409, { message: 'Company email is already taken by another company' }]);
    const own = await stored();
    const same = await put(await dashboardBody({ email: own.email.toUpperCase() }));
    expect(same.status).toBe(200);
    expect((await stored()).email).toBe(own.email);
  });

  test('when currency, country and types come in any case or repeated, then they are stored normalised; empty country clears it', async () => {
    const res = await put(await dashboardBody({ mainCurrency: 'gel', country: 'ge', businessTypes: ['vet', 'vet', 'training'] }));
    expect(res.status).toBe(200);
    expect(await stored()).toMatchObject({ mainCurrency: 'GEL', country: 'GE', businessTypes: ['vet', 'training'] });
    expect((await put(await dashboardBody({ country: '' }))).status).toBe(200);
    expect((await stored()).country).toBeUndefined();
  });

  test('when payment methods are objects (B12), then they are stored as sub-documents', async () => {
    const method = { bankName: 'TBC', accountNumber: 'GE00TB000', accountName: 'Happy Paws', iban: 'GE00TB0000000000000000' };
    const res = await put(await dashboardBody({ paymentMethods: [method] }));
    expect(res.status).toBe(200);
    expect(res.body.company.paymentMethods).toEqual([{ _id: expect.any(String), ...method }]);
  });

  test('when work hours come back with _ids and H:mm times, and holidays as dates, then they replace the stored ones', async () => {
    const res = await put(
      await dashboardBody({
        settings: {
          workHours: [{ _id: '0123456789abcdef01234567', weekday: 3, startTime: '9:00', endTime: '17:30' }],
          holidays: ['2026-12-25', '2027-01-01T00:00:00.000Z'],
        },
      }),
    );
    expect(res.status).toBe(200);
    const { settings } = await stored();
    expect(settings?.workHours.map((h) => [String(h._id) === '0123456789abcdef01234567', h.weekday, h.startTime, h.endTime])).toEqual([
      [false, 3, '9:00', '17:30'],
    ]);
    expect(settings?.holidays.map((d) => d.toISOString())).toEqual(['2026-12-25T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  test('when only holidays are sent, then the work hours are kept', async () => {
    const res = await put({ name: 'Paws', email: (await stored()).email, settings: { holidays: ['2026-05-26'] } });
    expect(res.status).toBe(200);
    expect((await stored()).settings?.workHours).toHaveLength(1);
  });
});

describe('the dashboard right after registering', () => {
  test('when a new manager opens Company Info and AI Agent and saves Company Info without a phone, then every call succeeds', async () => {
    const registered = await request(app).post('/api/v1/auth/register-manager').send(registerBody());
    expect(registered.status).toBe(201);
    const auth = { Authorization: `Bearer ${registered.body.accessToken as string}` };
    const companyId = registered.body.user.companyId as string;

    const profile = await request(app)
      .get(`${url(companyId)}?page=1&size=100`)
      .set(auth);
    expect(profile.status).toBe(200);
    expect(profile.body.company).toMatchObject({ _id: companyId, timezone: 'Europe/London' });
    expect((await request(app).get('/api/v1/company').set(auth)).status).toBe(200);
    const agent = await request(app).get('/api/v1/settings/ai-agent').set(auth);
    expect(agent.status).toBe(200);
    expect(agent.body.bot).toMatchObject({ active: true });
    expect((await request(app).get('/api/v1/settings/company').set(auth)).body.company.timezone).toBe('Europe/London');

    const { company } = profile.body as { company: Record<string, unknown> };
    const saved = await request(app).put(url(companyId)).set(auth).send({
      name: company.name,
      phone: company.phone,
      email: company.email,
      website: company.website,
      timezone: company.timezone,
      mainCurrency: company.mainCurrency,
      settings: company.settings,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.company.settings.workHours).toHaveLength((company.settings as { workHours: unknown[] }).workHours.length);
  });
});
