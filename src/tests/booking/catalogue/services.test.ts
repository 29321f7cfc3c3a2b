/** Services under /catalog (C1-C4) and /company/:companyId (CS1, CS2, CS4-CS6), with S-4, S-5 and the cascades. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { ServiceCategory } from '../../../models/ServiceCategory';
import { ServiceItem } from '../../../models/ServiceItem';
import { newObjectId } from '../../factories/accounts';
import { type CatalogueWorld, catalogueWorld, createService, createServiceItem } from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const CATALOG = '/api/v1/catalog/services';

let w: CatalogueWorld;
beforeEach(async () => {
  w = await catalogueWorld(config);
});

const company = (suffix = 'services', cid: unknown = w.home.companyId) => `/api/v1/company/${String(cid)}/${suffix}`;
const names = (res: request.Response) => (res.body.items as { name: string }[]).map((s) => s.name);

describe('GET /catalog/services (C1)', () => {
  beforeEach(async () => {
    await createService(w.home.companyId, { name: 'Nail trim', species: 'dog&cat' });
    await createService(w.home.companyId, { name: 'Bath', species: 'dog', active: false });
    await createService(w.other.companyId, { name: 'Foreign', species: 'dog' });
  });

  test('when listed, then the company\'s services sorted by name ("Full Groom" from the factory too), both active and inactive', async () => {
    const res = await request(app).get(CATALOG).set(w.as.groomer);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['Bath', 'Full Groom', 'Nail trim']);
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['_id', 'active', 'allowedRoles', 'name', 'requiresBath', 'species'].sort());
  });

  test('when filtered, then species is exact (dog does not return dog&cat) [COMPAT], active=true/false filters, q is an escaped regex', async () => {
    expect(names(await request(app).get(CATALOG).query({ species: 'dog' }).set(w.as.manager))).toEqual(['Bath', 'Full Groom']);
    expect(names(await request(app).get(CATALOG).query({ active: 'true' }).set(w.as.manager))).toEqual(['Full Groom', 'Nail trim']);
    expect(names(await request(app).get(CATALOG).query({ active: 'false' }).set(w.as.manager))).toEqual(['Bath']);
    expect(names(await request(app).get(CATALOG).query({ q: 'NAIL' }).set(w.as.manager))).toEqual(['Nail trim']);
    expect(names(await request(app).get(CATALOG).query({ q: '.*' }).set(w.as.manager))).toEqual([]);
    expect((await request(app).get(CATALOG).query({ active: 'yes' }).set(w.as.manager)).status).toBe(400);
  });
});

describe('POST/PUT/DELETE /catalog/services (C2-C4)', () => {
  test('when a manager creates a service, then 201 {service} with the given colour and roles', async () => {
    const res = await request(app)
      .post(CATALOG)
      .set(w.as.manager)
      .send({
        name: ' Spa ',
        species: 'cat',
        color: '#AABBCC',
        allowedRoles: ['groomer', 'trainer'],
        requiresBath: true,
        companyId: String(w.home.companyId),
      });
    expect(res.status).toBe(201);
    expect(res.body.service).toEqual(
      expect.objectContaining({
        _id: expect.any(String),
        id: expect.any(String),
        name: 'Spa',
        species: 'cat',
        color: '#AABBCC',
        requiresBath: true,
      }),
    );
    expect(res.body.service.allowedRoles).toEqual(['groomer', 'trainer']);
  });

  test.each([
    ['MISSING_FIELDS', { name: 'Spa' }],
    ['INVALID_SPECIES', { name: 'Spa', species: 'bird' }],
    ['INVALID_ALLOWED_ROLES', { name: 'Spa', species: 'dog', allowedRoles: [] }],
    ['INVALID_ALLOWED_ROLES', { name: 'Spa', species: 'dog', allowedRoles: ['boss'] }],
    ['INVALID_COLOR', { name: 'Spa', species: 'dog', color: 'red' }],
    ['VALIDATION_ERROR', { name: 'x'.repeat(101), species: 'dog' }],
  ])('when the body gives %s, then 400 {error:{code}} on both mounts', async (code, body) => {
    for (const url of [CATALOG, company()]) {
      const res = await request(app).post(url).set(w.as.manager).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
    }
  });

  test('when updated, then fields change and an empty description or colour is removed; unknown/foreign id 404', async () => {
    const svc = await ServiceCategory.create({
      companyId: w.home.companyId,
      name: 'Spa',
      species: 'dog',
      description: 'old',
      color: '#111111',
    });
    const res = await request(app)
      .put(`${CATALOG}/${String(svc._id)}`)
      .set(w.as.manager)
      .send({ name: 'Spa day', active: false, description: '', color: '', companyId: String(w.home.companyId) });
    expect(res.status).toBe(200);
    expect(res.body.service).toEqual(expect.objectContaining({ name: 'Spa day', active: false }));
    expect(res.body.service).not.toHaveProperty('description');
    expect(res.body.service).not.toHaveProperty('color');
    const foreign = await createService(w.other.companyId);
    for (const id of [newObjectId(), foreign._id]) {
      const miss = await request(app)
        .put(`${CATALOG}/${String(id)}`)
        .set(w.as.manager)
        .send({ name: 'x' });
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Service not found' } });
    }
  });

  test('when deleted through /catalog (C4), then its variants go too, in one transaction; others stay', async () => {
    const svc = await createService(w.home.companyId);
    await createServiceItem(w.home.companyId, svc._id, { size: 'S' });
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'L' });
    const res = await request(app)
      .delete(`${CATALOG}/${String(svc._id)}`)
      .set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Service deleted', service: expect.objectContaining({ _id: String(svc._id) }) });
    expect(await ServiceItem.countDocuments({ companyId: w.home.companyId, serviceCategoryId: svc._id })).toBe(0);
    expect(await ServiceItem.countDocuments({ companyId: w.home.companyId })).toBe(1);
  });

  test('when a receptionist or groomer writes through /catalog, then 403', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await request(app).post(CATALOG).set(auth).send({ name: 'x', species: 'dog' })).status).toBe(403);
      expect(
        (
          await request(app)
            .delete(`${CATALOG}/${String(w.home.serviceCategoryId)}`)
            .set(auth)
        ).status,
      ).toBe(403);
    }
  });
});

describe('/company/:companyId/services (CS1, CS2, CS4-CS6)', () => {
  test('when paginated, then {items, pagination} with total counting every service, newest first by default, sortBy/sortOrder honoured (B-10)', async () => {
    await createService(w.home.companyId, { name: 'B', createdAt: new Date('2030-01-01') });
    await createService(w.home.companyId, { name: 'A', createdAt: new Date('2031-01-01') });
    const res = await request(app).get(company()).query({ page: '1', size: '2' }).set(w.as.groomer);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['A', 'B']);
    expect(res.body.items[0].id).toBe(res.body.items[0]._id);
    expect(res.body.pagination).toEqual({ page: 1, size: 2, total: 3, totalPages: 2, hasNext: true, hasPrev: false });
    const byName = await request(app).get(company()).query({ sortBy: 'name', sortOrder: 'desc', page: '2', size: '2' }).set(w.as.manager);
    expect(names(byName)).toEqual(['A']);
    expect(byName.body.pagination).toEqual(expect.objectContaining({ page: 2, hasNext: false, hasPrev: true }));
  });

  test('when services-with-items is read, then each service carries its variants (CS2), other companies excluded', async () => {
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'S', price: 30 });
    await createService(w.other.companyId);
    const res = await request(app).get(company('services-with-items')).set(w.as.receptionist);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].serviceItems).toEqual([
      expect.objectContaining({
        _id: expect.any(String),
        size: 'S',
        price: 30,
        coatType: 'all',
        durationMinutes: 60,
        active: true,
        requiredResources: [],
      }),
    ]);
  });

  test('when created (CS4), then colour, allowedRoles and active are kept (the original dropped them); 201 with the message', async () => {
    const res = await request(app)
      .post(company())
      .set(w.as.manager)
      .send({ name: 'Vaccination', species: 'dog&cat', color: '#00FF00', allowedRoles: ['veterinarian'], active: false });
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Service category created successfully');
    expect(res.body.service).toEqual(expect.objectContaining({ color: '#00FF00', allowedRoles: ['veterinarian'], active: false }));
  });

  test('when updated (CS5), then {service, message}; an unknown or foreign service is 404 {message} (legacy envelope)', async () => {
    const res = await request(app)
      .put(company(`services/${String(w.home.serviceCategoryId)}`))
      .set(w.as.manager)
      .send({ requiresBath: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ service: expect.objectContaining({ requiresBath: true }), message: 'Service updated successfully' });
    for (const id of [newObjectId(), w.other.serviceCategoryId]) {
      const miss = await request(app)
        .put(company(`services/${String(id)}`))
        .set(w.as.manager)
        .send({ name: 'x' });
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual({ message: 'Service not found' });
    }
  });

  test('when deleted (CS6), then the service and its variants go; unknown 404 {message}', async () => {
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId);
    const res = await request(app)
      .delete(company(`services/${String(w.home.serviceCategoryId)}`))
      .set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Service deleted successfully' });
    expect(await ServiceItem.countDocuments({ companyId: w.home.companyId })).toBe(0);
    expect(await ServiceCategory.countDocuments({ companyId: w.home.companyId })).toBe(0);
    expect(
      (
        await request(app)
          .delete(company(`services/${String(w.home.serviceCategoryId)}`))
          .set(w.as.manager)
      ).body,
    ).toEqual({
      message: 'Service not found',
    });
  });

  test("when the path names another company (S-4), then 403 on every route and the other company's catalogue is untouched", async () => {
    const cid = w.other.companyId;
    const sid = String(w.other.serviceCategoryId);
    const calls = [
      request(app).get(company('services', cid)),
      request(app).get(company('services-with-items', cid)),
      request(app).get(company('service-items-with-categories', cid)),
      request(app).post(company('services', cid)).send({ name: 'Injected', species: 'dog' }),
      request(app)
        .put(company(`services/${sid}`, cid))
        .send({ name: 'Hijacked' }),
      request(app).delete(company(`services/${sid}`, cid)),
    ];
    for (const call of calls) expect((await call.set(w.as.manager)).status).toBe(403);
    expect((await ServiceCategory.find({ companyId: cid }).lean()).map((s) => s.name)).toEqual(['Full Groom']);
  });

  test('when a receptionist or groomer writes (S-5), then 403 and nothing changes; they still read', async () => {
    const sid = String(w.home.serviceCategoryId);
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await request(app).post(company()).set(auth).send({ name: 'x', species: 'dog' })).status).toBe(403);
      expect(
        (
          await request(app)
            .put(company(`services/${sid}`))
            .set(auth)
            .send({ name: 'x' })
        ).status,
      ).toBe(403);
      expect(
        (
          await request(app)
            .delete(company(`services/${sid}`))
            .set(auth)
        ).status,
      ).toBe(403);
      expect((await request(app).get(company()).set(auth)).status).toBe(200);
    }
    expect((await ServiceCategory.find({ companyId: w.home.companyId }).lean()).map((s) => s.name)).toEqual(['Full Groom']);
  });
});
