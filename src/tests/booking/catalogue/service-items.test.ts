/** Service variants: C5-C10 and CS3, with B-7, B-8, the unique variant index and tenant checks on every referenced id. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { ServiceItem } from '../../../models/ServiceItem';
import { newObjectId } from '../../factories/accounts';
import { type CatalogueWorld, catalogueWorld, createResourceType, createService, createServiceItem } from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let w: CatalogueWorld;
beforeEach(async () => {
  w = await catalogueWorld(config);
});

const itemsUrl = (serviceId: unknown = w.home.serviceCategoryId) => `/api/v1/catalog/services/${String(serviceId)}/items`;
const create = (body: object, serviceId?: unknown) => request(app).post(itemsUrl(serviceId)).set(w.as.manager).send(body);
const stored = () => ServiceItem.find({ companyId: w.home.companyId }).lean();

describe('GET /catalog/services/:serviceId/items (C5)', () => {
  test('when listed, then active and inactive variants sorted by size then coatType; page/size are ignored', async () => {
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'S', coatType: 'long' });
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'M' });
    await ServiceItem.create({
      companyId: w.home.companyId,
      serviceCategoryId: w.home.serviceCategoryId,
      size: 'S',
      coatType: 'curly',
      price: 1,
      durationMinutes: 10,
      active: false,
    });
    const res = await request(app).get(itemsUrl()).query({ page: '1', size: '1' }).set(w.as.groomer);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { size: string; coatType: string }) => `${i.size}/${i.coatType}`)).toEqual([
      'M/all',
      'S/curly',
      'S/long',
    ]);
    expect(Object.keys(res.body.items[0]).sort()).toEqual([
      '_id',
      'active',
      'coatType',
      'durationMinutes',
      'price',
      'requiredResources',
      'size',
    ]);
  });

  test("when the service is unknown or another company's, then 404; a malformed id 400", async () => {
    await createServiceItem(w.other.companyId, w.other.serviceCategoryId);
    for (const id of [newObjectId(), w.other.serviceCategoryId])
      expect((await request(app).get(itemsUrl(id)).set(w.as.manager)).status).toBe(404);
    expect((await request(app).get(itemsUrl('nope')).set(w.as.manager)).status).toBe(400);
  });
});

describe('POST /catalog/services/:serviceId/items (C6)', () => {
  test('when the dashboard creates an "All sizes" variant without coatType (B-7, B-8), then 201 with size all and coatType all', async () => {
    const res = await create({
      _id: undefined,
      serviceId: String(w.home.serviceCategoryId),
      size: 'all',
      label: ' Any ',
      price: 25,
      active: true,
      durationMinutes: 45,
    });
    expect(res.status).toBe(201);
    expect(res.body.variant).toEqual(
      expect.objectContaining({
        _id: expect.any(String),
        size: 'all',
        coatType: 'all',
        label: 'Any',
        price: 25,
        durationMinutes: 45,
        active: true,
      }),
    );
    expect(String(res.body.variant.serviceCategoryId)).toBe(String(w.home.serviceCategoryId));
  });

  test('when durationMinutes is absent, then it is the sum of the required resources; a price string is read as a number', async () => {
    const tub = await createResourceType(w.home.companyId);
    const table = await createResourceType(w.home.companyId);
    const res = await create({
      size: 'L',
      coatType: 'double',
      price: '80',
      requiredResources: [
        { resourceTypeId: String(tub._id), durationMinutes: 30 },
        { resourceTypeId: String(table._id), quantity: 2, durationMinutes: 60 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.variant).toEqual(expect.objectContaining({ price: 80, durationMinutes: 90 }));
    expect(res.body.variant.requiredResources.map((r: { quantity: number }) => r.quantity)).toEqual([1, 2]);
  });

  test('when the same size and coat is created twice, even at once, then one is stored and the other is 400 DUPLICATE_VARIANT', async () => {
    const body = { size: 'S', coatType: 'short', price: 10, durationMinutes: 30 };
    const results = await Promise.all([create(body), create(body), create(body)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    const refused = results.find((r) => r.status === 400)!;
    expect(refused.body.error).toEqual({
      code: 'DUPLICATE_VARIANT',
      message: 'A variant with this size and coat type already exists for this service',
    });
    expect(await stored()).toHaveLength(1);
  });

  const rt = 'TYPE';
  test.each([
    ['MISSING_FIELDS', { price: 10 }],
    ['MISSING_FIELDS', { size: 'S' }],
    ['INVALID_PRICE', { size: 'S', price: -1, durationMinutes: 30 }],
    ['INVALID_PRICE', { size: 'S', price: 'ten', durationMinutes: 30 }],
    ['INVALID_REQUIRED_RESOURCES', { size: 'S', price: 1, requiredResources: 'tub' }],
    ['INVALID_REQUIRED_RESOURCES', { size: 'S', price: 1, requiredResources: [{ durationMinutes: 30 }] }],
    ['INVALID_REQUIRED_RESOURCES', { size: 'S', price: 1, requiredResources: [{ resourceTypeId: 'FOREIGN', durationMinutes: 30 }] }],
    ['INVALID_RESOURCE_QUANTITY', { size: 'S', price: 1, requiredResources: [{ resourceTypeId: rt, quantity: 0, durationMinutes: 30 }] }],
    ['INVALID_RESOURCE_QUANTITY', { size: 'S', price: 1, requiredResources: [{ resourceTypeId: rt, quantity: '2', durationMinutes: 30 }] }],
    ['INVALID_RESOURCE_DURATION', { size: 'S', price: 1, requiredResources: [{ resourceTypeId: rt, durationMinutes: 5 }] }],
    ['INVALID_DURATION', { size: 'S', price: 1 }],
    ['INVALID_DURATION', { size: 'S', price: 1, durationMinutes: 2000 }],
    ['INVALID_SIZE', { size: 'XXL', price: 1, durationMinutes: 30 }],
    ['INVALID_SIZE', { size: 's', price: 1, durationMinutes: 30 }],
    ['INVALID_COAT_TYPE', { size: 'S', price: 1, durationMinutes: 30, coatType: 'fluffy' }],
    ['VALIDATION_ERROR', { size: 'S', price: 1, durationMinutes: 30, label: 'x'.repeat(51) }],
  ])('when the body gives %s, then 400 with that code and nothing is stored', async (code, body: Record<string, unknown>) => {
    const own = await createResourceType(w.home.companyId);
    const foreign = await createResourceType(w.other.companyId);
    const fill = (r: Record<string, unknown>) => ({
      ...r,
      resourceTypeId: r.resourceTypeId === rt ? String(own._id) : r.resourceTypeId === 'FOREIGN' ? String(foreign._id) : r.resourceTypeId,
    });
    const send = Array.isArray(body.requiredResources) ? { ...body, requiredResources: body.requiredResources.map(fill) } : body;
    const res = await create(send);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await stored()).toHaveLength(0);
  });

  test("when the service is another company's or unknown, then 404 and nothing is stored anywhere", async () => {
    for (const id of [w.other.serviceCategoryId, newObjectId()]) {
      const res = await create({ size: 'S', price: 1, durationMinutes: 30 }, id);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'Service not found' });
    }
    expect(await ServiceItem.countDocuments({ companyId: w.other.companyId })).toBe(0);
  });

  test('when a receptionist or groomer creates a variant, then 403', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await request(app).post(itemsUrl()).set(auth).send({ size: 'S', price: 1, durationMinutes: 30 })).status).toBe(403);
    }
  });
});

describe('PUT/DELETE service items (C7-C10)', () => {
  let item: Awaited<ReturnType<typeof createServiceItem>>;
  beforeEach(async () => {
    item = await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'M', price: 40 });
  });
  const paths = () => [`/api/v1/catalog/service-items/${String(item._id)}`, `/api/v1/service-items/${String(item._id)}`];

  test('when updated on either path, then only the variant fields change: serviceId, serviceCategoryId and companyId in the body are not written', async () => {
    const other = await createService(w.home.companyId);
    for (const [i, url] of paths().entries()) {
      const res = await request(app)
        .put(url)
        .set(w.as.manager)
        .send({
          _id: String(item._id),
          companyId: String(w.home.companyId),
          serviceId: String(other._id),
          serviceCategoryId: String(other._id),
          size: 'all',
          price: 50 + i,
          active: false,
        });
      expect(res.status).toBe(200);
      expect(res.body.variant).toEqual(expect.objectContaining({ size: 'all', price: 50 + i, active: false }));
    }
    const [doc] = await stored();
    expect([String(doc!.serviceCategoryId), String(doc!.companyId)]).toEqual([String(w.home.serviceCategoryId), String(w.home.companyId)]);
  });

  test('when requiredResources change without a duration, then the duration is their sum; a foreign type is 400', async () => {
    const tub = await createResourceType(w.home.companyId);
    const url = paths()[0]!;
    const res = await request(app)
      .put(url)
      .set(w.as.manager)
      .send({ requiredResources: [{ resourceTypeId: String(tub._id), durationMinutes: 25 }] });
    expect(res.body.variant.durationMinutes).toBe(25);
    const foreign = await createResourceType(w.other.companyId);
    const bad = await request(app)
      .put(url)
      .set(w.as.manager)
      .send({ requiredResources: [{ resourceTypeId: String(foreign._id), durationMinutes: 25 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_REQUIRED_RESOURCES');
  });

  test('when updated into an existing variant, or with bad values, then 400 with the contract code; unknown or foreign item 404', async () => {
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'L' });
    const url = paths()[0]!;
    const put = (body: object, u = url) => request(app).put(u).set(w.as.manager).send(body);
    expect((await put({ size: 'L' })).body.error.code).toBe('DUPLICATE_VARIANT');
    expect((await put({ size: 'XXL' })).body.error.code).toBe('INVALID_SIZE');
    expect((await put({ coatType: 'fluffy' })).body.error.code).toBe('INVALID_COAT_TYPE');
    expect((await put({ durationMinutes: 5 })).body.error.code).toBe('INVALID_DURATION');
    expect((await put({ price: -3 })).body.error.code).toBe('INVALID_PRICE');
    const foreign = await createServiceItem(w.other.companyId, w.other.serviceCategoryId);
    for (const id of [newObjectId(), foreign._id]) {
      const res = await put({ price: 1 }, `/api/v1/catalog/service-items/${String(id)}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'Service item not found' });
    }
    expect((await stored()).find((d) => String(d._id) === String(item._id))!.size).toBe('M');
  });

  test('when deleted through the alias, then 200 with the message; again 404; a foreign item 404 and kept', async () => {
    const foreign = await createServiceItem(w.other.companyId, w.other.serviceCategoryId);
    const [catalogUrl, aliasUrl] = paths();
    const res = await request(app).delete(aliasUrl!).set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Service item deleted successfully' });
    expect((await request(app).delete(catalogUrl!).set(w.as.manager)).status).toBe(404);
    expect(
      (
        await request(app)
          .delete(`/api/v1/service-items/${String(foreign._id)}`)
          .set(w.as.manager)
      ).status,
    ).toBe(404);
    expect(await ServiceItem.countDocuments({ companyId: w.other.companyId })).toBe(1);
  });

  test('when a receptionist or groomer updates or deletes on either path, then 403; without a token 401', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      for (const url of paths()) {
        expect((await request(app).put(url).set(auth).send({ price: 1 })).status).toBe(403);
        expect((await request(app).delete(url).set(auth)).status).toBe(403);
      }
    }
    expect((await request(app).delete(paths()[1]!)).status).toBe(401);
    expect(await stored()).toHaveLength(1);
  });
});

describe('GET /company/:companyId/service-items-with-categories (CS3)', () => {
  test('when paginated, then variants with their service populated, grouped by service, with the pagination envelope', async () => {
    const bath = await createService(w.home.companyId, { name: 'Bath' });
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'S' });
    await createServiceItem(w.home.companyId, bath._id, { size: 'L' });
    await createServiceItem(w.home.companyId, w.home.serviceCategoryId, { size: 'L' });
    await createServiceItem(w.other.companyId, w.other.serviceCategoryId);
    const res = await request(app)
      .get(`/api/v1/company/${String(w.home.companyId)}/service-items-with-categories`)
      .query({ size: '2' })
      .set(w.as.groomer);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, size: 2, total: 3, totalPages: 2, hasNext: true, hasPrev: false });
    expect(
      res.body.items.map((i: { serviceCategoryId: { name: string }; size: string }) => `${i.serviceCategoryId.name}/${i.size}`),
    ).toEqual(['Full Groom/L', 'Full Groom/S']);
    expect(res.body.items[0].serviceCategoryId).toEqual({
      _id: String(w.home.serviceCategoryId),
      name: 'Full Groom',
      species: 'dog',
      requiresBath: false,
      active: true,
    });
  });
});
