/** Request schemas of /api/v1/setup. The resets take no body; `force` is a query flag. */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../models/constants';
import { objectId } from '../common.schemas';

/** Other query keys (cache busters) are stripped: the answer is static. */
export const SetupDefaultsQuery = z.object({
  businessType: z.enum(BUSINESS_TYPES, { message: `businessType must be one of: ${BUSINESS_TYPES.join(', ')}` }).optional(),
});
export type SetupDefaultsQuery = z.infer<typeof SetupDefaultsQuery>;

export const SetupCompanyParams = z.object({ companyId: objectId }).strict();
export type SetupCompanyParams = z.infer<typeof SetupCompanyParams>;

/** `?force=true` resets even when upcoming appointments use what the reset deletes. */
export const ResetQuery = z
  .object({
    force: z
      .enum(['true', 'false'], { message: 'force must be true or false' })
      .optional()
      .transform((v) => v === 'true'),
  })
  .strict();
export type ResetQuery = z.infer<typeof ResetQuery>;
