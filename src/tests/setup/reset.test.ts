/**
 * POST /api/v1/setup/company/:companyId/reset-services and reset-resources: business-type aware,
 * what pointed at the old catalogue carried over by name, refused while upcoming appointments
 * depend on what would be deleted (unless forced), and all-or-nothing when a step fails.
 */
import { buildApp } from '../../app';
import { Appointment } from '../../models/Appointment';
import { Location } from '../../models/Location';
import { Resource } from '../../models/Resource';
import { ResourceReservation } from '../../models/ResourceReservation';
import { ResourceType } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { User } from '../../models/User';
import { createStaff } from '../factories/accounts';
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

describe('reset-services', () => {
  test('when a manager resets, then edited and added services are replaced by the seed, resources are untouched', async () => {
    await ServiceCategory.updateOne({ companyId: co.companyId, name: 'Full Groom' }, { $set: { name: 'Deluxe Groom' } });
    await ServiceCategory.create({ companyId: co.companyId, name: 'Teeth Brushing', species: 'dog' });
    const before = await catalogue(co.companyId);

    const res = await reset(co, 'reset-services');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { serviceCategories: 6, serviceItems: 15 },
      message: 'Company services reset to defaults successfully',
    });
    const after = await catalogue(co.companyId);
    expect(names(after.services)).toEqual(GROOMING_SERVICES);
    expect(after.items).toHaveLength(15);
    expect(ids(after.services).filter((id) => ids(before.services).includes(id))).toEqual([]);
    expect(ids(after.resources)).toEqual(ids(before.resources));
    expect(ids(after.resourceTypes)).toEqual(ids(before.resourceTypes));
  });

  test("when a vet clinic resets, then it gets the vet seed (business-type aware), not the original's grooming defaults", async () => {
    const vet = await provisionedCompany(config, ['vet']);
    await ServiceCategory.deleteMany({ companyId: vet.companyId });
    const res = await reset(vet, 'reset-services');
    expect(res.status).toBe(200);
    expect(names((await catalogue(vet.companyId)).services)).toEqual([
      'Cat Wellness Exam',
      'Dental Cleaning',
      'Emergency Visit',
      'Vaccination',
      'Wellness Exam',
    ]);
  });

  test('when another company resets, then this one keeps its catalogue (tenant isolation)', async () => {
    const other = await provisionedCompany(config, ['training']);
    const before = await catalogue(co.companyId);
    expect((await reset(other, 'reset-all')).status).toBe(200);
    expect(await catalogue(co.companyId)).toEqual(before);
  });

  test('when staff were assigned services, then they keep the services of the same name, or those their roles may perform', async () => {
    const old = await ServiceCategory.find({ companyId: co.companyId }).lean();
    const byName = (n: string) => old.find((c) => c.name === n)!._id;
    const custom = await ServiceCategory.create({ companyId: co.companyId, name: 'Teeth Brushing', species: 'dog' });
    const picky = await createStaff(co.companyId, 'groomer');
    const onlyCustom = await createStaff(co.companyId, 'groomer');
    const everything = await createStaff(co.companyId, 'groomer');
    await User.updateOne(
      { _id: picky.userId, companyId: co.companyId },
      { $set: { serviceCategoryIds: [byName('Full Groom'), byName('Cat Groom'), custom._id] } },
    );
    await User.updateOne({ _id: onlyCustom.userId, companyId: co.companyId }, { $set: { serviceCategoryIds: [custom._id] } });

    expect((await reset(co, 'reset-services')).status).toBe(200);
    const fresh = await ServiceCategory.find({ companyId: co.companyId }).lean();
    const nameOf = new Map(fresh.map((c) => [String(c._id), c.name]));
    const assigned = async (userId: unknown) =>
      ((await User.findOne({ _id: userId, companyId: co.companyId }).lean())!.serviceCategoryIds ?? [])
        .map((id) => nameOf.get(String(id)) ?? 'deleted')
        .sort();
    expect(await assigned(picky.userId)).toEqual(['Cat Groom', 'Full Groom']);
    expect(await assigned(onlyCustom.userId)).toEqual(GROOMING_SERVICES);
    expect(await assigned(everything.userId)).toEqual([]);
  });

  test('when upcoming appointments use the services, then 409 E3 UPCOMING_APPOINTMENTS with their number and nothing changes', async () => {
    await appointment(co, 24);
    await appointment(co, 48);
    await appointment(co, -48);
    await appointment(co, 72, 'canceled');
    const before = await catalogue(co.companyId);
    const res = await reset(co, 'reset-services');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      success: false,
      error: {
        code: 'UPCOMING_APPOINTMENTS',
        message: expect.stringMatching(/^2 upcoming appointments use .*force=true/),
        appointments: 2,
      },
    });
    expect(await catalogue(co.companyId)).toEqual(before);
  });

  test('when forced, then the services are reset and the appointments stay booked with their old service reference', async () => {
    const id = await appointment(co, 24);
    const res = await reset(co, 'reset-services', '?force=true');
    expect(res.status).toBe(200);
    const appt = (await Appointment.findOne({ _id: id, companyId: co.companyId }).lean())!;
    expect(appt.status).toBe('scheduled');
    expect(await ServiceCategory.countDocuments({ companyId: co.companyId, _id: appt.serviceId })).toBe(0);
  });

  test.each(['?force=yes', '?force=true&force=true', '?companyId=x'])('when the query is %s, then 400 VALIDATION_ERROR', async (q) => {
    const res = await reset(co, 'reset-services', q);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when the last step fails after services were replaced and one staff member remapped, then 500 E3 SERVICE_RESET_FAILED and all is as it was', async () => {
    const first = await ServiceCategory.findOne({ companyId: co.companyId, name: 'Full Groom' }).lean();
    const staff = [await createStaff(co.companyId, 'groomer'), await createStaff(co.companyId, 'groomer')];
    for (const s of staff) await User.updateOne({ _id: s.userId, companyId: co.companyId }, { $set: { serviceCategoryIds: [first!._id] } });
    const before = await catalogue(co.companyId);
    // The second staff update fails: the deletes, the new services and the first update are already written.
    const real = User.updateOne.bind(User);
    let calls = 0;
    const update = jest
      .spyOn(User, 'updateOne')
      .mockImplementation(((...args: Parameters<typeof real>) =>
        ++calls === 2 ? Promise.reject(new Error('disk full')) : real(...args)) as never);
    try {
      const res = await reset(co, 'reset-services');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ success: false, error: { code: 'SERVICE_RESET_FAILED', message: 'Failed to reset company services' } });
      expect(calls).toBe(2);
    } finally {
      update.mockRestore();
    }
    expect(await catalogue(co.companyId)).toEqual(before);
    for (const s of staff) {
      const stored = (await User.findOne({ _id: s.userId, companyId: co.companyId }).lean())!;
      expect(stored.serviceCategoryIds!.map(String)).toEqual([String(first!._id)]);
    }
  });
});

