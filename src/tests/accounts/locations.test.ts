/** /api/v1/locations: listing, reading and managing a company's branches (contract §3.7, with our fixes). */
import { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import { Location } from '../../models/Location';
import { Resource } from '../../models/Resource';
import { StaffSchedule } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import { bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const LOCATIONS = '/api/v1/locations';

let co: Awaited<ReturnType<typeof companyWithStaff>>;
let auth: { Authorization: string };

beforeEach(async () => {
  co = await companyWithStaff(config);
  auth = bearer(co.users.manager.token);
});

const create = (body: Record<string, unknown>) => request(app).post(LOCATIONS).set(auth).send(body);
const update = (id: unknown, body: Record<string, unknown>) =>
  request(app)
    .put(`${LOCATIONS}/${String(id)}`)
    .set(auth)
    .send(body);
const remove = (id: unknown) =>
  request(app)
    .delete(`${LOCATIONS}/${String(id)}`)
    .set(auth);
const addLocation = (label: string, isMain = false) =>
  Location.create({ companyId: co.companyId, label, address: `${label} Road`, isMain });
const mains = async () => (await Location.find({ companyId: co.companyId, isMain: true }).lean()).map((l) => [String(l._id), l.label]);

describe('GET /locations', () => {
  test('when any staff member lists locations, then the main one comes first and the rest by label', async () => {
    await addLocation('Zeta');
    await addLocation('Alpha');
    const res = await request(app).get(LOCATIONS).set(bearer(co.users.trainer.token));
    expect(res.status).toBe(200);
    expect(res.body.items.map((l: { label: string }) => l.label)).toEqual(['Main', 'Alpha', 'Zeta']);
    expect(res.body.items[0]).toMatchObject({
      _id: String(co.locationId),
      companyId: String(co.companyId),
      address: '1 Main Street',
      isMain: true,
      workHours: [],
      holidays: [],
    });
  });
});

describe('GET /locations/:id', () => {
  test('when a staff member reads a location of their company, then 200 {location}', async () => {
    const res = await request(app)
      .get(`${LOCATIONS}/${String(co.locationId)}`)
      .set(bearer(co.users.groomer.token));
    expect(res.status).toBe(200);
    expect(res.body.location).toMatchObject({ _id: String(co.locationId), label: 'Main', isMain: true });
  });

  test('when the id is not an ObjectId, then 400 VALIDATION_ERROR; when it is unknown, then 404 Location not found', async () => {
    const bad = await request(app).get(`${LOCATIONS}/xyz`).set(auth);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const missing = await request(app).get(`${LOCATIONS}/${newObjectId()}`).set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'Location not found' });
  });
});

describe('POST /locations', () => {
  test('when a manager creates a location, then 201 {location} with trimmed fields, not main, stored in the company', async () => {
    const res = await create({
      label: '  Uptown ',
      address: ' 5 High St ',
      googleLocationUrl: 'https://maps.example/x',
      phone: ' +995 555 ',
      timezone: 'Asia/Tbilisi',
      workHours: [{ weekday: 2, startTime: '08:00', endTime: '18:30' }],
      holidays: ['2030-01-01'],
    });
    expect(res.status).toBe(201);
    expect(res.body.location).toMatchObject({
      _id: expect.any(String),
      companyId: String(co.companyId),
      label: 'Uptown',
      address: '5 High St',
      googleLocationUrl: 'https://maps.example/x',
      phone: '+995 555',
      timezone: 'Asia/Tbilisi',
      isMain: false,
      workHours: [{ weekday: 2, startTime: '08:00', endTime: '18:30' }],
    });
    expect(new Date(res.body.location.holidays[0]).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(await Location.countDocuments({ companyId: co.companyId })).toBe(2);
    expect(await mains()).toEqual([[String(co.locationId), 'Main']]);
  });

  test('when a company has no location yet, then its first location becomes main without asking', async () => {
    await Location.deleteMany({ companyId: co.companyId });
    const res = await create({ label: 'First', address: '1 First St' });
    expect(res.status).toBe(201);
    expect(res.body.location.isMain).toBe(true);
  });

  test('when a new location is created as main, then it is the only main location', async () => {
    const res = await create({ label: 'New HQ', address: '9 Main Ave', isMain: true });
    expect(res.status).toBe(201);
    expect(await mains()).toEqual([[res.body.location._id, 'New HQ']]);
  });

  test.each([[{ address: '1 St' }], [{ label: 'L' }], [{ label: '   ', address: '1 St' }], [{ label: 'L', address: 42 }]])(
    'when label or address is missing or blank (%j), then 400 MISSING_FIELDS',
    async (body) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'MISSING_FIELDS', message: 'label and address are required' });
    },
  );

  test.each([
    ['a label over 100 characters', { label: 'x'.repeat(101) }],
    ['an impossible time', { workHours: [{ weekday: 1, startTime: '25:00', endTime: '26:00' }] }],
    ['a weekday outside 0-6', { workHours: [{ weekday: 7, startTime: '09:00', endTime: '10:00' }] }],
    ['an unknown field', { resources: [] }],
    ['its own _id', { _id: newObjectId() }],
  ])('when the body has %s, then 400 VALIDATION_ERROR and nothing is created', async (_what, extra) => {
    const res = await create({ label: 'L', address: '1 St', ...extra });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(await Location.countDocuments({ companyId: co.companyId })).toBe(1);
  });
});

