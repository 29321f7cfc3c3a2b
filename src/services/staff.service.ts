/**
 * Staff accounts of one company. Every referenced id (locations, service categories) must be the
 * caller's company's; passwords follow the register rule; a password change, deactivation or
 * deletion ends the user's sessions; the last active manager cannot be removed.
 */
import { Types, type ClientSession } from 'mongoose';
import { Company } from '../models/Company';
import { isServiceProvider } from '../models/constants';
import { Location } from '../models/Location';
import { ServiceCategory } from '../models/ServiceCategory';
import { StaffSchedule, type StaffScheduleFields } from '../models/StaffSchedule';
import { User, type UserFields } from '../models/User';
import { ConflictError, NotFoundError } from '../utils/errors';
import { escapeRegex } from '../utils/regex';
import { moduleLogger } from '../utils/logger';
import type { StaffCreateBody, StaffListQuery, StaffUpdateBody } from '../validators/staff.schemas';
import { forgetAuthUser } from './authUsers';
import type { SessionService } from './session.service';
import { assertOwned, findOwned, inCompanyTransaction } from './tenant';

const log = moduleLogger('staff');

type CompanyId = Types.ObjectId;

const PUBLIC_FIELDS = [
  'fullName',
  'email',
  'role',
  'roles',
  'phone',
  'color',
  'serviceProvider',
  'locationIds',
  'primaryLocationId',
  'serviceCategoryIds',
  'isActive',
  'createdAt',
  'updatedAt',
] as const;

function shape(user: UserFields, idKey: 'id' | '_id'): Record<string, unknown> {
  const out: Record<string, unknown> = { [idKey]: String(user._id) };
  for (const f of PUBLIC_FIELDS) out[f] = (user as Record<string, unknown>)[f];
  return out;
}

export interface StaffDeps {
  sessions: SessionService;
  hashPassword: (p: string) => Promise<string>;
  /** Drops the user's live socket connections (deactivation, deletion). */
  disconnectUser: (userId: string) => void;
}

const duplicateEmail = (): ConflictError => new ConflictError('User with this email already exists in company', 'DUPLICATE_EMAIL');

/** A unique-index race on {companyId, email} is the same conflict as the check before it. */
function rethrowDuplicateEmail(err: { code?: number }): never {
  if (err.code === 11000) throw duplicateEmail();
  throw err;
}

const isActiveManager = (u: Pick<UserFields, 'role' | 'roles' | 'isActive'>): boolean =>
  (u.role === 'manager' || u.roles.includes('manager')) && u.isActive !== false;

