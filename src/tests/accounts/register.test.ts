/** POST /api/v1/auth/register-manager: the response a client reads, every documented error, and what is stored. */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { combinedSeeds } from '../../config/businessTypeSeeds';
import { BUSINESS_TYPES, type BusinessType } from '../../models/constants';
import * as provisioning from '../../services/provisioning.service';
import { createCompany, createStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { AUTH, authApp, refreshTokenOf, registerBody, setCookie, storedCounts } from './support';

useTestDatabase();

const { app } = authApp();
const register = (body: unknown) =>
  request(app)
    .post(`${AUTH}/register-manager`)
    .send(body as object);
const db = () => mongoose.connection.db!;

afterEach(() => jest.restoreAllMocks());

describe('successful registration', () => {
  test('when a manager registers, then the response carries user._id, a numeric tokenExpiry, the company and a refresh cookie', async () => {
    const body = registerBody({ user: { color: '#123456' } });
    const before = Date.now();
    const res = await register(body);

    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Company and manager registered successfully');
    expect(res.body.user).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: body.user.email,
      fullName: 'Mia Manager',
      role: 'manager',
      companyId: expect.stringMatching(/^[0-9a-f]{24}$/),
      picture: expect.any(String),
      color: '#123456',
    });
    expect(typeof res.body.accessToken).toBe('string');
    expect(typeof res.body.tokenExpiry).toBe('number');
    expect(res.body.tokenExpiry).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
    expect(res.body.tokenExpiry).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    expect(res.body.company).toMatchObject({ _id: res.body.user.companyId, name: body.company.name, email: body.company.email });

    const cookie = setCookie(res, 'refreshToken');
    expect(cookie?.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(cookie?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax', 'max-age': '604800' });
    expect(cookie?.attributes.secure).toBeUndefined();
  });

  test('when a manager registers, then only a hash of the refresh token is stored and the access token opens the API', async () => {
    const res = await register(registerBody());
    const token = refreshTokenOf(res);
    const rows = await db().collection('refreshtokens').find({}).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token).toBe(createHash('sha256').update(token).digest('hex'));
    expect(String(rows[0]!.userId)).toBe(res.body.user._id);

    const locations = await request(app).get('/api/v1/locations').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(locations.status).toBe(200);
    expect(JSON.stringify(locations.body)).toContain('Downtown');
  });

  test('when the user email is given in mixed case with spaces, then it is stored trimmed and lower-cased', async () => {
    const res = await register(registerBody({ user: { email: '  Mia.Manager+Work@Example.COM ' } }));
    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe('mia.manager+work@example.com');
    expect(await db().collection('users').countDocuments({ email: 'mia.manager+work@example.com' })).toBe(1);
  });
});

describe('provisioning at registration', () => {
  test.each(BUSINESS_TYPES.map((t) => [t]))(
    'when the business type is %s, then registration stores the company, its manager, its location and the defaults',
    async (type: BusinessType) => {
      const res = await register(registerBody({ company: { businessTypes: [type] } }));
      expect(res.status).toBe(201);
      const companyId = new mongoose.Types.ObjectId(res.body.user.companyId as string);
      const seed = combinedSeeds([type]);

      const company = await db().collection('companies').findOne({ _id: companyId });
      expect(company).toMatchObject({ businessTypes: [type], status: 'active' });
      expect(company!.bot.systemInstruction).toEqual(expect.any(String));
      expect(await db().collection('users').countDocuments({ companyId, role: 'manager' })).toBe(1);
      const locations = await db().collection('locations').find({ companyId }).toArray();
      expect(locations.map((l) => [l.label, l.isMain])).toEqual([['Downtown', true]]);

      expect(await db().collection('resourcetypes').countDocuments({ companyId })).toBe(seed.resourceTypes.length);
      const resources = await db().collection('resources').find({ companyId }).toArray();
      expect(resources).toHaveLength(seed.resources.length);
      expect(resources.every((r) => String(r.locationId) === String(locations[0]!._id))).toBe(true);
      expect(await db().collection('servicecategories').countDocuments({ companyId })).toBe(seed.serviceCategories.length);
      const items = await db().collection('serviceitems').find({ companyId }).toArray();
      expect(items).toHaveLength(seed.serviceCategories.flatMap((c) => c.variants).length);
      if (type === 'boarding') expect(items.every((i) => i.durationMinutes === 1440)).toBe(true);
    },
  );

  test('when no locations are given, then one main location is created and the defaults are placed there', async () => {
    const body = registerBody();
    delete (body.company as { locations?: unknown }).locations;
    const res = await register(body);
    expect(res.status).toBe(201);
    const companyId = new mongoose.Types.ObjectId(res.body.user.companyId as string);
    const locations = await db().collection('locations').find({ companyId }).toArray();
    expect(locations).toHaveLength(1);
    expect(locations[0]!.isMain).toBe(true);
    const resources = await db().collection('resources').find({ companyId }).toArray();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => String(r.locationId) === String(locations[0]!._id))).toBe(true);
  });

  test('when several locations are given and the second is main, then the defaults are placed at the second', async () => {
    const res = await register(
      registerBody({ company: { locations: [{ address: '1 First Road' }, { label: 'Uptown', address: '2 Second Road', isMain: true }] } }),
    );
    expect(res.status).toBe(201);
    const companyId = new mongoose.Types.ObjectId(res.body.user.companyId as string);
    const locations = await db().collection('locations').find({ companyId }).sort({ address: 1 }).toArray();
    expect(locations.map((l) => [l.label, l.isMain])).toEqual([
      ['Location 1', false],
      ['Uptown', true],
    ]);
    const resources = await db().collection('resources').find({ companyId }).toArray();
    expect(resources.every((r) => String(r.locationId) === String(locations[1]!._id))).toBe(true);
  });

  test('when provisioning fails after every write, then nothing of the company remains and the same registration works later', async () => {
    const real = provisioning.provisionCompanyDefaults;
    const spy = jest.spyOn(provisioning, 'provisionCompanyDefaults').mockImplementationOnce(async (input, session) => {
      await real(input, session);
      throw new Error('storage failed after the last default was written');
    });
    const body = registerBody({ company: { businessTypes: ['vet'] } });

    const res = await register(body);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(setCookie(res, 'refreshToken')).toBeUndefined();
    expect(await storedCounts()).toEqual({
      companies: 0,
      users: 0,
      locations: 0,
      resourcetypes: 0,
      resources: 0,
      servicecategories: 0,
      serviceitems: 0,
      refreshtokens: 0,
    });

    const again = await register(body);
    expect(again.status).toBe(201);
  });
});