describe('reset-resources', () => {
  test('when a manager resets, then resources and types are the seed again at the main location, services untouched', async () => {
    await Resource.updateMany({ companyId: co.companyId }, { $set: { label: 'Renamed' } });
    const branch = await Location.create({ companyId: co.companyId, label: 'Branch', address: '2 Side Road' });
    const type = await ResourceType.findOne({ companyId: co.companyId }).lean();
    await Resource.create({ companyId: co.companyId, locationId: branch._id, resourceTypeId: type!._id, label: 'Extra', species: ['all'] });
    const before = await catalogue(co.companyId);

    const res = await reset(co, 'reset-resources');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { resourceTypes: 3, resources: 4 },
      message: 'Company resources reset to defaults successfully',
    });
    const after = await catalogue(co.companyId);
    expect(names(after.resources)).toEqual(GROOMING_RESOURCES);
    expect(after.resources.every((r) => String(r.locationId) === String(co.locationId))).toBe(true);
    expect(names(after.resourceTypes)).toEqual(['Drying Station', 'Grooming Table', 'Grooming Tub']);
    expect(ids(after.services)).toEqual(ids(before.services));
  });

  test('when service items require resource types, then they point at the new type of the same name; unknown types are dropped', async () => {
    const tub = (await ResourceType.findOne({ companyId: co.companyId, name: 'Grooming Tub' }).lean())!;
    const own = await ResourceType.create({ companyId: co.companyId, name: 'Hydro Bath' });
    const item = (await ServiceItem.findOne({ companyId: co.companyId, label: 'Full Groom - S' }).lean())!;
    await ServiceItem.updateOne(
      { _id: item._id, companyId: co.companyId },
      {
        $set: {
          requiredResources: [
            { resourceTypeId: tub._id, quantity: 1, durationMinutes: 30 },
            { resourceTypeId: own._id, durationMinutes: 20 },
          ],
        },
      },
    );

    expect((await reset(co, 'reset-resources')).status).toBe(200);
    const newTub = (await ResourceType.findOne({ companyId: co.companyId, name: 'Grooming Tub' }).lean())!;
    expect(String(newTub._id)).not.toBe(String(tub._id));
    const required = (await ServiceItem.findOne({ _id: item._id, companyId: co.companyId }).lean())!.requiredResources;
    expect(required.map((r) => [String(r.resourceTypeId), r.quantity, r.durationMinutes])).toEqual([[String(newTub._id), 1, 30]]);
  });

  test('when upcoming appointments hold resources, then 409 unless forced; forced, their holds are released', async () => {
    const appt = await appointment(co, 24);
    await reserveResource(co, appt);
    const refused = await reset(co, 'reset-resources');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'UPCOMING_APPOINTMENTS', appointments: 1 });

    expect((await reset(co, 'reset-resources', '?force=true')).status).toBe(200);
    expect(await ResourceReservation.countDocuments({ companyId: co.companyId })).toBe(0);
    expect((await Appointment.findOne({ _id: appt, companyId: co.companyId }).lean())!.status).toBe('scheduled');
  });

  test('when the company has no location, then a main location is created for the resources (B7)', async () => {
    await Resource.deleteMany({ companyId: co.companyId });
    await Location.deleteMany({ companyId: co.companyId });
    const res = await reset(co, 'reset-resources');
    expect(res.status).toBe(200);
    const locations = await Location.find({ companyId: co.companyId }).lean();
    expect(locations).toEqual([expect.objectContaining({ label: 'Main', isMain: true, timezone: 'Europe/London' })]);
    const resources = await Resource.find({ companyId: co.companyId }).lean();
    expect(resources.every((r) => String(r.locationId) === String(locations[0]!._id))).toBe(true);
  });
});
