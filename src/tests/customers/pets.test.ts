/** /api/v1/catalog/pets: per customer, with the fields service durations depend on; never across companies (S13, B41). */
import request from 'supertest';
import { Appointment } from '../../models/Appointment';
import { Pet } from '../../models/Pet';
import { bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { seedAppointment, seedCustomer, seedLead, seedPet } from '../factories/customers';
import { useTestDatabase } from '../helpers/database';
import { customersApp, errorOf, georgianCompany, idsOf, NOW, PETS, validationError, type TestCo } from './support';

useTestDatabase();

const { app, config } = customersApp();
let co: TestCo;
let owner: Awaited<ReturnType<typeof seedCustomer>>;
const list = (query: Record<string, string> = {}) => request(app).get(PETS).query(query).set(co.receptionist);
const create = (body: Record<string, unknown>) => request(app).post(PETS).set(co.receptionist).send(body);
const update = (id: unknown, body: Record<string, unknown>) =>
  request(app)
    .put(`${PETS}/${String(id)}`)
    .set(co.manager)
    .send(body);
const remove = (id: unknown) =>
  request(app)
    .delete(`${PETS}/${String(id)}`)
    .set(co.manager);
const petsOf = () => Pet.find({ companyId: co.companyId }).lean();
const HOUR = 3600_000;

beforeEach(async () => {
  co = await georgianCompany(config);
  owner = await seedCustomer(co.companyId, { fullName: 'Pet Owner' });
});

describe('GET /catalog/pets', () => {
  test("when the wizard asks for a customer's pets, then they come by name with the [COMPAT] keys plus size, coat and sex", async () => {
    const rex = await seedPet(co.companyId, owner, { name: 'Rex', breed: 'Collie', size: 'L' });
    const bella = await seedPet(co.companyId, owner, { name: 'Bella', species: 'cat' });
    await seedPet(co.companyId, await seedCustomer(co.companyId), { name: 'Someone else' });
    const res = await list({ customerId: String(owner) });
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([String(bella), String(rex)]);
    expect(res.body.items[1]).toEqual({
      _id: String(rex),
      name: 'Rex',
      species: 'dog',
      breed: 'Collie',
      customerId: String(owner),
      size: 'L',
      coatType: 'unknown',
      sex: 'unknown',
    });
    expect((await list()).body.items).toHaveLength(3);
    expect((await list({ limit: '2' })).body.pagination).toMatchObject({ total: 3, totalPages: 2 });
  });

  test('when the customer is another company, missing, or not an id (the original answered 500), then 404, 404, 400', async () => {
    const foreign = await seedCustomer((await companyWithStaff(config)).companyId);
    expect((await list({ customerId: String(foreign) })).body).toEqual({ error: { code: 'NOT_FOUND', message: 'Customer not found' } });
    expect((await list({ customerId: newObjectId() })).status).toBe(404);
    expect((await list({ customerId: 'nope' })).body).toEqual(validationError('customerId'));
  });
});

describe('POST /catalog/pets', () => {
  test('when the wizard sends {name, species, breed, sex, customerId}, then 201 {pet} with the [COMPAT] defaults', async () => {
    const res = await create({ name: 'Buddy', species: 'dog', breed: 'Beagle', sex: 'unknown', customerId: String(owner) });
    expect(res.status).toBe(201);
    expect(res.body.pet).toEqual({
      _id: expect.any(String),
      companyId: String(co.companyId),
      customerId: String(owner),
      name: 'Buddy',
      species: 'dog',
      breed: 'Beagle',
      sex: 'unknown',
      coatType: 'unknown',
      temperament: 'normal',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      __v: 0,
    });
  });

  test('when the grooming fields are given, then they are stored (size upper-cased, allergies as a list)', async () => {
    const res = await create({
      customerId: String(owner),
      name: 'Fluffy',
      species: 'Dog',
      sex: 'female',
      size: 'm',
      coatType: 'double',
      weightKg: 12.5,
      ageYears: 4,
      allergies: 'chicken, oats',
      temperament: 'anxious',
      medicalNotes: 'Sensitive ears',
    });
    expect(res.status).toBe(201);
    expect(res.body.pet).toMatchObject({
      species: 'dog',
      size: 'M',
      coatType: 'double',
      weightKg: 12.5,
      ageYears: 4,
      allergies: ['chicken', 'oats'],
      temperament: 'anxious',
      medicalNotes: 'Sensitive ears',
    });
  });

  test('when the customer is a lead from the inbox, then the pet is attached to it', async () => {
    const lead = await seedLead(co.companyId);
    expect((await create({ customerId: String(lead), name: 'Milo', species: 'cat', sex: 'male' })).status).toBe(201);
  });

  test('[SEC S13] when the customerId is another company (or nobody), then 404 and no pet is written', async () => {
    const other = await companyWithStaff(config);
    const foreign = await seedCustomer(other.companyId);
    for (const customerId of [String(foreign), newObjectId()]) {
      const res = await create({ customerId, name: 'Stray', species: 'dog', sex: 'male' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Customer not found' } });
    }
    expect(await Pet.countDocuments({ companyId: other.companyId })).toBe(0);
    expect(await petsOf()).toHaveLength(0);
  });

  test('when a required field is missing, then 400 MISSING_FIELDS [COMPAT]', async () => {
    const res = await create({ customerId: String(owner), name: 'NoSex', species: 'dog' });
    expect(res.body).toEqual({ error: { code: 'MISSING_FIELDS', message: 'customerId, name, species and sex are required' } });
  });

  test.each([
    ['species', { species: 'dragon' }],
    ['sex', { sex: 'other' }],
    ['size', { size: 'XXL' }],
    ['coatType', { coatType: 'fluffy' }],
    ['temperament', { temperament: 'grumpy' }],
    ['weightKg', { weightKg: '12' }],
    ['weightKg', { weightKg: 250 }],
    ['ageYears', { ageYears: -1 }],
    ['name', { name: 'x'.repeat(51) }],
    ['customerId', { customerId: 'not-an-id' }],
    ['body', { vaccinated: true }],
  ])('[B41] when %s is invalid (%j), then 400 VALIDATION_ERROR, not 500, and nothing is written', async (field, extra) => {
    const res = await create({ customerId: String(owner), name: 'Rex', species: 'dog', sex: 'male', ...extra });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
    expect(await petsOf()).toHaveLength(0);
  });

  test('when a groomer adds a pet, then 403', async () => {
    const res = await request(app)
      .post(PETS)
      .set(bearer(co.users.groomer.token))
      .send({ customerId: String(owner), name: 'Rex', species: 'dog', sex: 'male' });
    expect(res.status).toBe(403);
  });
});

describe('GET, PUT and DELETE /catalog/pets/:id', () => {
  test('when a pet is read and updated, then the fields change, null clears an optional one and it may move to another customer', async () => {
    const pet = await seedPet(co.companyId, owner, { name: 'Rex', breed: 'Collie', size: 'S' });
    const newOwner = await seedCustomer(co.companyId, { fullName: 'New Owner' });
    expect(
      (
        await request(app)
          .get(`${PETS}/${String(pet)}`)
          .set(co.manager)
      ).body.pet,
    ).toMatchObject({ name: 'Rex', size: 'S' });
    const res = await update(pet, { size: 'XL', coatType: 'curly', breed: null, customerId: String(newOwner) });
    expect(res.status).toBe(200);
    expect(res.body.pet).toMatchObject({ name: 'Rex', size: 'XL', coatType: 'curly', customerId: String(newOwner) });
    expect(res.body.pet).not.toHaveProperty('breed');
  });

  test('when the pet or the new owner is another company, or a value is invalid, then 404/404/400 and nothing changes', async () => {
    const other = await companyWithStaff(config);
    const theirs = await seedPet(other.companyId, await seedCustomer(other.companyId), { name: 'Theirs' });
    const mine = await seedPet(co.companyId, owner, { name: 'Mine', size: 'S' });
    expect((await update(theirs, { name: 'Stolen' })).status).toBe(404);
    expect(
      (
        await request(app)
          .get(`${PETS}/${String(theirs)}`)
          .set(co.manager)
      ).status,
    ).toBe(404);
    expect((await remove(theirs)).status).toBe(404);
    expect((await update(mine, { customerId: String(await seedCustomer(other.companyId)) })).status).toBe(404);
    expect((await update(mine, { size: 'huge' })).body).toEqual(validationError('size'));
    expect((await update(mine, { companyId: String(other.companyId) })).status).toBe(403);
    expect((await update(mine, { name: null })).status).toBe(400);
    expect(await Pet.findOne({ _id: theirs, companyId: other.companyId }).lean()).toMatchObject({ name: 'Theirs' });
    expect(await Pet.findOne({ _id: mine, companyId: co.companyId }).lean()).toMatchObject({ name: 'Mine', size: 'S', customerId: owner });
  });

  test('when the pet has an appointment to come (or under way), then 409 PET_HAS_APPOINTMENTS; past and canceled ones do not block', async () => {
    const pet = await seedPet(co.companyId, owner);
    await seedAppointment(co.companyId, owner, pet, new Date(NOW.getTime() - 48 * HOUR), 'completed');
    await seedAppointment(co.companyId, owner, pet, new Date(NOW.getTime() + 24 * HOUR), 'canceled');
    const underWay = await seedAppointment(co.companyId, owner, pet, new Date(NOW.getTime() - HOUR / 2), 'in_progress');
    const blocked = await remove(pet);
    expect(blocked.status).toBe(409);
    expect(blocked.body).toEqual(errorOf('PET_HAS_APPOINTMENTS'));
    expect(await petsOf()).toHaveLength(1);

    await Appointment.updateOne({ _id: underWay, companyId: co.companyId }, { $set: { status: 'completed' } });
    await seedAppointment(co.companyId, owner, pet, new Date(NOW.getTime() + 72 * HOUR), 'scheduled');
    expect((await remove(pet)).status).toBe(409);
  });

  test('when the pet has no appointment to come, then it is deleted', async () => {
    const pet = await seedPet(co.companyId, owner);
    await seedAppointment(co.companyId, owner, pet, new Date(NOW.getTime() - 48 * HOUR), 'completed');
    const res = await remove(pet);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Pet deleted' });
    expect(await petsOf()).toHaveLength(0);
    expect((await remove(pet)).status).toBe(404);
  });
});
