/** /company and /company/:companyId profile handlers: `{company, services, pagination}` and `{company, message}` [COMPAT]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { CompanyService } from '../../services/company/company.service';
import { PageQuery, ProfileBody } from '../../validators/company/company.schemas';
import { asyncHandler } from '../asyncHandler';

export function companyController(companies: CompanyService): Record<'get' | 'update', RequestHandler> {
  return {
    get: asyncHandler(async (_req, res) => {
      res.json(await companies.profile(currentUser(res).companyObjectId, valid(res, 'query', PageQuery)));
    }),
    update: asyncHandler(async (_req, res) => {
      const company = await companies.update(currentUser(res).companyObjectId, valid(res, 'body', ProfileBody));
      res.json({ company, message: 'Company profile updated successfully' });
    }),
  };
}
