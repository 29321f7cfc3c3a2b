/** /api/v1/catalog/staff as the dashboard sees it: list, create, update, delete (contract §3.3.5, with our fixes). */
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import type { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import { STAFF_ROLES } from '../../models/constants';
import { RefreshToken } from '../../models/RefreshToken';
import { ServiceCategory } from '../../models/ServiceCategory';
import { StaffSchedule } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import { accessTokenFor, bearer, companyWithStaff, createCompany, createStaff, DEFAULT_PASSWORD, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

// Many logins from one address: the per-IP auth limiter is not what these tests are about.
const config = testConfig({ AUTH_RATE_LIMIT_MAX: '1000' });
const app = buildApp({ config });
const STAFF = '/api/v1/catalog/staff';

let co: Awaited<ReturnType<typeof companyWithStaff>>;
let auth: { Authorization: string };

beforeEach(async () => {
  co = await companyWithStaff(config);
  auth = bearer(co.users.manager.token);
});

const list = (query: Record<string, string> = {}) => request(app).get(STAFF).query(query).set(auth);
const create = (body: Record<string, unknown>) => request(app).post(STAFF).set(auth).send(body);
const update = (id: unknown, body: Record<string, unknown>) =>
  request(app)
    .put(`${STAFF}/${String(id)}`)
    .set(auth)
    .send(body);
const remove = (id: unknown) =>
  request(app)
    .delete(`${STAFF}/${String(id)}`)
    .set(auth);
const newcomer = (extra: Record<string, unknown> = {}) => ({
  fullName: 'New Person',
  email: 'new.person@example.com',
  roles: ['groomer'],
  password: 'Str0ngPass',
  ...extra,
});
const userInDb = (id: unknown) => User.findOne({ _id: id, companyId: co.companyId }).lean();
const openSessions = (userId: Types.ObjectId) => RefreshToken.countDocuments({ userId, revokedAt: null });
const login = (email: string, password: string) => request(app).post('/api/v1/auth/login').send({ email, password });

describe('GET /catalog/staff', () => {
  test('when a manager lists staff, then every user comes sorted by fullName with _id, isActive and schedules, never a password hash', async () => {
    await createStaff(co.companyId, 'groomer', { isActive: false });
    const res = await list();
    expect(res.status).toBe(200);
    const names = res.body.items.map((u: { fullName: string }) => u.fullName);
    expect(names).toHaveLength(7);
    expect(names).toEqual([...names].sort());
    for (const item of res.body.items) {
      expect(item).toEqual(expect.objectContaining({ _id: expect.any(String), isActive: expect.any(Boolean), schedules: [] }));
      expect(item).not.toHaveProperty('passwordHash');
    }
    expect(res.body.items.filter((u: { isActive: boolean }) => !u.isActive)).toHaveLength(1);
  });

  test('when filtering by role, q, locationId, serviceProvider and serviceCategoryId, then only the matching users come back', async () => {
    const both = await createStaff(co.companyId, 'groomer', { roles: ['receptionist', 'groomer'], email: 'Both.Roles@example.com' });
    await User.updateOne(
      { _id: both.userId, companyId: co.companyId },
      { $set: { locationIds: [co.locationId], serviceCategoryIds: [co.serviceCategoryId], serviceProvider: true } },
    );
    const ids = async (q: Record<string, string>) => ((await list(q)).body.items as { _id: string }[]).map((u) => u._id).sort();
    expect(await ids({ role: 'groomer' })).toEqual([String(co.users.groomer.userId), String(both.userId)].sort());
    expect(await ids({ q: 'BOTH.roles' })).toEqual([String(both.userId)]);
    expect(await ids({ q: 'TRAINER pers' })).toEqual([String(co.users.trainer.userId)]);
    await User.updateOne({ _id: co.users.vet_technician.userId, companyId: co.companyId }, { $set: { fullName: 'Tom X. Ray' } });
    await User.updateOne({ _id: co.users.veterinarian.userId, companyId: co.companyId }, { $set: { fullName: 'Tom XYRay' } });
    expect(await ids({ q: 'x. r' })).toEqual([String(co.users.vet_technician.userId)]);
    expect(await ids({ locationId: String(co.locationId) })).toEqual([String(both.userId)]);
    expect(await ids({ serviceCategoryId: String(co.serviceCategoryId) })).toEqual([String(both.userId)]);
    // Providers: every role that performs services, as the staff API sets the flag.
    const providers = [co.users.groomer, co.users.veterinarian, co.users.vet_technician, co.users.trainer].map((u) => String(u.userId));
    expect(await ids({ serviceProvider: 'true' })).toEqual([...providers, String(both.userId)].sort());
    expect(await ids({ serviceProvider: 'false' })).toEqual([String(co.users.manager.userId), String(co.users.receptionist.userId)].sort());
  });

  test.each([[{ q: 'nobody-has-this' }], [{ role: 'trainer', q: 'groomer' }]])(
    'when the filters match no one (%j), then 200 with an empty list',
    async (query) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [] });
    },
  );

  test('when the dashboard sends its own companyId, then the list is served', async () => {
    const res = await list({ companyId: String(co.companyId) });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(6);
  });

  test.each([[{ locationId: 'nope' }], [{ role: 'admin' }], [{ serviceProvider: 'yes' }]])(
    'when a filter is malformed (%j), then 400 VALIDATION_ERROR',
    async (query) => {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    },
  );
});

