/** GET /catalog/customers and /customers/search/by-phone: the dashboard's list and the booking wizard's lookup (§3.3.1). */
import mongoose from 'mongoose';
import request from 'supertest';
import { Contact } from '../../models/Contact';
import { bearer, companyWithStaff } from '../factories/accounts';
import { seedCustomer, seedLead } from '../factories/customers';
import { useTestDatabase } from '../helpers/database';
import { CUSTOMERS, customersApp, errorOf, georgianCompany, idsOf, validationError, type TestCo } from './support';

useTestDatabase();

const { app, config } = customersApp();
let co: TestCo;
const list = (query: Record<string, string | string[]> = {}, auth = co.manager) => request(app).get(CUSTOMERS).query(query).set(auth);
const byPhone = (query: Record<string, string | string[]>, auth = co.manager) =>
  request(app).get(`${CUSTOMERS}/search/by-phone`).query(query).set(auth);

beforeEach(async () => {
  co = await georgianCompany(config);
});

describe('GET /catalog/customers', () => {
  test('when the dashboard lists (with its own companyId), then the customers come by name with the [COMPAT] keys, and no lead or other company', async () => {
    const zoe = await seedCustomer(co.companyId, {
      fullName: 'Zoe Beridze',
      email: 'zoe@example.com',
      phone: '+995 555 12 34 56',
      e164: '+995555123456',
      social: { instagramId: '1784' },
    });
    const ana = await seedCustomer(co.companyId, { fullName: 'Ana Kapanadze' });
    await seedLead(co.companyId, { fullName: 'Lead Person' });
    await seedCustomer((await companyWithStaff(config)).companyId, { fullName: 'Another Tenant' });

    const res = await list({ companyId: String(co.companyId) });
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([String(ana), String(zoe)]);
    expect(res.body).not.toHaveProperty('pagination');
    expect(res.body.items[1]).toEqual({
      _id: String(zoe),
      fullName: 'Zoe Beridze',
      email: 'zoe@example.com',
      phone: '+995 555 12 34 56',
      social: { instagramId: '1784' },
      contactStatus: 'customer',
    });
  });

  test('when contactStatus is lead or all, then leads are listed too', async () => {
    const customer = await seedCustomer(co.companyId, { fullName: 'B Customer' });
    const lead = await seedLead(co.companyId, { fullName: 'A Lead' });
    expect(idsOf(await list({ contactStatus: 'lead' }))).toEqual([String(lead)]);
    expect(idsOf(await list({ contactStatus: 'all' }))).toEqual([String(lead), String(customer)]);
  });

  test('when q is given, then every word must start a word of the name or email, in any case and with or without accents', async () => {
    const maria = await seedCustomer(co.companyId, { fullName: 'María Beridze', email: 'm.b@clinic.example' });
    const mariam = await seedCustomer(co.companyId, { fullName: 'Mariam Lomidze' });
    await seedCustomer(co.companyId, { fullName: 'Giorgi Smith' });
    // Sorted by the stored name, byte by byte: "Mariam" before "María".
    expect(idsOf(await list({ q: 'mari' }))).toEqual([String(mariam), String(maria)]);
    expect(idsOf(await list({ q: 'MARIA ber' }))).toEqual([String(maria)]);
    expect(idsOf(await list({ q: 'clinic' }))).toEqual([String(maria)]);
    expect(idsOf(await list({ q: 'idze' }))).toEqual([]);
    expect(idsOf(await list({ q: '.*' }))).toEqual([]);
  });

  test('when q is a phone number in any format, then its digits find the number (international or national), and a social id is found whole', async () => {
    const a = await seedCustomer(co.companyId, { fullName: 'A', phone: '+995 555 12 34 56', e164: '+995555123456' });
    const b = await seedCustomer(co.companyId, { fullName: 'B', phone: '+1 212 555 0123', e164: '+12125550123' });
    const c = await seedCustomer(co.companyId, { fullName: 'C', social: { facebookId: '24519087712345678' } });
    // Written by another writer: a display phone without its E.164 form.
    const d = await seedCustomer(co.companyId, { fullName: 'D', phone: '+995 577 00 11 22' });
    expect(idsOf(await list({ q: '577 00 11' }))).toEqual([String(d)]);
    expect(idsOf(await list({ q: '555 12' }))).toEqual([String(a)]);
    expect(idsOf(await list({ q: '+995 (555) 12-34' }))).toEqual([String(a)]);
    expect(idsOf(await list({ q: '555123456' }))).toEqual([String(a)]);
    expect(idsOf(await list({ q: '1 212 555' }))).toEqual([String(b)]);
    expect(idsOf(await list({ q: '24519087712345678' }))).toEqual([String(c)]);
    expect(idsOf(await list({ q: '12' }))).toEqual([]);
  });

  test('when page or limit is given, then one page comes with an honest pagination (total counts every match)', async () => {
    for (const name of ['Ann', 'Ben', 'Cat', 'Dan', 'Eve']) await seedCustomer(co.companyId, { fullName: name });
    const first = await list({ limit: '2' });
    expect(first.body.items.map((i: { fullName: string }) => i.fullName)).toEqual(['Ann', 'Ben']);
    expect(first.body.pagination).toEqual({ page: 1, size: 2, total: 5, totalPages: 3, hasNext: true, hasPrev: false });
    const last = await list({ page: '3', limit: '2' });
    expect(last.body.items.map((i: { fullName: string }) => i.fullName)).toEqual(['Eve']);
    expect(last.body.pagination).toMatchObject({ page: 3, total: 5, hasNext: false, hasPrev: true });
    const none = await list({ q: '!!!', page: '1' });
    expect(none.body).toEqual({ items: [], pagination: { page: 1, size: 50, total: 0, totalPages: 0, hasNext: false, hasPrev: false } });
  });

  test('when a contact has no search keys (written before them, or its name changed by another writer), then the substring search still finds it', async () => {
    const legacy = new mongoose.Types.ObjectId();
    await mongoose.connection.db!.collection('contacts').insertOne({
      _id: legacy,
      companyId: co.companyId,
      fullName: 'Legacy Nodadze',
      phone: '555-98-76-54',
      contactStatus: 'customer',
    });
    const renamed = await seedCustomer(co.companyId, { fullName: 'Old Name' });
    await Contact.updateOne({ _id: renamed, companyId: co.companyId }, { $set: { fullName: 'Fresh Gelashvili' } });
    expect(idsOf(await list({ q: 'nodadze' }))).toEqual([String(legacy)]);
    expect(idsOf(await list({ q: '5559876' }))).toEqual([String(legacy)]);
    expect(idsOf(await list({ q: 'gelash' }))).toEqual([String(renamed)]);
    expect(idsOf(await list({ q: 'old' }))).toEqual([]);
  });

  test.each([
    ['q as an array (the original matched everything)', { q: ['a', 'b'] }, 'q'],
    ['an unknown contactStatus', { contactStatus: 'vip' }, 'contactStatus'],
    ['a limit of 0', { limit: '0' }, 'limit'],
    ['a limit over 200', { limit: '201' }, 'limit'],
    ['an unknown parameter', { sort: 'phone' }, 'query'],
  ])('when the query has %s, then 400 VALIDATION_ERROR', async (_what, query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
  });

  test('when the companyId is another company, then 403; when a groomer asks, then 403; without a token, then 401', async () => {
    const other = await companyWithStaff(config);
    expect((await list({ companyId: String(other.companyId) })).status).toBe(403);
    const groomer = await list({}, bearer(co.users.groomer.token));
    expect(groomer.status).toBe(403);
    expect(groomer.body).toEqual(errorOf('FORBIDDEN'));
    expect((await request(app).get(CUSTOMERS)).status).toBe(401);
    expect((await list({}, co.receptionist)).status).toBe(200);
  });
});