export function createStaffService(deps: StaffDeps) {
  /** The user's sessions end and their sockets are dropped. */
  const endAccess = async (userId: UserFields['_id'], reason: 'password_changed' | 'user_inactive' | 'user_deleted') => {
    await deps.sessions.revokeUser(userId, reason);
    deps.disconnectUser(String(userId));
  };

  async function assertRefs(
    companyId: CompanyId,
    b: { locationIds?: string[] | undefined; primaryLocationId?: string | null | undefined; serviceCategoryIds?: string[] | undefined },
  ) {
    await assertOwned(Location, companyId, [...(b.locationIds ?? []), ...(b.primaryLocationId ? [b.primaryLocationId] : [])], 'Location');
    await assertOwned(ServiceCategory, companyId, b.serviceCategoryIds ?? [], 'Service category');
  }

  /** Other active managers remain after `userId` stops being one. */
  async function assertNotLastManager(companyId: CompanyId, userId: Types.ObjectId, session: ClientSession): Promise<void> {
    const others = await User.countDocuments(
      { companyId, _id: { $ne: userId }, isActive: { $ne: false }, $or: [{ role: 'manager' }, { roles: 'manager' }] },
      { session },
    );
    if (others === 0) throw new ConflictError('The company must keep at least one active manager', 'LAST_MANAGER');
  }

  return {
    /**
     * The company's staff by name with their weekly schedules. Both reads go to the driver (the
     * filter is the company's, ids are cast here): in the profile of the list, Mongoose's query
     * building cost about 0.3 ms of CPU a query.
     */
    async list(companyId: CompanyId, q: StaffListQuery) {
      const filter: Record<string, unknown> = { companyId };
      if (q.role) filter.$or = [{ role: q.role }, { roles: q.role }];
      if (q.q) {
        const re = new RegExp(escapeRegex(q.q), 'i');
        filter.$and = [{ $or: [{ fullName: re }, { email: re }] }];
      }
      if (q.locationId) {
        await assertOwned(Location, companyId, [q.locationId], 'Location');
        filter.locationIds = new Types.ObjectId(q.locationId);
      }
      if (q.serviceCategoryId) {
        await assertOwned(ServiceCategory, companyId, [q.serviceCategoryId], 'Service category');
        filter.serviceCategoryIds = new Types.ObjectId(q.serviceCategoryId);
      }
      if (q.serviceProvider !== undefined) filter.serviceProvider = q.serviceProvider === 'true';
      const users = await User.collection.find<UserFields>(filter, { projection: { passwordHash: 0 }, sort: { fullName: 1 } }).toArray();
      const schedules = await StaffSchedule.collection
        .find<StaffScheduleFields>({ companyId, userId: { $in: users.map((u) => u._id) } })
        .toArray();
      const byUser = new Map<string, unknown[]>();
      for (const s of schedules) byUser.set(String(s.userId), [...(byUser.get(String(s.userId)) ?? []), s]);
      return users.map((u) => ({ ...shape(u, '_id'), schedules: byUser.get(String(u._id)) ?? [] }));
    },

    async create(companyId: CompanyId, b: StaffCreateBody) {
      const roles = b.roles ?? [b.role!];
      const primaryLocationId = b.primaryLocationId ?? b.locationIds?.[0];
      const locationIds = b.locationIds ?? (b.primaryLocationId ? [b.primaryLocationId] : []);
      await assertRefs(companyId, { ...b, locationIds });
      if (await User.exists({ companyId, email: b.email })) throw duplicateEmail();
      let serviceCategoryIds: unknown[] = b.serviceCategoryIds ?? [];
      if (serviceCategoryIds.length === 0) {
        // "Can do" the company's services whose allowedRoles include one of the roles.
        const cats = await ServiceCategory.find(
          { companyId, allowedRoles: { $in: roles.filter((r) => r !== 'manager' && r !== 'receptionist') } },
          { _id: 1 },
        ).lean();
        serviceCategoryIds = cats.map((c) => c._id);
      }
      const user = await User.create({
        companyId,
        email: b.email,
        passwordHash: await deps.hashPassword(b.password),
        fullName: b.fullName,
        role: roles[0],
        roles,
        phone: b.phone ?? '',
        ...(b.color ? { color: b.color } : {}),
        locationIds,
        ...(primaryLocationId ? { primaryLocationId } : {}),
        serviceCategoryIds,
        serviceProvider: isServiceProvider(roles),
      }).catch(rethrowDuplicateEmail);
      if (roles[0] !== 'manager' && primaryLocationId) {
        const company = await Company.findById(companyId, { 'settings.workHours': 1 }).lean();
        const hours = company?.settings?.workHours ?? [];
        if (hours.length > 0) {
          await StaffSchedule.insertMany(
            hours.map((h) => ({
              companyId,
              userId: user._id,
              locationId: primaryLocationId,
              weekday: h.weekday,
              startTime: h.startTime,
              endTime: h.endTime,
              breakWindows: [],
            })),
          ).catch((err: Error) => log.warn('default staff schedule not created', { userId: String(user._id), error: err.message }));
        }
      }
      return shape(user.toObject() as UserFields, 'id');
    },

    async update(companyId: CompanyId, id: string, b: StaffUpdateBody) {
      const user = await findOwned(User, companyId, id, 'Staff');
      await assertRefs(companyId, b);
      const set: Record<string, unknown> = {};
      const unset: Record<string, 1> = {};
      if (b.fullName !== undefined) set.fullName = b.fullName;
      if (b.phone !== undefined) set.phone = b.phone;
      if (b.color !== undefined) set.color = b.color;
      if (b.email !== undefined && b.email !== user.email) {
        if (await User.exists({ companyId, email: b.email, _id: { $ne: user._id } })) throw duplicateEmail();
        set.email = b.email;
      }
      const roles = b.roles ?? (b.role ? [b.role] : undefined);
      if (roles) Object.assign(set, { roles, role: roles[0], serviceProvider: isServiceProvider(roles) });
      if (b.locationIds !== undefined) set.locationIds = b.locationIds;
      else if (b.primaryLocationId) set.locationIds = [...new Set([...user.locationIds.map(String), b.primaryLocationId])];
      if (b.primaryLocationId === null) unset.primaryLocationId = 1;
      else if (b.primaryLocationId !== undefined) set.primaryLocationId = b.primaryLocationId;
      if (b.serviceCategoryIds !== undefined) set.serviceCategoryIds = b.serviceCategoryIds;
      if (b.isActive !== undefined) set.isActive = b.isActive;
      const losesManager = isActiveManager(user) && ((roles && !roles.includes('manager')) || b.isActive === false);
      if (b.password !== undefined) {
        set.passwordHash = await deps.hashPassword(b.password);
        set.passwordChangedAt = new Date();
      }
      const write = (session?: ClientSession) =>
        User.findOneAndUpdate(
          { _id: user._id, companyId },
          { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) },
          { new: true, runValidators: true, ...(session ? { session } : {}) },
        )
          .select('-passwordHash')
          .lean<UserFields>()
          .catch(rethrowDuplicateEmail);
      // Losing a manager is checked and written in one company-serialised transaction.
      const updated = losesManager
        ? await inCompanyTransaction(companyId, async (session) => {
            await assertNotLastManager(companyId, user._id, session);
            return write(session);
          })
        : await write();
      if (!updated) throw new NotFoundError('Staff not found');
      forgetAuthUser(String(user._id));
      if (b.password !== undefined) await endAccess(user._id, 'password_changed');
      else if (b.isActive === false) await endAccess(user._id, 'user_inactive');
      return shape(updated, '_id');
    },

    async remove(companyId: CompanyId, id: string) {
      const user = await findOwned(User, companyId, id, 'Staff');
      const activeManager = isActiveManager(user);
      await inCompanyTransaction(companyId, async (session) => {
        if (activeManager) await assertNotLastManager(companyId, user._id, session);
        await User.deleteOne({ _id: user._id, companyId }, { session });
        await StaffSchedule.deleteMany({ companyId, userId: user._id }, { session });
      });
      forgetAuthUser(String(user._id));
      await endAccess(user._id, 'user_deleted');
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
