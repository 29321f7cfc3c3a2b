/**
 * The company profile: what the dashboard reads (the whole document with a page of its services)
 * and the documented fields a manager may change, written in one atomic update after every check
 * has passed, so a refused request changes nothing.
 */
import type { Types } from 'mongoose';
import { Company } from '../../models/Company';
import { ConflictError, NotFoundError } from '../../utils/errors';
import type { PageQuery } from '../../validators/booking/catalogue.schemas';
import type { ProfileChanges } from '../../validators/company/company.schemas';
import { createServiceCategoryService } from '../booking/serviceCategory.service';

type CompanyId = Types.ObjectId;

export const COMPANY_NOT_FOUND = 'Company not found';

/** The /settings/company projection [COMPAT], with the other editable fields (website, currency, country). */
const SETTINGS_FIELDS =
  'name email phone website address timezone mainCurrency country businessTypes logo ringLogo registrationId registrationName paymentMethods status settings.workHours settings.holidays';

interface Update {
  $set: Record<string, unknown>;
  $unset: Record<string, 1>;
}

/** Dotted `$set`s (settings.workHours and settings.holidays replace each on its own); null or '' clears a text field. */
function updateOf(changes: ProfileChanges): Update {
  const update: Update = { $set: {}, $unset: {} };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'settings') {
      for (const [k, v] of Object.entries(value as object)) if (v !== undefined) update.$set[`settings.${k}`] = v;
    } else if (value === null || value === '') update.$unset[key] = 1;
    else update.$set[key] = value;
  }
  return update;
}

const emailTaken = (message: string) => new ConflictError(message, 'COMPANY_EMAIL_TAKEN');

export function createCompanyService() {
  const categories = createServiceCategoryService();

  return {
    /** GET /company/:companyId: `{company, services, pagination}` [COMPAT]. */
    async profile(companyId: CompanyId, q: PageQuery) {
      const company = await Company.findById(companyId);
      if (!company) throw new NotFoundError(COMPANY_NOT_FOUND);
      const { items, pagination } = await categories.page(companyId, q);
      return { company: company.toJSON(), services: items, pagination };
    },

    /** GET /settings/company: the projection, or null when the company is gone [COMPAT]. */
    async settingsView(companyId: CompanyId) {
      return Company.findById(companyId, SETTINGS_FIELDS).lean();
    },

    /**
     * Applies the changes; the email must stay unique among companies. Returns the updated
     * document, whole or (`view: 'settings'`) in the /settings/company projection.
     */
    async update(companyId: CompanyId, changes: ProfileChanges, view: 'full' | 'settings' = 'full') {
      if (changes.email && (await Company.exists({ email: changes.email, _id: { $ne: companyId } }))) {
        throw emailTaken('Company email is already taken by another company');
      }
      const { $set, $unset } = updateOf(changes);
      const company = await Company.findOneAndUpdate(
        { _id: companyId },
        { ...(Object.keys($set).length > 0 ? { $set } : {}), ...(Object.keys($unset).length > 0 ? { $unset } : {}) },
        { new: true, runValidators: true, ...(view === 'settings' ? { projection: SETTINGS_FIELDS } : {}) },
      ).catch((err: { code?: number }) => {
        // Another company took the address between the check and the write.
        if (err.code === 11000) throw emailTaken('Company email is already taken');
        throw err;
      });
      if (!company) throw new NotFoundError(COMPANY_NOT_FOUND);
      return company.toJSON();
    },
  };
}

export type CompanyService = ReturnType<typeof createCompanyService>;
