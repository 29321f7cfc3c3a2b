/** /api/v1/setup: the defaults, the onboarding guide and a company's configuration (contract §3.6.2, with B35 fixed). */
import request from 'supertest';
import { buildApp } from '../../app';
import { botPromptFor } from '../../config/botPrompts';
import { Company } from '../../models/Company';
import { newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { catalogue, names, provisionedCompany, SETUP, type SetupCompany } from './support';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

describe('GET /setup/defaults', () => {
  test('when anyone asks, then 200 with the grooming defaults and no company data', async () => {
    await provisionedCompany(config);
    const res = await request(app).get(`${SETUP}/defaults`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Default configurations retrieved successfully' });
    const d = res.body.data;
    expect(d.companySettings).toMatchObject({ timezone: 'UTC', mainCurrency: 'USD', status: 'active' });
    expect(d.companySettings.bot.systemInstruction).toBe(botPromptFor(['grooming']).systemInstruction);
    expect(d.services.map((s: { name: string }) => s.name)).toEqual([
      'Full Groom',
      'Basic Groom',
      'Bath & Brush',
      'Nail Trim',
      'Cat Groom',
      'Cat Nail Trim',
    ]);
    expect(d.services[0]).toEqual({
      name: 'Full Groom',
      description: expect.any(String),
      species: 'dog',
      requiresBath: false,
    });
    expect(d.resources[0]).toEqual({ resourceTypeName: 'Grooming Tub', label: 'Grooming Tub 1', species: ['all'], active: true });
    expect(d.serviceItems).toContainEqual({
      serviceName: 'Full Groom',
      size: 'S',
      label: 'Full Groom - S',
      durationMinutes: 90,
      price: 50,
    });
    expect(d.userPicture).toMatch(/^https:/);
    expect(d.companyLogo).toMatch(/^https:/);
    expect(JSON.stringify(res.body)).not.toMatch(/Setup Co|setup\d+@example\.com|companyId/);
  });

  test('when a business type is named, then its seed is shown', async () => {
    const res = await request(app).get(`${SETUP}/defaults?businessType=vet`);
    expect(res.status).toBe(200);
    expect(res.body.data.services.map((s: { name: string }) => s.name)).toContain('Vaccination');
    expect(res.body.data.companySettings.bot.systemInstruction).toBe(botPromptFor(['vet']).systemInstruction);
  });

  test.each(['kennel', 'vet&businessType=grooming'])('when the business type is %s, then 400 VALIDATION_ERROR', async (q) => {
    const res = await request(app).get(`${SETUP}/defaults?businessType=${q}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /setup/onboarding', () => {
  test('when anyone asks, then 200 with the static guide of 8 steps and 4 tips', async () => {
    const res = await request(app).get(`${SETUP}/onboarding`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Onboarding guide retrieved successfully' });
    expect(res.body.data.title).toBe('Welcome to PetBuddy! 🐾');
    expect(res.body.data.steps).toHaveLength(8);
    expect(res.body.data.steps.map((s: { step: number }) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const s of res.body.data.steps)
      expect(s).toEqual({ step: s.step, title: expect.any(String), description: expect.any(String), action: expect.any(String) });
    expect(res.body.data.tips).toHaveLength(4);
  });
});

describe('GET /setup/company/:companyId', () => {
  let co: SetupCompany;
  beforeEach(async () => {
    co = await provisionedCompany(config, ['vet']);
  });
  const get = (id: string, auth: Record<string, string> = co.manager) => request(app).get(`${SETUP}/company/${id}`).set(auth);

  test("when a manager reads their company, then 200 with the company's own settings (not the defaults, B35) and its catalogue", async () => {
    await Company.updateOne(
      { _id: co.companyId },
      {
        $set: {
          timezone: 'Asia/Tbilisi',
          mainCurrency: 'GEL',
          'settings.workHours': [{ weekday: 2, startTime: '07:00', endTime: '11:00' }],
        },
      },
    );
    const res = await get(co.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Company configuration retrieved successfully' });
    const d = res.body.data;
    expect(d.companySettings).toMatchObject({ timezone: 'Asia/Tbilisi', mainCurrency: 'GEL', businessTypes: ['vet'] });
    expect(d.companySettings.settings.workHours).toEqual([{ _id: expect.any(String), weekday: 2, startTime: '07:00', endTime: '11:00' }]);
    expect(d.companySettings.bot.systemInstruction).toBe(botPromptFor(['vet']).systemInstruction);

    const stored = await catalogue(co.companyId);
    expect(d.currentServices.map((s: { name: string }) => s.name)).toEqual(names(stored.services));
    expect(d.currentServices[0]).toMatchObject({ _id: expect.any(String), id: expect.any(String), companyId: co.id });
    expect(d.currentServiceItems).toHaveLength(stored.items.length);
    const item = d.currentServiceItems.find((i: { label: string }) => i.label === 'Vaccination - all');
    expect(item.serviceCategoryId).toEqual({ _id: expect.any(String), name: 'Vaccination', species: 'dog' });
    expect(d.currentResources.map((r: { label: string }) => r.label)).toEqual(names(stored.resources));
    const exam = d.currentResources.find((r: { label: string }) => r.label === 'Exam Room 1');
    expect(exam.resourceType).toEqual({ _id: expect.any(String), name: 'Examination Room', color: '#6B7280', icon: 'cube' });
  });

  test('when a manager names another company, then 403 E3 UNAUTHORIZED and nothing of it is shown', async () => {
    const other = await provisionedCompany(config);
    const res = await get(other.id);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'UNAUTHORIZED', message: 'You can only view your own company configuration' },
    });
  });

  test('when the own company is in the path but another is named in the query, then 403 and nothing is served', async () => {
    const res = await get(`${co.id}?companyId=${newObjectId()}`);
    expect(res.status).toBe(403);
    expect(res.body.data).toBeUndefined();
  });

  test('when the company id is malformed, then 400 VALIDATION_ERROR', async () => {
    const res = await get('not-an-id');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when a receptionist asks, then 403 E1 FORBIDDEN', async () => {
    const res = await get(co.id, co.receptionist);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: 'Insufficient permissions' } });
  });

  test('when nobody is signed in, then 401 E1 and no configuration', async () => {
    const res = await request(app).get(`${SETUP}/company/${co.id}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.body.data).toBeUndefined();
  });

  test("when the manager's company was deleted, then 404 E3", async () => {
    await Company.deleteOne({ _id: co.companyId });
    const res = await get(co.id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: { code: 'NOT_FOUND', message: 'Company not found' } });
  });

  test('when an id of no company at all is named, then 403 E3 (never served)', async () => {
    const res = await get(newObjectId());
    expect(res.status).toBe(403);
    expect(res.body.success).toBe(false);
  });
});