describe('POST /catalog/staff', () => {
  test('when a manager creates a groomer, then 201 {user:{id,…}} with derived fields and no hash, and the password is stored hashed', async () => {
    const res = await create(newcomer({ phone: ' +995555123456 ', color: '#123ABC', primaryLocationId: String(co.locationId) }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['user']);
    expect(res.body.user).toMatchObject({
      id: expect.any(String),
      fullName: 'New Person',
      email: 'new.person@example.com',
      role: 'groomer',
      roles: ['groomer'],
      phone: '+995555123456',
      color: '#123ABC',
      serviceProvider: true,
      locationIds: [String(co.locationId)],
      primaryLocationId: String(co.locationId),
      serviceCategoryIds: [String(co.serviceCategoryId)],
    });
    expect(res.body.user).not.toHaveProperty('_id');
    expect(res.body.user).not.toHaveProperty('passwordHash');
    const stored = await userInDb(res.body.user.id);
    expect(await bcrypt.compare('Str0ngPass', stored!.passwordHash)).toBe(true);
  });

  test('when a staff member with a known location is created, then one schedule per company work-hours entry appears in the list', async () => {
    const hours = [
      { weekday: 1, startTime: '09:00', endTime: '17:00' },
      { weekday: 3, startTime: '10:00', endTime: '14:30' },
    ];
    const other = await createCompany({ workHours: hours });
    auth = bearer(accessTokenFor(config, (await createStaff(other.companyId, 'manager')).userId));
    const res = await create(newcomer({ roles: ['trainer'], locationIds: [String(other.locationId)] }));
    expect(res.status).toBe(201);
    const listed = (await list()).body.items.find((u: { _id: string }) => u._id === res.body.user.id);
    const days = listed.schedules.map((s: Record<string, unknown>) => [s.weekday, s.startTime, s.endTime, s.locationId, s.breakWindows]);
    expect(days.sort()).toEqual(hours.map((h) => [h.weekday, h.startTime, h.endTime, String(other.locationId), []]));
  });

  test('when a manager or a staff member without a location is created, then no schedule is made', async () => {
    const manager = await create(newcomer({ roles: ['manager'], primaryLocationId: String(co.locationId) }));
    const groomer = await create(newcomer({ email: 'g2@example.com' }));
    expect([manager.status, groomer.status]).toEqual([201, 201]);
    expect(await StaffSchedule.countDocuments({ companyId: co.companyId })).toBe(0);
  });

  test('when no serviceCategoryIds are given, then the categories allowing any of the roles are assigned; managers and receptionists get none', async () => {
    const vet = await ServiceCategory.create({ companyId: co.companyId, name: 'Exam', species: 'dog', allowedRoles: ['veterinarian'] });
    const train = await ServiceCategory.create({ companyId: co.companyId, name: 'Class', species: 'dog', allowedRoles: ['trainer'] });
    const mixed = await create(newcomer({ roles: ['veterinarian', 'trainer'] }));
    expect([...mixed.body.user.serviceCategoryIds].sort()).toEqual([String(vet._id), String(train._id)].sort());
    const desk = await create(newcomer({ email: 'desk@example.com', roles: ['manager', 'receptionist'] }));
    expect(desk.body.user).toMatchObject({ serviceCategoryIds: [], serviceProvider: false, role: 'manager' });
    const explicit = await create(newcomer({ email: 'x@example.com', serviceCategoryIds: [String(vet._id)] }));
    expect(explicit.body.user.serviceCategoryIds).toEqual([String(vet._id)]);
  });

  test('when the email has spaces and capitals, then it is stored trimmed and lower-cased and the user can log in with it', async () => {
    const res = await create(newcomer({ email: ' Jane.Doe@Gmail.com ' }));
    expect(res.body.user.email).toBe('jane.doe@gmail.com');
    expect((await userInDb(res.body.user.id))!.email).toBe('jane.doe@gmail.com');
    expect((await login('jane.doe@gmail.com', 'Str0ngPass')).status).toBe(200);
  });

  test.each([['fullName'], ['email'], ['password'], ['roles']])('when %s is missing, then 400 MISSING_FIELDS', async (field) => {
    const body: Record<string, unknown> = newcomer();
    delete body[field];
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'MISSING_FIELDS', message: 'fullName, email, roles (or role), and password are required' });
  });

  test('when a role is not one of the six, then 400 INVALID_ROLE names it and the allowed roles', async () => {
    const res = await create(newcomer({ roles: ['groomer', 'admin'] }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_ROLE');
    expect(res.body.error.message).toMatch(/^Invalid roles: admin\. Allowed roles: /);
    for (const role of STAFF_ROLES) expect(res.body.error.message).toContain(role);
  });

  test('when only `role` is given, then roles is [role]', async () => {
    const res = await create(newcomer({ roles: undefined, role: 'vet_technician' }));
    expect(res.body.user).toMatchObject({ role: 'vet_technician', roles: ['vet_technician'] });
  });

  test.each([
    ['is weak', 'password1'],
    ['is over 72 bytes', 'Aa1' + 'é'.repeat(35)],
  ])('when the password %s, then 400 VALIDATION_ERROR on password and nothing is created', async (_why, password) => {
    const res = await create(newcomer({ password }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain('password');
    expect(JSON.stringify(res.body)).not.toContain(password);
    expect(await User.countDocuments({ companyId: co.companyId })).toBe(6);
  });

  test('when the password is exactly 72 bytes, then it is accepted', async () => {
    expect((await create(newcomer({ password: 'Aa1' + 'x'.repeat(69) }))).status).toBe(201);
  });

  test('when the email already exists in the company (any case), then 409 DUPLICATE_EMAIL; in another company it is allowed', async () => {
    const dup = await create(newcomer({ email: co.users.groomer.email.toUpperCase() }));
    expect(dup.status).toBe(409);
    expect(dup.body.error).toEqual({ code: 'DUPLICATE_EMAIL', message: 'User with this email already exists in company' });
    const other = await createCompany();
    auth = bearer(accessTokenFor(config, (await createStaff(other.companyId, 'manager')).userId));
    expect((await create(newcomer({ email: co.users.groomer.email }))).status).toBe(201);
  });

  test.each([[{ passwordHash: 'x' }], [{ isActive: false }], [{ _id: newObjectId() }], [{ capacity: 3 }]])(
    'when the body carries a field the endpoint does not accept (%j), then 400 VALIDATION_ERROR and nothing is created',
    async (extra) => {
      const res = await create(newcomer(extra));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(await User.countDocuments({ companyId: co.companyId })).toBe(6);
    },
  );

  test('when the body names another company, then 403 FORBIDDEN and nothing is created anywhere', async () => {
    const other = await createCompany();
    const res = await create(newcomer({ companyId: String(other.companyId) }));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(await User.countDocuments({ companyId: co.companyId })).toBe(6);
    expect(await User.countDocuments({ companyId: other.companyId })).toBe(0);
  });
});

describe('PUT /catalog/staff/:id', () => {
  test('when a manager updates fields and roles, then 200 {user:{_id,…}} with role = roles[0] and serviceProvider recomputed', async () => {
    const res = await update(co.users.receptionist.userId, {
      fullName: ' Renamed ',
      email: ' Renamed@Example.COM',
      roles: ['trainer', 'receptionist'],
      phone: '123',
      color: '#abc',
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      _id: String(co.users.receptionist.userId),
      fullName: 'Renamed',
      email: 'renamed@example.com',
      role: 'trainer',
      roles: ['trainer', 'receptionist'],
      serviceProvider: true,
      phone: '123',
      color: '#abc',
      isActive: true,
    });
    expect(res.body.user).not.toHaveProperty('id');
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect((await update(co.users.receptionist.userId, { role: 'receptionist' })).body.user).toMatchObject({
      role: 'receptionist',
      roles: ['receptionist'],
      serviceProvider: false,
    });
  });

  test('when primaryLocationId is set and later null, then it is added to locationIds and then cleared', async () => {
    const id = co.users.groomer.userId;
    const set = await update(id, { primaryLocationId: String(co.locationId) });
    expect(set.body.user).toMatchObject({ primaryLocationId: String(co.locationId), locationIds: [String(co.locationId)] });
    const cleared = await update(id, { primaryLocationId: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.user.primaryLocationId).toBeUndefined();
    expect((await userInDb(id))!.primaryLocationId).toBeUndefined();
  });

  test('when roles is empty or invalid, then 400 INVALID_ROLE and the user keeps its roles', async () => {
    for (const roles of [[], ['boss']]) {
      const res = await update(co.users.groomer.userId, { roles });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_ROLE');
    }
    expect((await userInDb(co.users.groomer.userId))!.roles).toEqual(['groomer']);
  });

  test('when another user takes an existing email of the company, then 409 DUPLICATE_EMAIL', async () => {
    const res = await update(co.users.groomer.userId, { email: co.users.trainer.email });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DUPLICATE_EMAIL');
  });

  test('when the password is changed, then a weak one is refused, a strong one works for login and old sessions end', async () => {
    const { userId, email } = co.users.groomer;
    expect((await login(email, DEFAULT_PASSWORD)).status).toBe(200);
    expect(await openSessions(userId)).toBe(1);
    const weak = await update(userId, { password: 'short' });
    expect([weak.status, weak.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect((await update(userId, { password: 'N3wPassword' })).status).toBe(200);
    expect(await openSessions(userId)).toBe(0);
    expect((await login(email, DEFAULT_PASSWORD)).status).toBe(401);
    expect((await login(email, 'N3wPassword')).status).toBe(200);
  });

  test('when the password is changed, then an access token issued before the change is refused with 401 and one from a new login works', async () => {
    const { userId, email } = co.users.groomer;
    // Issued a minute ago: the check allows one second of clock granularity around the change.
    const before = jwt.sign({ userId: String(userId), iat: Math.floor(Date.now() / 1000) - 60 }, config.jwt.accessSecret, {
      algorithm: 'HS256',
      expiresIn: 600,
    });
    expect((await request(app).get('/api/v1/locations').set(bearer(before))).status).toBe(200);
    expect((await update(userId, { password: 'N3wPassword' })).status).toBe(200);

    const refused = await request(app).get('/api/v1/locations').set(bearer(before));
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('INVALID_TOKEN');
    const fresh = await login(email, 'N3wPassword');
    expect(
      (
        await request(app)
          .get('/api/v1/locations')
          .set(bearer(fresh.body.accessToken as string))
      ).status,
    ).toBe(200);
  });

  test('when a user is deactivated, then their token stops working with 401 User not found or inactive', async () => {
    const res = await update(co.users.groomer.userId, { isActive: false });
    expect([res.status, res.body.user.isActive]).toEqual([200, false]);
    const after = await request(app).get('/api/v1/locations').set(bearer(co.users.groomer.token));
    expect(after.status).toBe(401);
    expect(after.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'User not found or inactive' });
  });

  test.each([[{ roles: ['groomer'] }], [{ role: 'groomer' }], [{ isActive: false }]])(
    'when the only active manager would stop being one (%j), then 409 LAST_MANAGER and nothing changes',
    async (body) => {
      await createStaff(co.companyId, 'manager', { isActive: false });
      const res = await update(co.users.manager.userId, body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('LAST_MANAGER');
      expect(await userInDb(co.users.manager.userId)).toMatchObject({ role: 'manager', roles: ['manager'], isActive: true });
    },
  );

  test('when another active manager exists (a multi-role one), then a manager can drop their manager role', async () => {
    await createStaff(co.companyId, 'groomer', { roles: ['groomer', 'manager'] });
    const res = await update(co.users.manager.userId, { roles: ['receptionist'] });
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['receptionist']);
  });

  test.each([
    ['a passwordHash', () => ({ passwordHash: 'x' })],
    ['an _id', () => ({ _id: newObjectId() })],
    ['its own companyId', () => ({ companyId: String(co.companyId) })],
  ])('when the body carries %s, then 400 VALIDATION_ERROR', async (_what, body) => {
    const res = await update(co.users.groomer.userId, body());
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  });

  test('when the id is not an ObjectId, then 400 VALIDATION_ERROR; when it is unknown, then 404 Staff not found', async () => {
    const bad = await update('not-an-id', { fullName: 'X' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const missing = await update(newObjectId(), { fullName: 'X' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'Staff not found' });
  });
});

describe('DELETE /catalog/staff/:id', () => {
  test('when a manager deletes a staff member, then the user, their schedules and sessions are gone and their token is refused', async () => {
    const { userId, email, token } = co.users.groomer;
    await StaffSchedule.create({
      companyId: co.companyId,
      userId,
      locationId: co.locationId,
      weekday: 2,
      startTime: '09:00',
      endTime: '12:00',
    });
    expect((await login(email, DEFAULT_PASSWORD)).status).toBe(200);
    const res = await remove(userId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Staff deleted' });
    expect(await userInDb(userId)).toBeNull();
    expect(await StaffSchedule.countDocuments({ companyId: co.companyId, userId })).toBe(0);
    expect(await openSessions(userId)).toBe(0);
    expect((await request(app).get('/api/v1/locations').set(bearer(token))).status).toBe(401);
  });

  test('when the only active manager is deleted, then 409 LAST_MANAGER and they remain', async () => {
    const res = await remove(co.users.manager.userId);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAST_MANAGER');
    expect(await userInDb(co.users.manager.userId)).not.toBeNull();
  });

  test('when another active manager exists, then a manager can be deleted', async () => {
    await createStaff(co.companyId, 'manager');
    expect((await remove(co.users.manager.userId)).status).toBe(200);
    expect(await userInDb(co.users.manager.userId)).toBeNull();
  });

  test('when the id is not an ObjectId, then 400 VALIDATION_ERROR; when it is unknown, then 404 and no one is deleted', async () => {
    expect((await remove('123')).body.error.code).toBe('VALIDATION_ERROR');
    const missing = await remove(newObjectId());
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'Staff not found' });
    expect(await User.countDocuments({ companyId: co.companyId })).toBe(6);
  });
});
