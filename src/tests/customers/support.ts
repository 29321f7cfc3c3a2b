/** Shared by the customers suites: an app with a controllable clock and a company in Georgia with staff. */
import mongoose, { type Types } from 'mongoose';
import type request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { manualClock } from '../../utils/clock';
import { bearer, companyWithStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';

export const CUSTOMERS = '/api/v1/catalog/customers';
export const PETS = '/api/v1/catalog/pets';
export const NOW = new Date('2026-03-02T10:00:00.000Z');

export function customersApp() {
  const config = testConfig();
  const clock = manualClock(NOW);
  return { app: buildApp({ config, clock }), config, clock };
}

/** A company with one user of every role whose local numbers are Georgian (time zone Asia/Tbilisi, no country). */
export async function georgianCompany(config: ReturnType<typeof testConfig>) {
  const co = await companyWithStaff(config);
  await Company.updateOne({ _id: co.companyId }, { $set: { timezone: 'Asia/Tbilisi' } });
  return { ...co, manager: bearer(co.users.manager.token), receptionist: bearer(co.users.receptionist.token) };
}
export type TestCo = Awaited<ReturnType<typeof georgianCompany>>;

/** Sets fields the Company schema may not declare (e.g. `country`), as an operator's database would hold them. */
export async function setCompanyRaw(companyId: Types.ObjectId, fields: Record<string, unknown>): Promise<void> {
  await mongoose.connection.db!.collection('companies').updateOne({ _id: companyId }, { $set: fields });
}

/** A 400 in the E1 envelope naming `field` among its details. */
export function validationError(field: string) {
  return {
    error: {
      code: 'VALIDATION_ERROR',
      message: 'Validation failed',
      details: expect.arrayContaining([expect.objectContaining({ field })]),
    },
  };
}

export const errorOf = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });

/** The `_id`s of a list answer, in order. */
export const idsOf = (res: request.Response): string[] => (res.body.items as { _id: string }[]).map((i) => i._id);
