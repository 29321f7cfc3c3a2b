/** POST, GET, PUT /catalog/customers[/:id] and POST /:id/convert: phones normalised, duplicates refused, leads converted. */
import request from 'supertest';
import { Contact } from '../../models/Contact';
import { bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { seedCustomer, seedLead } from '../factories/customers';
import { useTestDatabase } from '../helpers/database';
import { CUSTOMERS, customersApp, errorOf, georgianCompany, idsOf, NOW, setCompanyRaw, validationError, type TestCo } from './support';

useTestDatabase();

const { app, config } = customersApp();
let co: TestCo;
const create = (body: Record<string, unknown>, auth = co.receptionist) => request(app).post(CUSTOMERS).set(auth).send(body);
const update = (id: unknown, body: Record<string, unknown>) =>
  request(app)
    .put(`${CUSTOMERS}/${String(id)}`)
    .set(co.manager)
    .send(body);
const get = (id: unknown) =>
  request(app)
    .get(`${CUSTOMERS}/${String(id)}`)
    .set(co.manager);
const convert = (id: unknown) =>
  request(app)
    .post(`${CUSTOMERS}/${String(id)}/convert`)
    .set(co.manager)
    .send({});
const contactsOf = () => Contact.find({ companyId: co.companyId }).lean();

beforeEach(async () => {
  co = await georgianCompany(config);
});

describe('POST /catalog/customers', () => {
  test('when the wizard sends {fullName, phone, email}, then 201 {customer} with the [COMPAT] document and the number normalised', async () => {
    const res = await create({ fullName: '  Nino Beridze ', phone: '555 12 34 56', email: 'Nino@Example.com' });
    expect(res.status).toBe(201);
    expect(res.body.customer).toEqual(
      expect.objectContaining({
        _id: expect.stringMatching(/^[0-9a-f]{24}$/),
        id: res.body.customer._id,
        companyId: String(co.companyId),
        fullName: 'Nino Beridze',
        email: 'nino@example.com',
        phone: '+995 555 12 34 56',
        phoneE164: '+995555123456',
        contactStatus: 'customer',
        isLead: false,
        isCustomer: true,
        leadStage: 'new',
        consents: { sms: false, email: false, marketing: false },
        messageCount: 0,
        __v: 0,
      }),
    );
    expect(res.body.customer).not.toHaveProperty('searchKeys');
    expect(idsOf(await request(app).get(CUSTOMERS).query({ q: 'nino 555' }).set(co.manager))).toEqual([res.body.customer._id]);
  });

  test.each([[{ phone: '555 12 34 56' }], [{ fullName: 'No Phone' }], [{ fullName: '', phone: '555 12 34 56' }]])(
    'when %j lacks a required field, then 400 MISSING_FIELDS [COMPAT] and nothing is written',
    async (body) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'MISSING_FIELDS', message: 'fullName and phone are required' } });
      expect(await contactsOf()).toHaveLength(0);
    },
  );

  test('when the phone is not a number of the company country (or not a number), then 400 INVALID_PHONE and nothing is written', async () => {
    for (const phone of ['12345', 'call me', '+1 555 123 4567']) {
      const res = await create({ fullName: 'Bad Phone', phone });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_PHONE', message: expect.stringContaining('read as GE numbers'), field: 'phone' },
      });
    }
    expect(await contactsOf()).toHaveLength(0);
  });

  test('when the company has no country and a UTC zone, then only +international numbers are accepted; company.country decides over the zone', async () => {
    await setCompanyRaw(co.companyId, { timezone: 'UTC' });
    const local = await create({ fullName: 'Local', phone: '555 12 34 56' });
    expect(local.status).toBe(400);
    expect(local.body.error.message).toContain('needs its +country code');
    expect((await create({ fullName: 'Intl', phone: '+44 20 7946 0958' })).body.customer.phoneE164).toBe('+442079460958');
    await setCompanyRaw(co.companyId, { country: 'GB', timezone: 'Asia/Tbilisi' });
    const london = await create({ fullName: 'London', phone: '020 7946 0959' });
    expect(london.status).toBe(201);
    expect(london.body.customer).toMatchObject({ phone: '+44 20 7946 0959', phoneE164: '+442079460959' });
  });

  test('when the number is already a customer in another format, then 200 with that customer and no duplicate', async () => {
    const first = await create({ fullName: 'Nino', phone: '+995 555 12 34 56' });
    const again = await create({ fullName: 'Nino B.', phone: '555-123-456', email: 'nino@example.com' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.customer).toMatchObject({ _id: first.body.customer._id, fullName: 'Nino', email: 'nino@example.com' });
    expect(await contactsOf()).toHaveLength(1);
  });

  test('when the number or social id belongs to a lead from the inbox, then that lead becomes the customer (named, converted), no duplicate', async () => {
    const byPhone = await seedCustomer(co.companyId, {
      fullName: 'Instagram User',
      phone: '+995 599 11 22 33',
      e164: '+995599112233',
      contactStatus: 'lead',
    });
    const bySocial = await seedLead(co.companyId, { fullName: 'Tamar (IG)', instagramId: '17841400000000777' });
    const a = await create({ fullName: 'Levan Lomidze', phone: '599112233' });
    expect(a.status).toBe(200);
    expect(a.body.customer).toMatchObject({
      _id: String(byPhone),
      fullName: 'Levan Lomidze',
      contactStatus: 'customer',
      convertedToCustomerAt: NOW.toISOString(),
    });
    const b = await create({ fullName: 'Tamar G.', phone: '577 12 34 56', social: { instagramId: '17841400000000777' } });
    expect(b.status).toBe(200);
    expect(b.body.customer).toMatchObject({ _id: String(bySocial), fullName: 'Tamar (IG)', phone: '+995 577 12 34 56', isCustomer: true });
    expect(await contactsOf()).toHaveLength(2);
  });

  test('when the phone and the social id are two different contacts, then 409 CONTACT_CONFLICT and nothing changes', async () => {
    await seedCustomer(co.companyId, { fullName: 'A', phone: '+995 599 11 22 33', e164: '+995599112233' });
    await seedLead(co.companyId, { instagramId: 'ig-b' });
    const res = await create({ fullName: 'Mixed', phone: '599112233', social: { instagramId: 'ig-b' } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONTACT_CONFLICT', contactIds: expect.any(Array) });
    expect((await contactsOf()).map((c) => c.fullName).sort()).toEqual(['A', 'Instagram User']);
  });

  test('when ten wizards create the same new number at once, then one 201, the rest 200 with the same customer, one contact', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => create({ fullName: `Racer ${i}`, phone: '555 00 11 22' })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => r.body.customer._id)).size).toBe(1);
    expect(await contactsOf()).toHaveLength(1);
  });

  test.each([
    ['an unknown field (mass assignment)', { contactStatus: 'lead' }, 'body'],
    ['a foreign companyId-like field', { companyId: newObjectId() }, ''],
    ['a fullName over 100 characters (the original answered 500)', { fullName: 'x'.repeat(101) }, 'fullName'],
    ['notes over 1000 characters (the original answered 500)', { notes: 'x'.repeat(1001) }, 'notes'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a phone that is a number', { phone: 555123456 }, 'phone'],
    ['an unknown social key', { social: { tiktok: 'x' } }, 'social'],
  ])('when the body has %s, then 4xx and nothing is written', async (_what, extra, field) => {
    const res = await create({ fullName: 'Valid Name', phone: '555 12 34 56', ...extra });
    if (field === '') expect(res.status).toBe(403);
    else {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(validationError(field));
    }
    expect(await contactsOf()).toHaveLength(0);
  });

  test('when a groomer creates, then 403', async () => {
    expect((await create({ fullName: 'G', phone: '555 12 34 56' }, bearer(co.users.groomer.token))).status).toBe(403);
  });
});

