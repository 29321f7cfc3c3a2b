/** /company/:companyId/resource-types (T1-T4), with B-6 (category stored), S-4, S-5 and the service-item check on delete. */
import request from 'supertest';
import { buildApp } from '../../../app';
import { ResourceType } from '../../../models/ResourceType';
import { newObjectId } from '../../factories/accounts';
import {
  type CatalogueWorld,
  catalogueWorld,
  createResource,
  createResourceType,
  createService,
  createServiceItem,
} from '../../factories/catalogue';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let w: CatalogueWorld;
beforeEach(async () => {
  w = await catalogueWorld(config);
});

const url = (cid: unknown = w.home.companyId) => `/api/v1/company/${String(cid)}/resource-types`;
const inDb = (id: unknown) => ResourceType.findOne({ _id: id, companyId: w.home.companyId }).lean();

describe('GET /company/:companyId/resource-types (T1)', () => {
  test('when listed, then sorted by category then name; the category filter works (B-6); other companies are not listed', async () => {
    await createResourceType(w.home.companyId, { name: 'Tub', category: 'equipment' });
    await createResourceType(w.home.companyId, { name: 'Room', category: 'space' });
    await createResourceType(w.home.companyId, { name: 'Dryer', category: 'equipment' });
    await createResourceType(w.other.companyId, { name: 'Foreign', category: 'equipment' });

    const all = await request(app).get(url()).set(w.as.groomer);
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { name: string; category: string }) => `${t.category}/${t.name}`)).toEqual([
      'equipment/Dryer',
      'equipment/Tub',
      'space/Room',
    ]);
    expect(all.body.items[0]).not.toHaveProperty('resources');
    const spaces = await request(app).get(url()).query({ category: 'space' }).set(w.as.manager);
    expect(spaces.body.items.map((t: { name: string }) => t.name)).toEqual(['Room']);
    expect((await request(app).get(url()).query({ category: 'all' }).set(w.as.manager)).body.items).toHaveLength(3);
    expect((await request(app).get(url()).query({ category: 'furniture' }).set(w.as.manager)).status).toBe(400);
  });

  test('when includeResources=TRUE, then each type carries its resources sorted by label with label, active, resourceTypeId, locationId, species', async () => {
    const tub = await createResourceType(w.home.companyId, { name: 'Tub' });
    const refs = { locationId: w.home.locationId, resourceTypeId: tub._id };
    await createResource(w.home.companyId, refs, { label: 'Tub B', species: ['dog'] });
    await createResource(w.home.companyId, refs, { label: 'Tub A', active: false });

    const res = await request(app).get(url()).query({ includeResources: 'TRUE' }).set(w.as.receptionist);

    expect(res.status).toBe(200);
    expect(res.body.items[0].resources).toEqual([
      {
        _id: expect.any(String),
        label: 'Tub A',
        active: false,
        resourceTypeId: String(tub._id),
        locationId: String(w.home.locationId),
        species: ['all'],
      },
      {
        _id: expect.any(String),
        label: 'Tub B',
        active: true,
        resourceTypeId: String(tub._id),
        locationId: String(w.home.locationId),
        species: ['dog'],
      },
    ]);
  });

  test("when the path names another company (S-4), then 403; `undefined` means the caller's company", async () => {
    await createResourceType(w.home.companyId);
    expect((await request(app).get(url(w.other.companyId)).set(w.as.manager)).status).toBe(403);
    expect((await request(app).get(url('undefined')).set(w.as.manager)).body.items).toHaveLength(1);
    expect((await request(app).get(url('garbage')).set(w.as.manager)).status).toBe(400);
    // B49: a vet of the company reads the catalogue too (the original's role gate left them out).
    expect((await request(app).get(url()).set(w.as.veterinarian)).status).toBe(200);
  });
});

describe('POST /company/:companyId/resource-types (T2)', () => {
  test('when created, then 201 {resourceType} with id virtual, the category stored (B-6), defaults applied, extra keys dropped', async () => {
    const res = await request(app)
      .post(url())
      .set(w.as.manager)
      .send({
        name: ' Drying Station ',
        category: 'space',
        description: ' Warm air ',
        companyId: String(w.home.companyId),
        _id: newObjectId(),
      });
    expect(res.status).toBe(201);
    expect(res.body.resourceType).toEqual(
      expect.objectContaining({
        _id: expect.any(String),
        id: res.body.resourceType._id,
        name: 'Drying Station',
        category: 'space',
        description: 'Warm air',
        color: '#6B7280',
        icon: 'cube',
        active: true,
      }),
    );
    expect((await inDb(res.body.resourceType._id))!.category).toBe('space');
  });

  test.each([
    ['MISSING_FIELDS', { category: 'space' }],
    ['MISSING_FIELDS', { name: 'Tub' }],
    ['INVALID_CATEGORY', { name: 'Tub', category: 'furniture' }],
    ['INVALID_COLOR', { name: 'Tub', category: 'space', color: '#12345678' }],
    ['VALIDATION_ERROR', { name: 'x'.repeat(101), category: 'space' }],
  ])('when the body gives %s, then 400 with that code (never a 500)', async (code, body) => {
    const res = await request(app).post(url()).set(w.as.manager).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await ResourceType.countDocuments({ companyId: w.home.companyId })).toBe(0);
  });

  test('when a receptionist or groomer creates one (S-5), then 403', async () => {
    for (const auth of [w.as.receptionist, w.as.groomer]) {
      expect((await request(app).post(url()).set(auth).send({ name: 'Tub', category: 'space' })).status).toBe(403);
    }
  });
});

