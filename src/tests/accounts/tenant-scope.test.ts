/**
 * The tenant-scope guard on tenant-owned models: a query that does not name exactly one company
 * is refused before it reaches MongoDB, unless it is marked crossTenant().
 */
import { Location } from '../../models/Location';
import { Message } from '../../models/Message';
import { crossTenant, TenantScopeError } from '../../models/plugins/tenantScoped';
import { createCompany } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

let companyId: string;
beforeEach(async () => {
  companyId = String((await createCompany()).companyId);
});

test('when a query names one company (plain id, string or $eq, also inside $and), then it runs', async () => {
  await expect(Location.find({ companyId }).lean()).resolves.toHaveLength(1);
  await expect(Location.countDocuments({ companyId: { $eq: companyId } })).resolves.toBe(1);
  await expect(Location.find({ $and: [{ companyId }, { label: { $exists: true } }] }).lean()).resolves.toHaveLength(1);
  await expect(Message.find({ company_id: companyId }).lean()).resolves.toEqual([]);
});

test.each<[string, (id: string) => Record<string, unknown>]>([
  ['no filter', () => ({})],
  ['a null companyId', () => ({ companyId: null })],
  ['$ne', (id) => ({ companyId: { $ne: id } })],
  ['$exists', () => ({ companyId: { $exists: true } })],
  ['$in', (id) => ({ companyId: { $in: [id] } })],
  ['$gt', () => ({ companyId: { $gt: '000000000000000000000000' } })],
  ['$eq of an operator', () => ({ companyId: { $eq: { $ne: null } } })],
  ['only inside $or', (id) => ({ $or: [{ companyId: id }, { label: 'x' }] })],
])('when a query filters with %s, then it is refused with TenantScopeError', async (_name, filterFor) => {
  const filter = filterFor(companyId);
  await expect(Location.find(filter).lean()).rejects.toBeInstanceOf(TenantScopeError);
  await expect(Location.updateMany(filter, { $set: { label: 'Taken' } })).rejects.toBeInstanceOf(TenantScopeError);
  expect(await Location.countDocuments({ companyId, label: 'Taken' })).toBe(0);
});

test('when an aggregation does not start by matching one company, then it is refused; crossTenant() lets a deliberate one run', async () => {
  await expect(Location.aggregate([{ $match: { companyId: { $exists: true } } }])).rejects.toBeInstanceOf(TenantScopeError);
  await expect(Location.aggregate([{ $sort: { label: 1 } }])).rejects.toBeInstanceOf(TenantScopeError);
  const all = await crossTenant(Location.aggregate([{ $match: { companyId: { $exists: true } } }]));
  expect(all).toHaveLength(1);
  await expect(crossTenant(Location.find({})).lean()).resolves.toHaveLength(1);
});
