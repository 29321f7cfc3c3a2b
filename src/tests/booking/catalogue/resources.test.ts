/** Resources under /catalog (R1-R4) and /company/:companyId (R5-R8), with B-1/B-2, B-24, B-25, S-4 and S-5 fixed. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { Resource } from '../../../models/Resource';
import { newObjectId } from '../../factories/accounts';
import { type CatalogueWorld, catalogueWorld, createLocation, createResource, createResourceType } from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const CATALOG = '/api/v1/catalog/resources';

let w: CatalogueWorld;
let tubType: Awaited<ReturnType<typeof createResourceType>>;
beforeEach(async () => {
  w = await catalogueWorld(config);
  tubType = await createResourceType(w.home.companyId, { name: 'Tub' });
});

const company = (cid: unknown = w.home.companyId) => `/api/v1/company/${String(cid)}/resources`;
const stored = () => Resource.find({ companyId: w.home.companyId }).lean();

describe('GET resources (R1, R5)', () => {
  test('when listed, then items carry the populated resourceType (with category) sorted by type name then label (B-25)', async () => {
    const table = await createResourceType(w.home.companyId, { name: 'Table', category: 'space' });
    const loc = { locationId: w.home.locationId };
    await createResource(w.home.companyId, { ...loc, resourceTypeId: tubType._id }, { label: 'A tub' });
    await createResource(w.home.companyId, { ...loc, resourceTypeId: table._id }, { label: 'Z table' });
    await createResource(w.home.companyId, { ...loc, resourceTypeId: table._id }, { label: 'B table' });
    await createResource(w.other.companyId, { locationId: w.other.locationId, resourceTypeId: tubType._id }, { label: 'Foreign' });

    for (const url of [`${CATALOG}?companyId=${String(w.home.companyId)}`, company()]) {
      const res = await request(app).get(url).set(w.as.manager);
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { label: string }) => r.label)).toEqual(['B table', 'Z table', 'A tub']);
      expect(res.body.items[0]).toEqual(
        expect.objectContaining({
          _id: expect.any(String),
          label: 'B table',
          species: ['all'],
          active: true,
          resourceType: { _id: String(table._id), name: 'Table', category: 'space', color: '#6B7280', icon: 'cube' },
        }),
      );
    }
  });

  test('when filtered by locationId, then only that location; a malformed locationId is 400, not 500 (B-24)', async () => {
    const branch = await createLocation(w.home.companyId);
    await createResource(w.home.companyId, { locationId: w.home.locationId, resourceTypeId: tubType._id }, { label: 'main' });
    await createResource(w.home.companyId, { locationId: branch._id, resourceTypeId: tubType._id }, { label: 'branch' });
    const res = await request(app)
      .get(CATALOG)
      .query({ locationId: String(branch._id) })
      .set(w.as.receptionist);
    expect(res.body.items.map((r: { label: string }) => r.label)).toEqual(['branch']);
    const bad = await request(app).get(CATALOG).query({ locationId: 'xyz' }).set(w.as.manager);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when a groomer reads, then /catalog says 403 and /company answers; a foreign :companyId is 403 (S-4)', async () => {
    expect((await request(app).get(CATALOG).set(w.as.groomer)).status).toBe(403);
    expect((await request(app).get(company()).set(w.as.groomer)).status).toBe(200);
    const foreign = await request(app).get(company(w.other.companyId)).set(w.as.manager);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('FORBIDDEN');
  });
});

describe('POST resources (R2, R6)', () => {
  test('when the appointments client posts {companyId, resourceData} without a location (B-2), then 201 at the main location, capacity dropped', async () => {
    const res = await request(app)
      .post(CATALOG)
      .set(w.as.manager)
      .send({ companyId: String(w.home.companyId), resourceData: { resourceTypeId: String(tubType._id), label: '  Tub 3 ', capacity: 2 } });

    expect(res.status).toBe(201);
    expect(res.body.resource).toEqual(
      expect.objectContaining({
        _id: expect.any(String),
        id: expect.any(String),
        label: 'Tub 3',
        locationId: String(w.home.locationId),
        species: ['all'],
        active: true,
        resourceType: expect.objectContaining({ _id: String(tubType._id), name: 'Tub' }),
      }),
    );
    const [doc] = await Resource.collection.find({ companyId: w.home.companyId }).toArray();
    expect(doc).not.toHaveProperty('capacity');
  });

  test('when the company client posts the flat body to /company/:cid/resources, then 201 with species and location as given', async () => {
    const branch = await createLocation(w.home.companyId);
    const res = await request(app)
      .post(company())
      .set(w.as.manager)
      .send({ resourceTypeId: String(tubType._id), label: 'Cat tub', species: 'cat', locationId: String(branch._id), active: false });
    expect(res.status).toBe(201);
    expect(res.body.resource).toEqual(expect.objectContaining({ species: ['cat'], locationId: String(branch._id), active: false }));
  });

  test.each([
    ['MISSING_FIELDS', { label: 'x' }],
    ['MISSING_FIELDS', { resourceTypeId: 'TYPE', label: '  ' }],
    ['INVALID_RESOURCE_TYPE', { resourceTypeId: 'nope', label: 'x' }],
    ['INVALID_RESOURCE_TYPE', { resourceTypeId: 'FOREIGN_TYPE', label: 'x' }],
    ['INVALID_LOCATION', { resourceTypeId: 'TYPE', label: 'x', locationId: 'FOREIGN_LOCATION' }],
    ['INVALID_LOCATION', { resourceTypeId: 'TYPE', label: 'x', locationId: 'bad' }],
    ['INVALID_SPECIES', { resourceTypeId: 'TYPE', label: 'x', species: ['dog', 'bird'] }],
    ['INVALID_SPECIES', { resourceTypeId: 'TYPE', label: 'x', species: [] }],
    ['VALIDATION_ERROR', { resourceTypeId: 'TYPE', label: 'x'.repeat(51) }],
  ])('when the body gives %s, then 400 with that code and nothing is stored', async (code, body: Record<string, unknown>) => {
    const foreignType = await createResourceType(w.other.companyId);
    const fill = (v: unknown) =>
      v === 'TYPE'
        ? String(tubType._id)
        : v === 'FOREIGN_TYPE'
          ? String(foreignType._id)
          : v === 'FOREIGN_LOCATION'
            ? String(w.other.locationId)
            : v;
    const send = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v)]));
    const res = await request(app).post(CATALOG).set(w.as.manager).send(send);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await stored()).toHaveLength(0);
  });

  test('when a receptionist or groomer creates through /company (S-5) or /catalog, then 403', async () => {
    const body = { resourceTypeId: String(tubType._id), label: 'x' };
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await request(app).post(company()).set(auth).send(body)).status).toBe(403);
      expect((await request(app).post(CATALOG).set(auth).send(body)).status).toBe(403);
    }
    expect(await stored()).toHaveLength(0);
  });

  test("when the body names another company's id (S-4), then 403", async () => {
    const res = await request(app)
      .post(CATALOG)
      .set(w.as.manager)
      .send({ companyId: String(w.other.companyId), resourceData: { resourceTypeId: String(tubType._id), label: 'x' } });
    expect(res.status).toBe(403);
  });
});

describe('PUT and DELETE resources (R3, R4, R7, R8)', () => {
  let resource: Awaited<ReturnType<typeof createResource>>;
  beforeEach(async () => {
    resource = await createResource(w.home.companyId, { locationId: w.home.locationId, resourceTypeId: tubType._id }, { label: 'Tub 1' });
  });

  test('when updated through /company/undefined/resources/:id (the dashboard), then only documented fields change, never the location', async () => {
    const table = await createResourceType(w.home.companyId, { name: 'Table' });
    const branch = await createLocation(w.home.companyId);
    const res = await request(app)
      .put(`${company('undefined')}/${String(resource._id)}`)
      .set(w.as.manager)
      .send({
        label: 'Tub one',
        resourceTypeId: String(table._id),
        species: ['dog', 'dog'],
        active: false,
        locationId: String(branch._id),
        capacity: 3,
      });
    expect(res.status).toBe(200);
    expect(res.body.resource).toEqual(
      expect.objectContaining({ label: 'Tub one', species: ['dog'], active: false, locationId: String(w.home.locationId) }),
    );
    expect(res.body.resource.resourceType).toEqual(expect.objectContaining({ name: 'Table' }));
  });

  test("when updating with another company's type, a bad species, an unknown or foreign id, or `undefined` as id, then 400/404", async () => {
    const foreignType = await createResourceType(w.other.companyId);
    const foreign = await createResource(w.other.companyId, { locationId: w.other.locationId, resourceTypeId: foreignType._id });
    const put = (id: unknown, body: object) =>
      request(app)
        .put(`${CATALOG}/${String(id)}`)
        .set(w.as.manager)
        .send(body);
    expect((await put(resource._id, { resourceTypeId: String(foreignType._id) })).body.error.code).toBe('INVALID_RESOURCE_TYPE');
    expect((await put(resource._id, { species: 'bird' })).body.error.code).toBe('INVALID_SPECIES');
    for (const id of [newObjectId(), foreign._id]) {
      const res = await put(id, { label: 'mine now' });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'Resource not found' });
    }
    expect((await put('undefined', { label: 'x' })).status).toBe(400);
    expect((await Resource.findOne({ _id: foreign._id, companyId: w.other.companyId }).lean())!.label).not.toBe('mine now');
  });

  test('when deleted, then 200 with the deleted resource; again, 404; a foreign resource is 404 and stays', async () => {
    const foreign = await createResource(w.other.companyId, { locationId: w.other.locationId, resourceTypeId: tubType._id });
    const res = await request(app)
      .delete(`${company('undefined')}/${String(resource._id)}`)
      .set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Resource deleted',
      resource: expect.objectContaining({ _id: String(resource._id), label: 'Tub 1' }),
    });
    expect(
      (
        await request(app)
          .delete(`${CATALOG}/${String(resource._id)}`)
          .set(w.as.manager)
      ).status,
    ).toBe(404);
    expect(
      (
        await request(app)
          .delete(`${CATALOG}/${String(foreign._id)}`)
          .set(w.as.manager)
      ).status,
    ).toBe(404);
    expect(await Resource.countDocuments({ companyId: w.other.companyId })).toBe(1);
  });

  test('when a receptionist or groomer updates or deletes through /company (S-5), then 403 and the resource is unchanged', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect(
        (
          await request(app)
            .put(`${company()}/${String(resource._id)}`)
            .set(auth)
            .send({ label: 'x' })
        ).status,
      ).toBe(403);
      expect(
        (
          await request(app)
            .delete(`${company()}/${String(resource._id)}`)
            .set(auth)
        ).status,
      ).toBe(403);
    }
    expect((await stored()).map((r) => r.label)).toEqual(['Tub 1']);
  });
});