describe('PUT /company/:companyId/resource-types/:id (T3)', () => {
  test('when updated, then the fields change (category too), an empty description is removed', async () => {
    const type = await ResourceType.create({ companyId: w.home.companyId, name: 'Tub', category: 'equipment', description: 'old' });
    const res = await request(app)
      .put(`${url()}/${String(type._id)}`)
      .set(w.as.manager)
      .send({ name: 'Big tub', category: 'supply', description: '', color: '#FF0000', active: false });
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toEqual(
      expect.objectContaining({ name: 'Big tub', category: 'supply', color: '#FF0000', active: false }),
    );
    expect(res.body.resourceType).not.toHaveProperty('description');
  });

  test("when the type is unknown or another company's, then 404; a bad category 400; a groomer 403", async () => {
    const foreign = await createResourceType(w.other.companyId, { name: 'Foreign' });
    for (const id of [newObjectId(), foreign._id]) {
      const res = await request(app)
        .put(`${url()}/${String(id)}`)
        .set(w.as.manager)
        .send({ name: 'Mine' });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'Resource type not found' });
    }
    const own = await createResourceType(w.home.companyId);
    expect(
      (
        await request(app)
          .put(`${url()}/${String(own._id)}`)
          .set(w.as.manager)
          .send({ category: 'x' })
      ).body.error.code,
    ).toBe('INVALID_CATEGORY');
    expect(
      (
        await request(app)
          .put(`${url()}/${String(own._id)}`)
          .set(w.as.groomer)
          .send({ name: 'x' })
      ).status,
    ).toBe(403);
  });
});

describe('DELETE /company/:companyId/resource-types/:id (T4)', () => {
  test('when unused, then 200 {message, resourceType} and it is gone', async () => {
    const type = await createResourceType(w.home.companyId, { name: 'Tub' });
    const res = await request(app)
      .delete(`${url()}/${String(type._id)}`)
      .set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Resource type deleted',
      resourceType: expect.objectContaining({ _id: String(type._id), name: 'Tub' }),
    });
    expect(await inDb(type._id)).toBeNull();
  });

  test('when resources use it, then 400 IN_USE with the count and it stays', async () => {
    const type = await createResourceType(w.home.companyId);
    await createResource(w.home.companyId, { locationId: w.home.locationId, resourceTypeId: type._id });
    await createResource(w.home.companyId, { locationId: w.home.locationId, resourceTypeId: type._id });
    const res = await request(app)
      .delete(`${url()}/${String(type._id)}`)
      .set(w.as.manager);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'IN_USE', message: 'Cannot delete resource type. 2 resources are using it.' });
    expect(await inDb(type._id)).not.toBeNull();
  });

  test("when a service item's requiredResources use it, then 400 IN_USE saying so and it stays", async () => {
    const type = await createResourceType(w.home.companyId);
    const service = await createService(w.home.companyId);
    await createServiceItem(w.home.companyId, service._id, { requiredResources: [{ resourceTypeId: type._id, durationMinutes: 30 }] });
    const res = await request(app)
      .delete(`${url()}/${String(type._id)}`)
      .set(w.as.manager);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'IN_USE', message: 'Cannot delete resource type. 1 service items require it.' });
    expect(await inDb(type._id)).not.toBeNull();
  });

  test("when the type is another company's, then 404 and it stays; a receptionist gets 403", async () => {
    const foreign = await createResourceType(w.other.companyId);
    expect(
      (
        await request(app)
          .delete(`${url()}/${String(foreign._id)}`)
          .set(w.as.manager)
      ).status,
    ).toBe(404);
    expect(await ResourceType.countDocuments({ companyId: w.other.companyId })).toBe(1);
    const own = await createResourceType(w.home.companyId);
    expect(
      (
        await request(app)
          .delete(`${url()}/${String(own._id)}`)
          .set(w.as.receptionist)
      ).status,
    ).toBe(403);
  });
});