describe('GET and PUT /catalog/customers/:id', () => {
  test('when the customer is the company, then GET gives {customer}; another company, missing or malformed id: 404/404/400', async () => {
    const id = await seedCustomer(co.companyId, { fullName: 'Seen' });
    const foreign = await seedCustomer((await companyWithStaff(config)).companyId);
    expect((await get(id)).body.customer).toMatchObject({ _id: String(id), fullName: 'Seen', isCustomer: true });
    expect((await get(foreign)).status).toBe(404);
    expect((await get(foreign)).body).toEqual({ error: { code: 'NOT_FOUND', message: 'Customer not found' } });
    expect((await get(newObjectId())).status).toBe(404);
    expect((await get('not-an-id')).status).toBe(400);
  });

  test('when name, phone and email change, then the answer and the search follow; null clears the email', async () => {
    const id = await seedCustomer(co.companyId, {
      fullName: 'Old Name',
      email: 'old@example.com',
      phone: '+995 555 12 34 56',
      e164: '+995555123456',
    });
    const res = await update(id, { fullName: 'New Name', phone: '599 99 88 77', email: null, notes: 'Prefers mornings' });
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({
      fullName: 'New Name',
      phone: '+995 599 99 88 77',
      phoneE164: '+995599998877',
      notes: 'Prefers mornings',
    });
    expect(res.body.customer).not.toHaveProperty('email');
    const search = (q: string) => request(app).get(CUSTOMERS).query({ q }).set(co.manager);
    expect(idsOf(await search('new'))).toEqual([String(id)]);
    expect(idsOf(await search('599 99'))).toEqual([String(id)]);
    expect(idsOf(await search('old'))).toEqual([]);
    expect(idsOf(await search('555 12'))).toEqual([]);
  });

  test('when the new phone is another contact, then 409 DUPLICATE_PHONE naming it; invalid phone 400; unknown fields 400; foreign 404', async () => {
    const a = await seedCustomer(co.companyId, { fullName: 'A', phone: '+995 555 12 34 56', e164: '+995555123456' });
    const b = await seedCustomer(co.companyId, { fullName: 'B' });
    const dup = await update(b, { phone: '555123456' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: { code: 'DUPLICATE_PHONE', message: expect.any(String), contactId: String(a) } });
    expect((await update(b, { phone: '12' })).body).toEqual(errorOf('INVALID_PHONE'));
    for (const body of [{ contactStatus: 'lead' }, { social: { instagramId: 'x' } }, { fullName: 42 }, { companyId: 'abc' }]) {
      expect((await update(b, body)).status).toBe(400);
    }
    const other = await companyWithStaff(config);
    const foreign = await seedCustomer(other.companyId, { fullName: 'Theirs' });
    expect((await update(foreign, { fullName: 'Hijack' })).status).toBe(404);
    expect((await Contact.findOne({ _id: foreign, companyId: other.companyId }).lean())?.fullName).toBe('Theirs');
  });
});

describe('POST /catalog/customers/:id/convert', () => {
  test('when a lead is converted, then it is a customer from now on (listed by default); again: 200 unchanged; foreign: 404', async () => {
    const lead = await seedLead(co.companyId, { fullName: 'Lead To Convert' });
    const res = await convert(lead);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Lead converted to customer successfully',
      customer: expect.objectContaining({ _id: String(lead), contactStatus: 'customer', convertedToCustomerAt: NOW.toISOString() }),
    });
    expect((await Contact.findOne({ _id: lead, companyId: co.companyId }).lean())?.leadStage).toBeUndefined();
    expect(idsOf(await request(app).get(CUSTOMERS).set(co.manager))).toEqual([String(lead)]);
    const again = await convert(lead);
    expect(again.body).toMatchObject({ message: 'Contact is already a customer', customer: { convertedToCustomerAt: NOW.toISOString() } });
    const other = await companyWithStaff(config);
    const foreign = await seedLead(other.companyId);
    expect((await convert(foreign)).status).toBe(404);
    expect((await Contact.findOne({ _id: foreign, companyId: other.companyId }).lean())?.contactStatus).toBe('lead');
  });
});
