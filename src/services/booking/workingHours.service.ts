/**
 * The company's opening hours (`settings.workHours`, W1/W2): the fallback availability of staff
 * without a schedule, the Meta Bot's opening hours and the template of new staff schedules.
 */
import type { Types } from 'mongoose';
import { Company } from '../../models/Company';
import { NotFoundError } from '../../utils/errors';
import type { WorkHoursBody } from '../../validators/booking/schedule.schemas';

type CompanyId = Types.ObjectId;

interface WithHours {
  settings?: { workHours?: { _id: Types.ObjectId; weekday: number; startTime: string; endTime: string }[] };
}

const NOT_FOUND = 'Company not found';

export function createWorkingHoursService() {
  return {
    async get(companyId: CompanyId) {
      const company = await Company.findById(companyId, { 'settings.workHours': 1 }).lean<WithHours>();
      if (!company) throw new NotFoundError(NOT_FOUND);
      return company.settings?.workHours ?? [];
    },

    async replace(companyId: CompanyId, workHours: WorkHoursBody['workHours']) {
      const company = await Company.findOneAndUpdate(
        { _id: companyId },
        { $set: { 'settings.workHours': workHours } },
        { new: true, runValidators: true, projection: { 'settings.workHours': 1 } },
      ).lean<WithHours>();
      if (!company) throw new NotFoundError(NOT_FOUND);
      return company.settings?.workHours ?? [];
    },
  };
}

export type WorkingHoursService = ReturnType<typeof createWorkingHoursService>;
