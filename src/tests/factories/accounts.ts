/**
 * Factories for companies, locations and staff, written straight to the test database (fast),
 * plus tokens for them. Use the HTTP flow (register/login) where the flow itself is under test.
 */
import bcrypt from 'bcrypt';
import { Types } from 'mongoose';
import type { Config } from '../../config/env';
import { Company } from '../../models/Company';
import { isServiceProvider, type StaffRole } from '../../models/constants';
import { Location } from '../../models/Location';
import { ServiceCategory } from '../../models/ServiceCategory';
import { User } from '../../models/User';
import { createTokenService } from '../../services/token.service';

let seq = 0;
const next = (): number => ++seq;

export const DEFAULT_PASSWORD = 'Passw0rd!ok';
let passwordHash: string | undefined;

async function hashDefault(): Promise<string> {
  passwordHash ??= await bcrypt.hash(DEFAULT_PASSWORD, 4);
  return passwordHash;
}

export interface TestCompany {
  companyId: Types.ObjectId;
  locationId: Types.ObjectId;
  serviceCategoryId: Types.ObjectId;
  name: string;
}

export async function createCompany(
  overrides: { name?: string; workHours?: { weekday: number; startTime: string; endTime: string }[] } = {},
): Promise<TestCompany> {
  const n = next();
  const name = overrides.name ?? `Company ${n}`;
  const company = await Company.create({
    name,
    email: `company${n}@example.com`,
    timezone: 'UTC',
    businessTypes: ['grooming'],
    settings: { workHours: overrides.workHours ?? [{ weekday: 1, startTime: '09:00', endTime: '17:00' }] },
  });
  const location = await Location.create({ companyId: company._id, label: 'Main', address: '1 Main Street', isMain: true });
  const category = await ServiceCategory.create({ companyId: company._id, name: 'Full Groom', species: 'dog', allowedRoles: ['groomer'] });
  return { companyId: company._id, locationId: location._id, serviceCategoryId: category._id, name };
}

export interface TestUser {
  userId: Types.ObjectId;
  email: string;
  password: string;
  role: StaffRole;
}

export async function createStaff(
  companyId: Types.ObjectId,
  role: StaffRole,
  overrides: { email?: string; isActive?: boolean; roles?: StaffRole[] } = {},
): Promise<TestUser> {
  const email = overrides.email ?? `${role}${next()}@example.com`;
  const user = await User.create({
    companyId,
    email,
    passwordHash: await hashDefault(),
    fullName: `${role} person`,
    role: overrides.roles?.[0] ?? role,
    roles: overrides.roles ?? [role],
    serviceProvider: isServiceProvider(overrides.roles ?? [role]),
    isActive: overrides.isActive ?? true,
  });
  return { userId: user._id, email, password: DEFAULT_PASSWORD, role };
}

/** An access token for a user, as login would issue it. */
export function accessTokenFor(config: Config, userId: Types.ObjectId): string {
  return createTokenService(config).signAccess(String(userId)).token;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A company with one user of every role, each with a token. */
export async function companyWithStaff(config: Config) {
  const company = await createCompany();
  const roles: StaffRole[] = ['manager', 'receptionist', 'groomer', 'veterinarian', 'vet_technician', 'trainer'];
  const users = {} as Record<StaffRole, TestUser & { token: string }>;
  for (const role of roles) {
    const u = await createStaff(company.companyId, role);
    users[role] = { ...u, token: accessTokenFor(config, u.userId) };
  }
  return { ...company, users };
}

export function newObjectId(): string {
  return new Types.ObjectId().toHexString();
}
