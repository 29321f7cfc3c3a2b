/**
 * Registration, login, refresh and logout. Registration creates the company, its manager, its
 * locations and the business-type defaults in one transaction: all of it exists afterwards or
 * none of it does. Responses keep the contract's shapes (register: `user._id` and a numeric
 * tokenExpiry; login/refresh: `user.id` and an ISO tokenExpiry).
 */
import bcrypt from 'bcrypt';
import mongoose, { Types } from 'mongoose';
import type { Config } from '../config/env';
import { companyDefaults, DEFAULT_USER_PICTURE } from '../config/companyDefaults';
import { Company, type CompanyDoc } from '../models/Company';
import { Location } from '../models/Location';
import { crossTenant } from '../models/plugins/tenantScoped';
import { User, type UserFields } from '../models/User';
import type { Clock } from '../utils/clock';
import { AppError, ConflictError } from '../utils/errors';
import { moduleLogger } from '../utils/logger';
import type { LoginBody, RegisterBody } from '../validators/auth.schemas';
import { createLockoutService } from './lockout.service';
import { provisionCompanyDefaults } from './provisioning.service';
import { createSessionService, type IssuedRefresh } from './session.service';
import { createTokenService, invalidRefresh } from './token.service';

const log = moduleLogger('auth');

export interface ClientMeta {
  ip: string;
  userAgent?: string | undefined;
}

interface AuthResult {
  body: Record<string, unknown>;
  refresh: IssuedRefresh;
}

const invalidCredentials = (): AppError => new AppError(401, 'INVALID_CREDENTIALS', 'Invalid email or password');

/** A hash to compare against when the email is unknown, so both paths take as long. */
let dummyHash: string | undefined;

async function companyJson(companyId: Types.ObjectId | string): Promise<Record<string, unknown> | null> {
  const company: CompanyDoc | null = await Company.findById(companyId);
  return company ? (company.toJSON() as Record<string, unknown>) : null;
}

