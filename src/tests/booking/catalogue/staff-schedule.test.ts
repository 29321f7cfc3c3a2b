/** GET/PUT /catalog/staff/:id/schedule (S1, S2) as the dashboard's StaffScheduleModal uses them, with B-1, A-13 and R-7 fixed. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { StaffSchedule } from '../../../models/StaffSchedule';
import { User } from '../../../models/User';
import { newObjectId } from '../../factories/accounts';
import { type CatalogueWorld, catalogueWorld, createLocation, createSchedule } from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const path = (id: unknown) => `/api/v1/catalog/staff/${String(id)}/schedule`;

let w: CatalogueWorld;
beforeEach(async () => {
  w = await catalogueWorld(config);
});

const groomerId = () => w.home.users.groomer.userId;
const stored = (locationId?: unknown) =>
  StaffSchedule.find({ companyId: w.home.companyId, userId: groomerId(), ...(locationId ? { locationId } : {}) })
    .sort({ weekday: 1 })
    .lean();
const put = (body: unknown, auth = w.as.manager, id: unknown = groomerId()) =>
  request(app)
    .put(path(id))
    .set(auth)
    .send(body as object);
const monday = { weekday: 1, startTime: '09:00', endTime: '17:00', breakWindows: [{ start: '12:00', end: '12:30' }] };

describe('GET /catalog/staff/:id/schedule', () => {
  test('when read without locationId, then every location comes sorted by weekday with its locationId, the own location last on a shared day', async () => {
    const branch = await createLocation(w.home.companyId);
    await User.updateOne({ _id: groomerId(), companyId: w.home.companyId }, { $set: { primaryLocationId: w.home.locationId } });
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday, { weekday: 3, startTime: '8:00', endTime: '12:00' }]);
    await createSchedule(w.home.companyId, groomerId(), branch._id, [{ weekday: 1, startTime: '13:00', endTime: '18:00' }]);

    const res = await request(app).get(path(groomerId())).set(w.as.manager);

    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { weekday: number; locationId: string }) => [i.weekday, i.locationId])).toEqual([
      [1, String(branch._id)],
      [1, String(w.home.locationId)],
      [3, String(w.home.locationId)],
    ]);
    expect(res.body.items[1]).toEqual({
      _id: expect.any(String),
      locationId: String(w.home.locationId),
      weekday: 1,
      startTime: '09:00',
      endTime: '17:00',
      breakWindows: [{ start: '12:00', end: '12:30' }],
    });
  });

  test('when read with a locationId, then only that location comes', async () => {
    const branch = await createLocation(w.home.companyId);
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday]);
    await createSchedule(w.home.companyId, groomerId(), branch._id, [{ weekday: 2, startTime: '13:00', endTime: '18:00' }]);
    const res = await request(app)
      .get(path(groomerId()))
      .query({ locationId: String(branch._id) })
      .set(w.as.manager);
    expect(res.body.items).toEqual([expect.objectContaining({ weekday: 2, locationId: String(branch._id) })]);
  });

  test("when the staff member is unknown, another company's or the id is malformed, then 404 or 400, never a 500", async () => {
    for (const id of [newObjectId(), w.other.users.groomer.userId]) {
      const res = await request(app).get(path(id)).set(w.as.manager);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Staff not found' } });
    }
    const bad = await request(app).get(path('not-an-id')).set(w.as.manager);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when a receptionist or groomer reads a schedule, then 403; without a token, 401', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) expect((await request(app).get(path(groomerId())).set(auth)).status).toBe(403);
    expect((await request(app).get(path(groomerId()))).status).toBe(401);
  });
});

describe('PUT /catalog/staff/:id/schedule', () => {
  test('when the dashboard saves {schedule} without locationId (B-1), then 200 {ok:true} and it is stored at the primary location', async () => {
    const branch = await createLocation(w.home.companyId);
    await User.updateOne({ _id: groomerId(), companyId: w.home.companyId }, { $set: { primaryLocationId: branch._id } });

    const res = await put({ schedule: [monday, { weekday: 2, startTime: '10:00', endTime: '14:00', breakWindows: [] }] });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    const rows = await stored();
    expect(rows.map((r) => [r.weekday, String(r.locationId), r.startTime, r.endTime])).toEqual([
      [1, String(branch._id), '09:00', '17:00'],
      [2, String(branch._id), '10:00', '14:00'],
    ]);
    expect(rows[0]!.breakWindows.map((b) => ({ start: b.start, end: b.end }))).toEqual([{ start: '12:00', end: '12:30' }]);
    const read = await request(app).get(path(groomerId())).set(w.as.manager);
    expect(read.body.items.map((i: { weekday: number }) => i.weekday)).toEqual([1, 2]);
  });

  test('when the staff member has no primary location, then the first assigned one is used, else the main location', async () => {
    const branch = await createLocation(w.home.companyId);
    await User.updateOne({ _id: groomerId(), companyId: w.home.companyId }, { $set: { locationIds: [branch._id] } });
    expect((await put({ schedule: [monday] })).status).toBe(200);
    expect((await stored()).map((r) => String(r.locationId))).toEqual([String(branch._id)]);

    const receptionist = w.home.users.receptionist.userId;
    expect((await put({ schedule: [monday] }, w.as.manager, receptionist)).status).toBe(200);
    const rows = await StaffSchedule.find({ companyId: w.home.companyId, userId: receptionist }).lean();
    expect(rows.map((r) => String(r.locationId))).toEqual([String(w.home.locationId)]);
  });

  test('when times are written as H:mm (A-13), then 9:00-17:00 with a 12:00 break is valid', async () => {
    const res = await put({
      schedule: [{ weekday: 4, startTime: '9:00', endTime: '17:00', breakWindows: [{ start: '9:30', end: '10:00' }] }],
    });
    expect(res.status).toBe(200);
    expect((await stored()).map((r) => [r.startTime, r.endTime])).toEqual([['9:00', '17:00']]);
  });

  test('when a location is named, then only its entries are replaced; an empty schedule clears it; extra keys are not stored', async () => {
    const branch = await createLocation(w.home.companyId);
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday]);
    await createSchedule(w.home.companyId, groomerId(), branch._id, [{ weekday: 5, startTime: '08:00', endTime: '12:00' }]);

    const res = await put({ locationId: String(branch._id), schedule: [{ ...monday, weekday: 6, _id: newObjectId(), enabled: true }] });
    expect(res.status).toBe(200);
    expect((await stored(branch._id)).map((r) => r.weekday)).toEqual([6]);
    expect((await stored(w.home.locationId)).map((r) => r.weekday)).toEqual([1]);
    expect(await StaffSchedule.collection.findOne({ weekday: 6 })).not.toHaveProperty('enabled');

    expect((await put({ locationId: String(branch._id), schedule: [] })).status).toBe(200);
    expect(await stored(branch._id)).toHaveLength(0);
    expect(await stored(w.home.locationId)).toHaveLength(1);
  });

  test("when the location is another company's or malformed, then 400 INVALID_LOCATION and nothing changes", async () => {
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday]);
    for (const locationId of [String(w.other.locationId), 'nope']) {
      const res = await put({ locationId, schedule: [] });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'INVALID_LOCATION', message: 'Invalid locationId for this company' });
    }
    expect(await stored()).toHaveLength(1);
  });

  const day = (extra: Record<string, unknown>) => ({ weekday: 1, startTime: '09:00', endTime: '17:00', ...extra });
  test.each([
    ['INVALID_BODY', { schedule: 'mon' }],
    ['INVALID_BODY', {}],
    ['INVALID_WEEKDAY', { schedule: [day({ weekday: 7 })] }],
    ['INVALID_WEEKDAY', { schedule: [day({ weekday: '1' })] }],
    ['INVALID_WEEKDAY', { schedule: [day({ weekday: 1.5 })] }],
    ['DUPLICATE_WEEKDAY', { schedule: [day({}), day({ startTime: '10:00' })] }],
    ['INVALID_TIME', { schedule: [day({ startTime: '24:00' })] }],
    ['INVALID_TIME', { schedule: [day({ endTime: undefined })] }],
    ['INVALID_RANGE', { schedule: [day({ startTime: '17:00', endTime: '9:00' })] }],
    ['INVALID_RANGE', { schedule: [day({ endTime: '09:00' })] }],
    ['INVALID_BREAKS', { schedule: [day({ breakWindows: '12:00-13:00' })] }],
    ['INVALID_BREAK_TIME', { schedule: [day({ breakWindows: [{ start: '12:00' }] })] }],
    ['INVALID_BREAK_RANGE', { schedule: [day({ breakWindows: [{ start: '13:00', end: '12:00' }] })] }],
    ['BREAK_OUT_OF_RANGE', { schedule: [day({ breakWindows: [{ start: '8:30', end: '9:30' }] })] }],
    ['BREAK_OUT_OF_RANGE', { schedule: [day({ breakWindows: [{ start: '16:30', end: '17:30' }] })] }],
    [
      'OVERLAPPING_BREAKS',
      {
        schedule: [
          day({
            breakWindows: [
              { start: '14:00', end: '15:00' },
              { start: '12:00', end: '14:30' },
            ],
          }),
        ],
      },
    ],
  ])('when the body has %s, then 400 with that code and the old schedule stays', async (code, body) => {
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday]);
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await stored()).toHaveLength(1);
  });

  test('when breaks touch but do not overlap, then they are accepted', async () => {
    const breaks = [
      { start: '12:00', end: '12:30' },
      { start: '12:30', end: '13:00' },
    ];
    expect((await put({ schedule: [{ ...monday, breakWindows: breaks }] })).status).toBe(200);
  });

  test("when the staff member is another company's or unknown, then 404; a groomer or receptionist gets 403", async () => {
    for (const id of [w.other.users.groomer.userId, newObjectId()])
      expect((await put({ schedule: [monday] }, w.as.manager, id)).status).toBe(404);
    expect(await StaffSchedule.countDocuments({ companyId: w.other.companyId })).toBe(0);
    for (const auth of [w.as.groomer, w.as.receptionist]) expect((await put({ schedule: [monday] }, auth)).status).toBe(403);
  });

  test('when the insert fails after the old entries were deleted (R-7), then the transaction rolls back and the old schedule survives', async () => {
    await createSchedule(w.home.companyId, groomerId(), w.home.locationId, [monday, { weekday: 2, startTime: '10:00', endTime: '18:00' }]);
    // A constraint the service does not know about makes the database refuse the second new entry, after the delete ran.
    await StaffSchedule.collection.createIndex({ userId: 1, startTime: 1 }, { unique: true, name: 'test_fault_injection' });
    try {
      const res = await put({
        schedule: [
          { weekday: 3, startTime: '07:00', endTime: '11:00' },
          { weekday: 4, startTime: '07:00', endTime: '12:00' },
        ],
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DUPLICATE_SCHEDULE');
    } finally {
      await StaffSchedule.collection.dropIndex('test_fault_injection');
    }
    expect((await stored()).map((r) => [r.weekday, r.startTime])).toEqual([
      [1, '09:00'],
      [2, '10:00'],
    ]);
  });
});
