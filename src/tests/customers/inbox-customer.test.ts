/**
 * One record from the inbox to the booking wizard: an Instagram message creates a lead contact
 * (the Meta Bot's ingest), which the customer list and search find, which a pet is added to, and
 * which becomes the customer when converted or when the wizard types its number. Also: the search
 * keys stay right whichever writer changes a contact.
 */
import request from 'supertest';
import { Contact } from '../../models/Contact';
import { seedCustomer } from '../factories/customers';
import { useTestDatabase } from '../helpers/database';
import { CUSTOMERS, customersApp, georgianCompany, idsOf, PETS, type TestCo } from './support';

useTestDatabase();

const { app, config } = customersApp();
let co: TestCo;
const IGSID = '17841400000012345';

beforeEach(async () => {
  co = await georgianCompany(config);
});

/** The Meta Bot hands over an inbound Instagram message. */
const ingest = (extra: Record<string, unknown> = {}) =>
  request(app)
    .post('/api/v1/internal/messages')
    .set('x-api-key', config.internalApiKey)
    .send({
      company_id: String(co.companyId),
      platform: 'instagram',
      external_message_id: `mid-${Math.random()}`,
      content: 'Hi! Can I book a groom for my dog?',
      customer_social_id: IGSID,
      profile: { name: 'Keti Abashidze' },
      ...extra,
    });
const customers = (query: Record<string, string>) => request(app).get(CUSTOMERS).query(query).set(co.receptionist);

test('when an Instagram user writes, then the lead is the contact the list finds, a pet is added to it, and converting it lists it by default', async () => {
  const inbound = await ingest();
  expect(inbound.status).toBe(201);
  const contactId: string = inbound.body.contactId;

  expect(idsOf(await customers({}))).toEqual([]);
  expect(idsOf(await customers({ contactStatus: 'all' }))).toEqual([contactId]);
  expect(idsOf(await customers({ contactStatus: 'lead', q: 'keti' }))).toEqual([contactId]);
  expect(idsOf(await customers({ contactStatus: 'all', q: IGSID }))).toEqual([contactId]);

  const pet = await request(app)
    .post(PETS)
    .set(co.receptionist)
    .send({ name: 'Juja', species: 'dog', sex: 'female', customerId: contactId });
  expect(pet.status).toBe(201);
  expect(idsOf(await request(app).get(PETS).query({ customerId: contactId }).set(co.receptionist))).toEqual([pet.body.pet._id]);

  const converted = await request(app).post(`${CUSTOMERS}/${contactId}/convert`).set(co.receptionist).send({});
  expect(converted.body.customer).toMatchObject({ _id: contactId, contactStatus: 'customer', isLead: false });
  expect(idsOf(await customers({}))).toEqual([contactId]);
  // A second message from the same person is the same contact (and does not undo the conversion).
  expect((await ingest()).body.contactId).toBe(contactId);
  expect(idsOf(await customers({ q: 'abashidze' }))).toEqual([contactId]);
});

test('when the wizard creates a customer with the number and Instagram id of a lead, then it is that lead, converted, and the phone finds it', async () => {
  const contactId: string = (await ingest()).body.contactId;
  const res = await request(app)
    .post(CUSTOMERS)
    .set(co.receptionist)
    .send({ fullName: 'Keti Abashidze', phone: '599 12 34 56', social: { instagramId: IGSID } });
  expect(res.status).toBe(200);
  expect(res.body.customer).toMatchObject({ _id: contactId, contactStatus: 'customer', phone: '+995 599 12 34 56' });
  const wizard = await request(app).get(`${CUSTOMERS}/search/by-phone`).query({ phone: '599 123' }).set(co.receptionist);
  expect(idsOf(wizard)).toEqual([contactId]);
  expect(await Contact.countDocuments({ companyId: co.companyId })).toBe(1);
});

test('when other writers change contacts, then the search never answers from stale keys', async () => {
  const id = await seedCustomer(co.companyId, { fullName: 'First Name', email: 'first@example.com' });
  const keysOf = async () => (await Contact.findOne({ _id: id, companyId: co.companyId }).select('+searchKeys').lean())?.searchKeys;
  expect(await keysOf()).toEqual(expect.arrayContaining(['first', 'fir', 'example']));

  // A status change keeps the keys; a name change without new keys drops them (the slow path finds it).
  await Contact.updateOne({ _id: id, companyId: co.companyId }, { $set: { contactStatus: 'lead' } });
  expect(await keysOf()).toEqual(expect.arrayContaining(['first']));
  await Contact.findOneAndUpdate({ _id: id, companyId: co.companyId }, { $set: { 'social.whatsapp': '995599000111' } });
  expect(await keysOf()).toBeUndefined();
  expect(idsOf(await customers({ contactStatus: 'all', q: '995599000111' }))).toEqual([String(id)]);

  // Saving the document recomputes them.
  const doc = await Contact.findOne({ _id: id, companyId: co.companyId });
  doc!.fullName = 'Second Name';
  await doc!.save();
  expect(await keysOf()).toEqual(expect.arrayContaining(['second', '995599000111']));
  expect(idsOf(await customers({ contactStatus: 'all', q: 'first' }))).toEqual([String(id)]);
  expect(idsOf(await customers({ contactStatus: 'all', q: 'sec nam' }))).toEqual([String(id)]);
});
