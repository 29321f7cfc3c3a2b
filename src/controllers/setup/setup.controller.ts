/** /api/v1/setup handlers: `{ success, data?, message }` envelopes [COMPAT]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { ResetOptions, SetupService } from '../../services/setup/setup.service';
import { ResetQuery, SetupDefaultsQuery } from '../../validators/setup/setup.schemas';
import { asyncHandler } from '../asyncHandler';

type Reset = 'resetServices' | 'resetResources' | 'resetAll';

const RESET_MESSAGES: Record<Reset, string> = {
  resetServices: 'Company services reset to defaults successfully',
  resetResources: 'Company resources reset to defaults successfully',
  resetAll: 'Company configuration reset to defaults successfully',
};

export function setupController(setup: SetupService): Record<'defaults' | 'onboarding' | 'company' | Reset, RequestHandler> {
  const reset = (which: Reset): RequestHandler =>
    asyncHandler(async (_req, res) => {
      const opts: ResetOptions = { force: valid(res, 'query', ResetQuery).force };
      const data = await setup[which](currentUser(res).companyObjectId, opts);
      res.json({ success: true, data, message: RESET_MESSAGES[which] });
    });
  return {
    defaults: (_req, res) => {
      const data = setup.defaults(valid(res, 'query', SetupDefaultsQuery).businessType);
      res.json({ success: true, data, message: 'Default configurations retrieved successfully' });
    },
    onboarding: (_req, res) => {
      res.json({ success: true, data: setup.onboarding(), message: 'Onboarding guide retrieved successfully' });
    },
    company: asyncHandler(async (_req, res) => {
      const data = await setup.companyConfig(currentUser(res).companyObjectId);
      res.json({ success: true, data, message: 'Company configuration retrieved successfully' });
    }),
    resetServices: reset('resetServices'),
    resetResources: reset('resetResources'),
    resetAll: reset('resetAll'),
  };
}
