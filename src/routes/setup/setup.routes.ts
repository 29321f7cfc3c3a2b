/**
 * /api/v1/setup (contract §3.6), E3 envelope for its own errors (auth and role failures stay E1).
 * The defaults and the onboarding guide stay public: they are static and name no company. The
 * company routes are a manager's, for their own company only (403 E3 UNAUTHORIZED otherwise).
 */
import { type RequestHandler, Router } from 'express';
import type { AppDeps } from '../../deps';
import { setupController } from '../../controllers/setup/setup.controller';
import { authenticateToken, currentUser, requireRole } from '../../middleware/auth';
import { errorEnvelope } from '../../middleware/errorHandler';
import { sameCompany } from '../../middleware/tenantGuard';
import { valid, validate } from '../../middleware/validate';
import { createSetupService } from '../../services/setup/setup.service';
import { AppError } from '../../utils/errors';
import { ResetQuery, SetupCompanyParams, SetupDefaultsQuery } from '../../validators/setup/setup.schemas';

/**
 * The path's company must be the caller's [COMPAT code and messages]; then a company named in the
 * query or body must be too (the general guard, E1).
 */
function ownCompany(verb: 'view' | 'modify'): RequestHandler[] {
  const path: RequestHandler = (_req, res, next) => {
    const { companyId } = valid(res, 'params', SetupCompanyParams);
    if (companyId.toLowerCase() === currentUser(res).companyId.toLowerCase()) next();
    else next(new AppError(403, 'UNAUTHORIZED', `You can only ${verb} your own company configuration`));
  };
  return [path, sameCompany()];
}

export function setupRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = setupController(createSetupService({ clock: deps.clock }));
  const manager = [authenticateToken(deps.verifyAccess), requireRole('manager')];
  const reset = [...manager, validate({ params: SetupCompanyParams, query: ResetQuery }), ...ownCompany('modify')];

  router.use(errorEnvelope('E3'));
  router.get('/defaults', validate({ query: SetupDefaultsQuery }), c.defaults);
  router.get('/onboarding', c.onboarding);
  router.get('/company/:companyId', ...manager, validate({ params: SetupCompanyParams }), ...ownCompany('view'), c.company);
  router.post('/company/:companyId/reset-services', ...reset, c.resetServices);
  router.post('/company/:companyId/reset-resources', ...reset, c.resetResources);
  router.post('/company/:companyId/reset-all', ...reset, c.resetAll);
  return router;
}