describe('PUT /locations/:id', () => {
  test('when a manager updates a location, then 200 {location} with the new trimmed values', async () => {
    const res = await update(co.locationId, {
      label: ' Central ',
      address: '2 New St',
      workHours: [{ weekday: 0, startTime: '10:00', endTime: '12:00' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.location).toMatchObject({
      _id: String(co.locationId),
      label: 'Central',
      address: '2 New St',
      isMain: true,
      workHours: [{ weekday: 0, startTime: '10:00', endTime: '12:00' }],
    });
    expect(await Location.findOne({ _id: co.locationId, companyId: co.companyId }).lean()).toMatchObject({ label: 'Central' });
  });

  test('when another location is made main, then the previous main is no longer main', async () => {
    const second = await addLocation('Second');
    const res = await update(second._id, { isMain: true });
    expect([res.status, res.body.location.isMain]).toEqual([200, true]);
    expect(await mains()).toEqual([[String(second._id), 'Second']]);
  });

  test('when the main location is set to not main, then 409 MAIN_LOCATION_REQUIRED and it stays main', async () => {
    await addLocation('Second');
    const res = await update(co.locationId, { isMain: false });
    expect([res.status, res.body.error.code]).toEqual([409, 'MAIN_LOCATION_REQUIRED']);
    expect(await mains()).toEqual([[String(co.locationId), 'Main']]);
  });

  test('when a field is invalid or unknown, then 400 VALIDATION_ERROR and the location is unchanged', async () => {
    for (const body of [{ label: '' }, { address: 'x'.repeat(301) }, { companyId: String(co.companyId), label: 'X' }, { foo: 1 }]) {
      const res = await update(co.locationId, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
    expect(await Location.findOne({ _id: co.locationId, companyId: co.companyId }).lean()).toMatchObject({ label: 'Main' });
  });

  test('when the id is not an ObjectId, then 400 VALIDATION_ERROR; when it is unknown, then 404 Location not found', async () => {
    const bad = await update('1234', { label: 'X' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const missing = await update(newObjectId(), { label: 'X' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'Location not found' });
  });
});

describe('DELETE /locations/:id', () => {
  test('when the company has only this location, then 409 LAST_LOCATION and it remains', async () => {
    const res = await remove(co.locationId);
    expect([res.status, res.body.error.code]).toEqual([409, 'LAST_LOCATION']);
    expect(await Location.countDocuments({ companyId: co.companyId })).toBe(1);
  });

  test('when a location is deleted, then staff lose it (ids and primary) and its schedules and resources go, others stay', async () => {
    const branch = await addLocation('Branch');
    const { userId } = co.users.groomer;
    await User.updateOne(
      { _id: userId, companyId: co.companyId },
      { $set: { locationIds: [co.locationId, branch._id], primaryLocationId: branch._id } },
    );
    const schedule = (locationId: Types.ObjectId) => ({
      companyId: co.companyId,
      userId,
      locationId,
      weekday: 1,
      startTime: '09:00',
      endTime: '17:00',
    });
    await StaffSchedule.create([schedule(co.locationId), schedule(branch._id)]);
    const resource = (locationId: Types.ObjectId) => ({
      companyId: co.companyId,
      locationId,
      resourceTypeId: new Types.ObjectId(),
      species: ['dog'],
      label: 'Tub',
    });
    await Resource.create([resource(co.locationId), resource(branch._id)]);

    const res = await remove(branch._id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Location deleted' });
    expect(await Location.exists({ _id: branch._id, companyId: co.companyId })).toBeNull();
    const user = await User.findOne({ _id: userId, companyId: co.companyId }).lean();
    expect(user!.locationIds.map(String)).toEqual([String(co.locationId)]);
    expect(user!.primaryLocationId).toBeUndefined();
    const at = (docs: { locationId: Types.ObjectId }[]) => docs.map((d) => String(d.locationId));
    expect(at(await StaffSchedule.find({ companyId: co.companyId }).lean())).toEqual([String(co.locationId)]);
    expect(at(await Resource.find({ companyId: co.companyId }).lean())).toEqual([String(co.locationId)]);
  });

  test('when the main location is deleted, then exactly one other location becomes main', async () => {
    await addLocation('Beta');
    await addLocation('Alpha');
    expect((await remove(co.locationId)).status).toBe(200);
    const list = await request(app).get(LOCATIONS).set(auth);
    expect(list.body.items.map((l: { label: string; isMain: boolean }) => [l.label, l.isMain])).toEqual([
      ['Alpha', true],
      ['Beta', false],
    ]);
  });

  test('when the id is not an ObjectId, then 400 VALIDATION_ERROR; when it is unknown, then 404 and nothing is deleted', async () => {
    await addLocation('Second');
    expect((await remove('nope')).body.error.code).toBe('VALIDATION_ERROR');
    const missing = await remove(newObjectId());
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'Location not found' });
    expect(await Location.countDocuments({ companyId: co.companyId })).toBe(2);
  });
});