describe('validation errors', () => {
  const expectValidation = (res: request.Response, field: string, message: string | RegExp) => {
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'Validation failed' });
    expect(res.body.error.details).toEqual(expect.arrayContaining([{ field, message: expect.stringMatching(message) }]));
  };

  test.each([
    ['Sh0rtPw', 'Password must be at least 8 characters'],
    ['NOLOWERCASE1', 'Password must contain at least one lowercase letter'],
    ['nouppercase1', 'Password must contain at least one uppercase letter'],
    ['NoDigitsHere', 'Password must contain at least one number'],
  ])(
    'when the password is %s, then 400 VALIDATION_ERROR says why, without echoing it, and nothing is stored',
    async (password, message) => {
      const res = await register(registerBody({ user: { password } }));
      expectValidation(res, 'user.password', `^${message}$`);
      expect(JSON.stringify(res.body)).not.toContain(password);
      expect((await storedCounts()).companies).toBe(0);
    },
  );

  test('when the password is over 72 bytes (but under 72 characters), then 400 VALIDATION_ERROR', async () => {
    const password = `Aa1${'é'.repeat(35)}`; // 38 characters, 73 bytes
    const res = await register(registerBody({ user: { password } }));
    expectValidation(res, 'user.password', '^Password must be at most 72 bytes$');
  });

  test.each([
    ['company', '_id', new mongoose.Types.ObjectId().toHexString()],
    ['company', 'status', 'suspended'],
    ['company', 'bot', { active: true, systemInstruction: 'injected' }],
    ['user', 'roles', ['manager', 'groomer']],
    ['user', 'isActive', false],
  ] as const)('when %s.%s is sent, then 400 VALIDATION_ERROR names it and nothing is stored', async (part, key, value) => {
    const res = await register(registerBody({ [part]: { [key]: value } }));
    expectValidation(res, part, key);
    expect(await storedCounts()).toMatchObject({ companies: 0, users: 0, locations: 0, refreshtokens: 0 });
  });

  test.each([
    ['no company', { company: undefined }, 'company'],
    ['a short company name', { company: { name: 'X' } }, 'company.name'],
    ['an invalid company email', { company: { email: 'not-an-email' } }, 'company.email'],
    ['a missing timezone', { company: { timezone: undefined } }, 'company.timezone'],
    ['an unknown business type', { company: { businessTypes: ['zoo'] } }, 'company.businessTypes.0'],
    ['a location without address', { company: { locations: [{ label: 'Nowhere' }] } }, 'company.locations.0.address'],
    ['an invalid user email', { user: { email: 'mia@' } }, 'user.email'],
    ['no name', { user: { fullName: undefined } }, 'user.fullName'],
    ['a bad colour', { user: { color: 'red' } }, 'user.color'],
  ])('when the body has %s, then 400 VALIDATION_ERROR names the field', async (_what, patch, field) => {
    const body = registerBody(patch as { company?: Record<string, unknown>; user?: Record<string, unknown> });
    if ('company' in patch && patch.company === undefined) delete (body as { company?: unknown }).company;
    const res = await register(JSON.parse(JSON.stringify(body)));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('conflicts', () => {
  test('when the user email already belongs to a staff member (in any case), then 409 EMAIL_TAKEN and no company is added', async () => {
    const other = await createCompany();
    await createStaff(other.companyId, 'groomer', { email: 'taken@example.com' });
    const res = await register(registerBody({ user: { email: ' Taken@Example.com' } }));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: 'User email is already taken' } });
    expect((await storedCounts()).companies).toBe(1);
  });

  test('when the company email is already registered, then 409 DUPLICATE_COMPANY and no second manager is stored', async () => {
    const first = registerBody();
    expect((await register(first)).status).toBe(201);
    const res = await register(registerBody({ company: { email: first.company.email.toUpperCase() } }));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'DUPLICATE_COMPANY', message: 'Company with this email already exists' } });
    expect(await storedCounts()).toMatchObject({ companies: 1, users: 1, refreshtokens: 1 });
  });
});