export function createAuthService(config: Config, clock: Clock) {
  const tokens = createTokenService(config);
  const sessions = createSessionService(tokens, clock);
  const lockout = createLockoutService(clock);

  const hashPassword = (password: string): Promise<string> => bcrypt.hash(password, config.bcryptSaltRounds);

  async function register(input: RegisterBody, meta: ClientMeta): Promise<AuthResult> {
    const { company: c, user: u } = input;
    if (await crossTenant(User.exists({ email: u.email }))) throw new ConflictError('User email is already taken', 'EMAIL_TAKEN');
    if (await Company.exists({ email: c.email })) throw new ConflictError('Company with this email already exists', 'DUPLICATE_COMPANY');
    const passwordHash = await hashPassword(u.password);
    const fullName = u.fullName ?? `${u.firstName} ${u.lastName}`;
    const businessTypes = c.businessTypes ?? [];

    let result: { userId: Types.ObjectId; companyId: Types.ObjectId; refresh: IssuedRefresh; picture: string; color: string } | undefined;
    const session = await mongoose.startSession();
    try {
      await session.withTransaction(async () => {
        const company = new Company({
          ...companyDefaults({ timezone: c.timezone, businessTypes }),
          name: c.name,
          email: c.email,
          timezone: c.timezone,
          businessTypes,
          ...(c.phone ? { phone: c.phone } : {}),
          ...(c.address ? { address: c.address } : {}),
        });
        await company.save({ session });
        const user = new User({
          companyId: company._id,
          email: u.email,
          passwordHash,
          fullName,
          role: 'manager',
          roles: ['manager'],
          picture: u.picture ?? DEFAULT_USER_PICTURE,
          serviceCategoryIds: [],
          ...(u.phone ? { phone: u.phone } : {}),
          ...(u.color ? { color: u.color } : {}),
        });
        await user.save({ session });
        const given = c.locations ?? [];
        const anyMain = given.some((l) => l.isMain === true);
        const locationDocs =
          given.length > 0
            ? given.map((l, i) => ({
                companyId: company._id,
                label: l.label?.trim() || `Location ${i + 1}`,
                address: l.address,
                googleLocationUrl: l.googleLocationUrl ?? '',
                phone: l.phone ?? '',
                timezone: l.timezone || c.timezone || 'UTC',
                isMain: anyMain ? l.isMain === true : i === 0,
              }))
            : [{ companyId: company._id, label: 'Main', address: c.address || 'Main', timezone: c.timezone, isMain: true }];
        const locations = await Location.insertMany(locationDocs, { session });
        const main = locations.find((l) => l.isMain) ?? locations[0]!;
        await provisionCompanyDefaults({ companyId: company._id, businessTypes, locationId: main._id }, session);
        const refresh = await sessions.start(user._id, meta, session);
        result = {
          userId: user._id,
          companyId: company._id,
          refresh,
          picture: user.picture ?? DEFAULT_USER_PICTURE,
          color: user.color ?? '',
        };
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        const key = Object.keys((err as { keyValue?: object }).keyValue ?? {});
        if (key.includes('email') && !key.includes('companyId'))
          throw new ConflictError('Company with this email already exists', 'DUPLICATE_COMPANY');
        throw new ConflictError('User email is already taken', 'EMAIL_TAKEN');
      }
      throw err;
    } finally {
      await session.endSession();
    }
    const r = result!;
    const access = tokens.signAccess(String(r.userId));
    log.info('company registered', { companyId: String(r.companyId), userId: String(r.userId), businessTypes });
    return {
      refresh: r.refresh,
      body: {
        message: 'Company and manager registered successfully',
        user: {
          _id: String(r.userId),
          email: u.email,
          fullName,
          role: 'manager',
          companyId: String(r.companyId),
          picture: r.picture,
          color: r.color,
        },
        accessToken: access.token,
        tokenExpiry: access.expiresAt.getTime(),
        company: await companyJson(r.companyId),
      },
    };
  }

  /** Finds the account(s) the credentials open; records failures for lockout. */
  async function authenticate(input: LoginBody, meta: ClientMeta): Promise<UserFields> {
    const filter: Record<string, unknown> = { email: input.email };
    if (input.companyId) filter.companyId = new Types.ObjectId(input.companyId);
    const candidates = await crossTenant(User.find(filter)).lean<UserFields[]>();
    // Same cost as a real account, so the answer time does not tell which emails exist.
    dummyHash ??= await bcrypt.hash('no-such-account', config.bcryptSaltRounds);
    const matching: UserFields[] = [];
    for (const user of candidates) {
      const ok = await bcrypt.compare(input.password, user.passwordHash);
      if (ok && user.isActive !== false) matching.push(user);
    }
    if (candidates.length === 0) await bcrypt.compare(input.password, dummyHash);
    if (matching.length === 0) {
      await lockout.recordFailure(input.email, meta.ip);
      throw invalidCredentials();
    }
    if (matching.length > 1) {
      const companies = await Company.find({ _id: { $in: matching.map((m) => m.companyId) } }, { name: 1 }).lean();
      const names = new Map(companies.map((co) => [String(co._id), co.name]));
      throw new ConflictError('Multiple companies found for this email. Please specify company.', 'MULTIPLE_COMPANIES', {
        companies: matching.map((m) => ({
          companyId: String(m.companyId),
          companyName: names.get(String(m.companyId)) ?? 'Unknown Company',
        })),
      });
    }
    return matching[0]!;
  }

  async function login(input: LoginBody, meta: ClientMeta): Promise<AuthResult> {
    await lockout.assertNotLocked(input.email);
    const user = await authenticate(input, meta);
    const company = await Company.findById(user.companyId);
    if (!company) throw new AppError(500, 'LOGIN_FAILED', 'Login failed');
    if (company.status !== 'active') throw new AppError(403, 'COMPANY_INACTIVE', 'This company account is not active');
    await lockout.recordSuccess(input.email, meta.ip);
    const refresh = await sessions.start(user._id, meta);
    const access = tokens.signAccess(String(user._id));
    return {
      refresh,
      body: {
        message: 'Login successful',
        user: {
          id: String(user._id),
          email: user.email,
          fullName: user.fullName,
          color: user.color,
          role: user.role,
          companyId: String(user.companyId),
          companyName: company.name,
        },
        accessToken: access.token,
        tokenExpiry: access.expiresAt.toISOString(),
        company: company.toJSON(),
      },
    };
  }

  async function refresh(presented: string, meta: ClientMeta): Promise<AuthResult> {
    const rotated = await sessions.rotate(presented, meta);
    const user = await crossTenant(User.findById(rotated.userId)).lean<UserFields>();
    if (!user || user.isActive === false) {
      await sessions.revokeUser(rotated.userId, 'user_inactive');
      throw invalidRefresh();
    }
    // A session begun before the password changed is over, even if its revocation raced this.
    if (user.passwordChangedAt && rotated.presentedIssuedAt < user.passwordChangedAt) {
      await sessions.revokeFamily(rotated.familyId, 'password_changed');
      throw invalidRefresh();
    }
    const access = tokens.signAccess(String(user._id));
    return {
      refresh: rotated.refresh,
      body: {
        message: 'Token refreshed successfully',
        accessToken: access.token,
        tokenExpiry: access.expiresAt.toISOString(),
        user: {
          id: String(user._id),
          email: user.email,
          fullName: user.fullName,
          role: user.role,
          companyId: String(user.companyId),
          color: user.color,
          phone: user.phone,
          picture: user.picture,
        },
        company: await companyJson(user.companyId),
      },
    };
  }

  return { register, login, refresh, logout: sessions.end, hashPassword, sessions };
}

export type AuthService = ReturnType<typeof createAuthService>;
