/**
 * POST /api/v1/setup/company/:companyId/reset-all (resources first, B30; one transaction) and the
 * guards of all three resets: own company only (403 E3), manager only, one reset of a company at a time.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { ResourceType } from '../../models/ResourceType';
import { ServiceItem } from '../../models/ServiceItem';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import {
  appointment,
  catalogue,
  GROOMING_RESOURCES,
  GROOMING_SERVICES,
  ids,
  names,
  provisionedCompany,
  reserveResource,
  resetAs,
  SETUP,
  type Reset,
  type SetupCompany,
} from './support';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const reset = (co: SetupCompany, which: Reset, query = '', id = co.id) => resetAs(app, co, which, query, id);

let co: SetupCompany;
beforeEach(async () => {
  co = await provisionedCompany(config);
});

describe('reset-all', () => {
  test('when a manager resets everything, then both halves are the seed and every required resource type exists (B30)', async () => {
    const tub = (await ResourceType.findOne({ companyId: co.companyId, name: 'Grooming Tub' }).lean())!;
    await ServiceItem.updateMany(
      { companyId: co.companyId },
      { $set: { requiredResources: [{ resourceTypeId: tub._id, quantity: 1, durationMinutes: 15 }] } },
    );
    const res = await reset(co, 'reset-all');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { resourceTypes: 3, resources: 4, serviceCategories: 6, serviceItems: 15 },
      message: 'Company configuration reset to defaults successfully',
    });
    const after = await catalogue(co.companyId);
    expect(names(after.services)).toEqual(GROOMING_SERVICES);
    expect(names(after.resources)).toEqual(GROOMING_RESOURCES);
    const live = new Set(ids(after.resourceTypes));
    for (const item of after.items) for (const r of item.requiredResources) expect(live.has(String(r.resourceTypeId))).toBe(true);
    for (const r of after.resources) expect(live.has(String(r.resourceTypeId))).toBe(true);
  });

  test('when a step fails after resources and services were replaced, then 500 E3 RESET_FAILED and both halves are as they were', async () => {
    const before = await catalogue(co.companyId);
    const insert = jest.spyOn(ServiceItem, 'insertMany').mockRejectedValueOnce(new Error('disk full'));
    try {
      const res = await reset(co, 'reset-all');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ success: false, error: { code: 'RESET_FAILED', message: 'Failed to reset company configuration' } });
    } finally {
      insert.mockRestore();
    }
    expect(await catalogue(co.companyId)).toEqual(before);
  });

  test('when upcoming appointments use services and hold resources, then 409 counts each appointment once', async () => {
    const appt = await appointment(co, 24);
    await reserveResource(co, appt);
    const res = await reset(co, 'reset-all');
    expect(res.status).toBe(409);
    expect(res.body.error.appointments).toBe(1);
  });
});

describe.each(['reset-services', 'reset-resources', 'reset-all'] as Reset[])('%s guards', (which) => {
  test("when a manager names another company, then 403 E3 UNAUTHORIZED and that company's catalogue is untouched", async () => {
    const other = await provisionedCompany(config);
    const before = await catalogue(other.companyId);
    const res = await reset(co, which, '', other.id);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'UNAUTHORIZED', message: 'You can only modify your own company configuration' },
    });
    expect(await catalogue(other.companyId)).toEqual(before);
  });

  test('when a receptionist or nobody asks, then 403 / 401 E1 and nothing changes', async () => {
    const before = await catalogue(co.companyId);
    const asReceptionist = await request(app).post(`${SETUP}/company/${co.id}/${which}`).set(co.receptionist);
    expect(asReceptionist.status).toBe(403);
    expect(asReceptionist.body.error.code).toBe('FORBIDDEN');
    const anonymous = await request(app).post(`${SETUP}/company/${co.id}/${which}`);
    expect(anonymous.status).toBe(401);
    expect(await catalogue(co.companyId)).toEqual(before);
  });

  test('when another company is named in the body, then 403 and nothing changes', async () => {
    const before = await catalogue(co.companyId);
    const res = await request(app)
      .post(`${SETUP}/company/${co.id}/${which}`)
      .set(co.manager)
      .send({ companyId: (await provisionedCompany(config)).id });
    expect(res.status).toBe(403);
    expect(await catalogue(co.companyId)).toEqual(before);
  });

  test('when the company id is malformed, then 400 VALIDATION_ERROR', async () => {
    const res = await reset(co, which, '', 'zzz');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when two resets of one company run at once, then the catalogue is one seed, not two', async () => {
    const [a, b] = await Promise.all([reset(co, which), reset(co, which)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const after = await catalogue(co.companyId);
    expect(names(after.services)).toEqual(GROOMING_SERVICES);
    expect(names(after.resources)).toEqual(GROOMING_RESOURCES);
    expect(await Company.countDocuments({ _id: co.companyId })).toBe(1);
  });
});
