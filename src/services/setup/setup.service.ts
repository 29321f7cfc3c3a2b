/**
 * /api/v1/setup (contract §3.6): the defaults a new company gets, the onboarding guide, a
 * company's current configuration, and the resets of its catalogue to its business-type seeds.
 * Each reset is one transaction that first writes the company document (so two resets of one
 * company run one after the other): it either replaces everything it covers or leaves the
 * catalogue as it was. Unexpected failures become the contract's 500 codes (E3).
 */
import type { ClientSession, Types } from 'mongoose';
import { combinedSeeds } from '../../config/businessTypeSeeds';
import { companyDefaults, DEFAULT_COMPANY_LOGO, DEFAULT_USER_PICTURE } from '../../config/companyDefaults';
import { Company } from '../../models/Company';
import type { BusinessType } from '../../models/constants';
import { Resource } from '../../models/Resource';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import type { Clock } from '../../utils/clock';
import { AppError, NotFoundError } from '../../utils/errors';
import { moduleLogger } from '../../utils/logger';
import { inCompanyTransaction } from '../tenant';
import { ONBOARDING_GUIDE } from './onboarding';
import { refuseIfBooked, replaceResources, replaceServices, type ResetCompany } from './reset';

const log = moduleLogger('setup');

type Id = Types.ObjectId;

export interface ResetOptions {
  /** Reset even when upcoming appointments use what is deleted. */
  force: boolean;
}

/** The company settings a configuration shows: the same keys as the defaults. */
const SETTINGS_FIELDS = 'timezone mainCurrency status businessTypes settings bot integration paymentMethods logo ringLogo';

/** Runs `fn`; an error that is not one of ours is logged and answered as `code` (500). */
async function failAs<T>(code: string, message: string, companyId: Id, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as Error;
    log.error(message, { code, companyId: String(companyId), reason: e?.message, stack: e?.stack });
    throw new AppError(500, code, message);
  }
}

export function createSetupService(deps: { clock: Clock }) {
  /** Loads the company's business types inside the reset's transaction. */
  const resetting = async <T>(
    companyId: Id,
    opts: ResetOptions,
    what: { services: boolean; resources: boolean },
    fn: (company: ResetCompany, now: Date, session: ClientSession) => Promise<T>,
  ): Promise<T> =>
    inCompanyTransaction(companyId, async (session) => {
      const company = await Company.findById(companyId, { businessTypes: 1, timezone: 1 }).session(session).lean();
      if (!company) throw new NotFoundError('Company not found');
      const now = deps.clock.now();
      if (!opts.force) await refuseIfBooked(companyId, what, now, session);
      return fn(
        { _id: company._id, businessTypes: (company.businessTypes ?? []) as BusinessType[], timezone: company.timezone },
        now,
        session,
      );
    });

  return {
    /** What a company of `businessType` (grooming when not given) starts with. Static: no tenant data. */
    defaults(businessType?: BusinessType) {
      const types: BusinessType[] = businessType ? [businessType] : [];
      const seeds = combinedSeeds(types);
      return {
        companySettings: companyDefaults({ businessTypes: types }, deps.clock.now()),
        services: seeds.serviceCategories.map((s) => ({
          name: s.name,
          description: s.description,
          species: s.species,
          requiresBath: false,
        })),
        resources: seeds.resources.map((r) => ({ resourceTypeName: r.resourceType, label: r.label, species: ['all'], active: true })),
        serviceItems: seeds.serviceCategories.flatMap((s) =>
          s.variants.map((v) => ({
            serviceName: s.name,
            size: v.size,
            label: `${s.name} - ${v.size}`,
            durationMinutes: v.duration,
            price: v.price,
          })),
        ),
        userPicture: DEFAULT_USER_PICTURE,
        companyLogo: DEFAULT_COMPANY_LOGO,
      };
    },

    onboarding() {
      return ONBOARDING_GUIDE;
    },

    /** The company's own settings (not the defaults, B35) and its current catalogue. */
    async companyConfig(companyId: Id) {
      return failAs('CONFIG_RETRIEVAL_FAILED', 'Failed to retrieve company configuration', companyId, async () => {
        const company = await Company.findById(companyId).select(SETTINGS_FIELDS).lean();
        if (!company) throw new NotFoundError('Company not found');
        const { _id: _omit, ...companySettings } = company;
        const [currentServices, currentServiceItems, currentResources] = await Promise.all([
          ServiceCategory.find({ companyId }).sort({ name: 1 }),
          ServiceItem.find({ companyId })
            .sort({ label: 1 })
            .populate({ path: 'serviceCategoryId', select: 'name species', match: { companyId } })
            .lean(),
          Resource.find({ companyId })
            .sort({ label: 1 })
            .populate({ path: 'resourceType', select: 'name color icon', match: { companyId } })
            .lean(),
        ]);
        return { companySettings, currentServices, currentServiceItems, currentResources };
      });
    },

    async resetServices(companyId: Id, opts: ResetOptions) {
      return failAs('SERVICE_RESET_FAILED', 'Failed to reset company services', companyId, () =>
        resetting(companyId, opts, { services: true, resources: false }, (company, _now, session) => replaceServices(company, session)),
      );
    },

    async resetResources(companyId: Id, opts: ResetOptions) {
      return failAs('RESOURCE_RESET_FAILED', 'Failed to reset company resources', companyId, () =>
        resetting(companyId, opts, { services: false, resources: true }, async (company, now, session) => {
          const { resourceTypes, resources } = await replaceResources(company, now, session);
          return { resourceTypes, resources };
        }),
      );
    },

    /** Resources first, so the new services are built against the new resource types (B30). */
    async resetAll(companyId: Id, opts: ResetOptions) {
      return failAs('RESET_FAILED', 'Failed to reset company configuration', companyId, () =>
        resetting(companyId, opts, { services: true, resources: true }, async (company, now, session) => {
          const { resourceTypes, resources } = await replaceResources(company, now, session);
          const services = await replaceServices(company, session);
          return { resourceTypes, resources, ...services };
        }),
      );
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
