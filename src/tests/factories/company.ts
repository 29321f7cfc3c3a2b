/**
 * For the company suites: a company with a token per role and a second company to prove
 * isolation against, and prompts of the global AI library.
 */
import type { Types } from 'mongoose';
import type { Config } from '../../config/env';
import { AIPrompt } from '../../models/AIPrompt';
import { STAFF_ROLES, type StaffRole } from '../../models/constants';
import { bearer, companyWithStaff } from './accounts';

export async function companyWorld(config: Config) {
  const home = await companyWithStaff(config);
  const other = await companyWithStaff(config);
  const as = Object.fromEntries(STAFF_ROLES.map((r) => [r, bearer(home.users[r].token)])) as Record<StaffRole, { Authorization: string }>;
  return { home, other, as, otherManager: bearer(other.users.manager.token) };
}
export type CompanyWorld = Awaited<ReturnType<typeof companyWorld>>;

let seq = 0;

export async function createPrompt(overrides: { isActive?: boolean } = {}) {
  const n = ++seq;
  return AIPrompt.create({
    name: `Friendly groomer ${n}`,
    category: 'pet_grooming',
    businessType: 'Grooming Salon',
    description: 'A prompt for grooming salons',
    systemInstruction: `You are the assistant of a grooming salon (${n}).`,
    role: 'Salon receptionist',
    customerSupportRules: 'Be kind.',
    ...overrides,
  });
}

export async function promptUsage(id: Types.ObjectId): Promise<number | undefined> {
  return (await AIPrompt.findById(id).lean())?.usageCount;
}