describe('GET /catalog/customers/search/by-phone', () => {
  test('when phone is missing or shorter than 3 characters, then 400 MISSING_PHONE [COMPAT]', async () => {
    for (const query of [{}, { phone: '55' }, { phone: '  5 ' }] as Record<string, string>[]) {
      const res = await byPhone(query);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'MISSING_PHONE', message: 'phone query is required (min 3 chars)' } });
    }
  });

  test('when the wizard types part of a number, then customers and leads with it come by name, never another company', async () => {
    const customer = await seedCustomer(co.companyId, { fullName: 'Nino', phone: '+995 599 11 22 33', e164: '+995599112233' });
    const lead = await seedCustomer(co.companyId, {
      fullName: 'Irakli',
      phone: '+995 599 11 40 00',
      e164: '+995599114000',
      contactStatus: 'lead',
    });
    await seedCustomer(co.companyId, { fullName: 'Other number', phone: '+995 577 11 22 33', e164: '+995577112233' });
    const other = await companyWithStaff(config);
    await seedCustomer(other.companyId, { fullName: 'Foreign', phone: '+995 599 11 22 33', e164: '+995599112233' });

    const res = await byPhone({ phone: '599 11' });
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([String(lead), String(customer)]);
    expect(res.body.items[0]).toEqual(expect.objectContaining({ fullName: 'Irakli', phone: '+995 599 11 40 00', contactStatus: 'lead' }));
    expect(idsOf(await byPhone({ phone: '599112233' }))).toEqual([String(customer)]);
    expect(idsOf(await byPhone({ phone: '+995599112233', contactStatus: 'lead' }))).toEqual([]);
    expect(idsOf(await byPhone({ phone: 'abc' }))).toEqual([]);
  });

  test('when a groomer searches, then 403', async () => {
    expect((await byPhone({ phone: '599' }, bearer(co.users.groomer.token))).status).toBe(403);
  });
});
