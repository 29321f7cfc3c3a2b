/** /company/:companyId/working-hours (W1, W2): the legacy `{message}` envelope, validation instead of 500s, S-4 and S-5. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { Company } from '../../../models/Company';
import { newObjectId } from '../../factories/accounts';
import { type CatalogueWorld, catalogueWorld } from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let w: CatalogueWorld;
beforeEach(async () => {
  w = await catalogueWorld(config);
});

const url = (cid: unknown = w.home.companyId) => `/api/v1/company/${String(cid)}/working-hours`;
const hoursOf = async (companyId: unknown) =>
  ((await Company.findById(companyId).lean())?.settings?.workHours ?? []).map((h) => [h.weekday, h.startTime, h.endTime]);
const put = (body: unknown, auth = w.as.manager, cid?: unknown) =>
  request(app)
    .put(url(cid))
    .set(auth)
    .send(body as object);

describe('GET /company/:companyId/working-hours (W1)', () => {
  test('when any desk role reads, then {workHours} with _ids', async () => {
    for (const auth of [w.as.manager, w.as.receptionist, w.as.groomer]) {
      const res = await request(app).get(url()).set(auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ workHours: [{ _id: expect.any(String), weekday: 1, startTime: '09:00', endTime: '17:00' }] });
    }
  });

  test("when the path names another company (S-4), then 403 and nothing of theirs is shown; `undefined` is the caller's", async () => {
    await Company.updateOne(
      { _id: w.other.companyId },
      { $set: { 'settings.workHours': [{ weekday: 0, startTime: '06:00', endTime: '07:00' }] } },
    );
    const res = await request(app).get(url(w.other.companyId)).set(w.as.manager);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('06:00');
    expect((await request(app).get(url('undefined')).set(w.as.manager)).body.workHours).toHaveLength(1);
  });
});

describe('PUT /company/:companyId/working-hours (W2)', () => {
  test('when the dashboard saves what it loaded (with _ids and H:mm times), then 200 {workHours, message}, new _ids, in given order', async () => {
    const oldId = newObjectId();
    const res = await put({
      workHours: [
        { _id: oldId, weekday: 2, startTime: '9:00', endTime: '17:00' },
        { weekday: 6, startTime: '10:00', endTime: '14:00', extra: 'dropped' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workHours: [
        { _id: expect.any(String), weekday: 2, startTime: '9:00', endTime: '17:00' },
        { _id: expect.any(String), weekday: 6, startTime: '10:00', endTime: '14:00' },
      ],
      message: 'Working hours updated successfully',
    });
    expect(res.body.workHours[0]._id).not.toBe(oldId);
    expect(await hoursOf(w.home.companyId)).toEqual([
      [2, '9:00', '17:00'],
      [6, '10:00', '14:00'],
    ]);
  });

  test('when an empty list is saved, then the hours are cleared', async () => {
    expect((await put({ workHours: [] })).status).toBe(200);
    expect(await hoursOf(w.home.companyId)).toEqual([]);
  });

  test.each([
    ['missing array', {}, 'Working hours array is required'],
    ['non-array', { workHours: 'mon-fri' }, 'Working hours array is required'],
    ['weekday 7', { workHours: [{ weekday: 7, startTime: '09:00', endTime: '17:00' }] }, 'workHours[0].weekday'],
    ['string weekday', { workHours: [{ weekday: '1', startTime: '09:00', endTime: '17:00' }] }, 'workHours[0].weekday'],
    ['bad time', { workHours: [{ weekday: 1, startTime: '9am', endTime: '17:00' }] }, 'times like 09:00'],
    ['end before start', { workHours: [{ weekday: 1, startTime: '17:00', endTime: '9:00' }] }, 'endTime must be after startTime'],
    [
      'duplicate weekday',
      {
        workHours: [
          { weekday: 1, startTime: '09:00', endTime: '12:00' },
          { weekday: 1, startTime: '13:00', endTime: '17:00' },
        ],
      },
      'weekday 1 appears more than once',
    ],
  ])('when the body has a %s, then 400 {message} (not a 500) and the hours stay', async (_what, body, message) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['message']);
    expect(res.body.message).toContain(message);
    expect(await hoursOf(w.home.companyId)).toEqual([[1, '09:00', '17:00']]);
  });

  test('when a receptionist or groomer saves (S-5), then 403 and the hours stay', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await put({ workHours: [] }, auth)).status).toBe(403);
    }
    expect(await hoursOf(w.home.companyId)).toEqual([[1, '09:00', '17:00']]);
  });

  test("when the path names another company (S-4), then 403 and that company's hours are untouched", async () => {
    const res = await put({ workHours: [] }, w.as.manager, w.other.companyId);
    expect(res.status).toBe(403);
    expect(await hoursOf(w.other.companyId)).toEqual([[1, '09:00', '17:00']]);
  });
});
