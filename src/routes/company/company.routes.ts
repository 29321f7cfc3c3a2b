/**
 * The company profile: GET/PUT /company/:companyId [COMPAT] and /company (the caller's, which the
 * dashboard's getCompany asks for). Any staff role reads (B49), managers write (S2); the path's
 * company must be the caller's (S1), `undefined` standing for it. Errors of these handlers use the
 * legacy `{message}` envelope [COMPAT]; auth and validation failures stay E1.
 * The /company/:companyId/<sub-paths> live in booking/catalogue.routes.ts.
 */
import { type RequestHandler, Router } from 'express';
import type { AppDeps } from '../../deps';
import { companyController } from '../../controllers/company/company.controller';
import { authenticateToken, currentUser, requireRole } from '../../middleware/auth';
import { errorEnvelope } from '../../middleware/errorHandler';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import { STAFF_ROLES } from '../../models/constants';
import { createCompanyService } from '../../services/company/company.service';
import { AppError } from '../../utils/errors';
import { CompanyParams, PageQuery, ProfileBody, profilePrecheck } from '../../validators/company/company.schemas';

/** The path names the caller's company, else 403 with the original's body [COMPAT]. */
function ownCompany(): RequestHandler {
  return (req, res, next) => {
    const requested = req.params.companyId;
    const userCompanyId = currentUser(res).companyId;
    if (requested === 'undefined' || requested?.toLowerCase() === userCompanyId) {
      next();
      return;
    }
    const details = { userCompanyId, requestedCompanyId: requested };
    next(new AppError(403, 'FORBIDDEN', 'You can only access your own company profile', details));
  };
}

export function companyProfileRoutes(deps: AppDeps): Router {
  const r = Router();
  const company = companyController(createCompanyService());
  const signedIn = [errorEnvelope('E2'), authenticateToken(deps.verifyAccess)];
  const staff = requireRole(...STAFF_ROLES);
  const manager = requireRole('manager');
  const update = [profilePrecheck('replace'), validate({ body: ProfileBody }), company.update];

  r.get('/', ...signedIn, staff, sameCompany(), validate({ query: PageQuery }), company.get);
  r.put('/', ...signedIn, manager, sameCompany(), ...update);
  r.get('/:companyId', ...signedIn, ownCompany(), staff, sameCompany(), validate({ params: CompanyParams, query: PageQuery }), company.get);
  r.put('/:companyId', ...signedIn, ownCompany(), manager, sameCompany(), validate({ params: CompanyParams }), ...update);
  return r;
}
