/**
 * The booking catalogue and scheduling configuration (contract §4): services, their variants,
 * resources and staff schedules under /catalog; the /service-items aliases; resources, resource
 * types, working hours and services under /company/:companyId. Reads keep the contract's roles;
 * every write is manager-only on both mounts (the original let any role write under /company, S-5).
 */
import { SERVICE_PROVIDER_ROLES } from '../../models/constants';
import { type RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../../deps';
import { resourceController, resourceTypeController } from '../../controllers/booking/resource.controller';
import { staffScheduleController, workingHoursController } from '../../controllers/booking/schedule.controller';
import { serviceController } from '../../controllers/booking/service.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { errorEnvelope } from '../../middleware/errorHandler';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import { createResourceService } from '../../services/booking/resource.service';
import { createResourceTypeService } from '../../services/booking/resourceType.service';
import { createServiceCategoryService } from '../../services/booking/serviceCategory.service';
import { createServiceItemService } from '../../services/booking/serviceItem.service';
import { createStaffScheduleService } from '../../services/booking/staffSchedule.service';
import { createWorkingHoursService } from '../../services/booking/workingHours.service';
import {
  CompanyIdParams,
  CompanyParams,
  CompanyServiceParams,
  NoParams,
  PageQuery,
  ServiceIdParams,
} from '../../validators/booking/catalogue.schemas';
import * as rs from '../../validators/booking/resource.schemas';
import * as sched from '../../validators/booking/schedule.schemas';
import * as ss from '../../validators/booking/service.schemas';
import { IdParams } from '../../validators/common.schemas';

const manager = requireRole('manager');
/** Reads: the desk and every service provider (B49: vets, vet technicians and trainers too). */
const anyDesk = requireRole('manager', 'receptionist', ...SERVICE_PROVIDER_ROLES);

/** Authentication (once: the /catalog staff router in front may have done it) and the company check. */
function guard(deps: AppDeps): RequestHandler[] {
  const authenticate = authenticateToken(deps.verifyAccess);
  const once: RequestHandler = (req, res, next) => (res.locals.user ? next() : authenticate(req, res, next));
  return [once, sameCompany()];
}

function controllers() {
  return {
    schedules: staffScheduleController(createStaffScheduleService()),
    hours: workingHoursController(createWorkingHoursService()),
    resources: resourceController(createResourceService()),
    types: resourceTypeController(createResourceTypeService()),
    services: serviceController(createServiceCategoryService(), createServiceItemService()),
  };
}
type Controllers = ReturnType<typeof controllers>;

/** A manager's write: the contract's coded checks, then the schemas. */
const write = (check: RequestHandler, params: z.ZodType, body: z.ZodType): RequestHandler[] => [manager, check, validate({ params, body })];

/**
 * R1-R4 and R5-R8 are one set of routes at `base`; the mounts differ in their path params and in
 * who may read. (No sub-router: a mount path with a parameter is not read back by the route table.)
 */
function addResourceRoutes(
  r: Router,
  { resources }: Controllers,
  base: string,
  params: { list: z.ZodType; one: z.ZodType },
  read: RequestHandler,
) {
  r.get(base, read, validate({ params: params.list, query: rs.ResourceListQuery }), resources.list);
  r.post(base, rs.unwrapResourceData(), ...write(rs.resourcePrecheck('create'), params.list, rs.ResourceCreateBody), resources.create);
  r.put(
    `${base}/:id`,
    rs.unwrapResourceData(),
    ...write(rs.resourcePrecheck('update'), params.one, rs.ResourceUpdateBody),
    resources.update,
  );
  r.delete(`${base}/:id`, manager, validate({ params: params.one }), resources.remove);
}

/** PUT/DELETE /:id of a service item: under /catalog/service-items and the /service-items aliases (C9, C10). */
function serviceItemRouter({ services }: Controllers): Router {
  const r = Router();
  r.put('/:id', ...write(ss.serviceItemPrecheck('update'), IdParams, ss.ServiceItemUpdateBody), services.updateItem);
  r.delete('/:id', manager, validate({ params: IdParams }), services.removeItem);
  return r;
}

function catalogRouter(deps: AppDeps, c: Controllers): Router {
  const r = Router();
  const { schedules, services } = c;
  r.use(['/staff/:id/schedule', '/resources', '/services', '/service-items'], ...guard(deps));
  r.get('/staff/:id/schedule', manager, validate({ params: IdParams, query: sched.StaffScheduleQuery }), schedules.get);
  r.put('/staff/:id/schedule', ...write(sched.staffSchedulePrecheck(), IdParams, sched.StaffScheduleBody), schedules.replace);

  addResourceRoutes(r, c, '/resources', { list: NoParams, one: IdParams }, requireRole('manager', 'receptionist'));

  r.get('/services', anyDesk, validate({ query: ss.ServiceListQuery }), services.list);
  r.post('/services', ...write(ss.servicePrecheck('create'), NoParams, ss.ServiceCreateBody), services.create);
  r.put('/services/:id', ...write(ss.servicePrecheck('update'), IdParams, ss.ServiceUpdateBody), services.update);
  r.delete('/services/:id', manager, validate({ params: IdParams }), services.remove);
  r.get('/services/:serviceId/items', anyDesk, validate({ params: ServiceIdParams }), services.listItems);
  r.post(
    '/services/:serviceId/items',
    ...write(ss.serviceItemPrecheck('create'), ServiceIdParams, ss.ServiceItemCreateBody),
    services.createItem,
  );
  r.use('/service-items', serviceItemRouter(c));
  return r;
}

const C = '/:companyId';
const COMPANY_PATHS = [
  '/resources',
  '/resource-types',
  '/working-hours',
  '/services',
  '/services-with-items',
  '/service-items-with-categories',
];
/** The legacy `{message}` envelope of the original company controller [COMPAT]. */
const LEGACY_ENVELOPE_PATHS = ['/working-hours', '/services', '/services-with-items', '/service-items-with-categories'];

/** /company/:companyId/...: the path's company must be the caller's (S-4); `undefined` stands for it. */
function companyRouter(deps: AppDeps, c: Controllers): Router {
  const r = Router();
  const { hours, types, services } = c;
  r.use(
    LEGACY_ENVELOPE_PATHS.map((p) => C + p),
    errorEnvelope('E2'),
  );
  r.use(
    COMPANY_PATHS.map((p) => C + p),
    ...guard(deps),
    anyDesk,
  );

  addResourceRoutes(r, c, `${C}/resources`, { list: CompanyParams, one: CompanyIdParams }, anyDesk);

  r.get(`${C}/resource-types`, validate({ params: CompanyParams, query: rs.ResourceTypeListQuery }), types.list);
  r.post(`${C}/resource-types`, ...write(rs.resourceTypePrecheck('create'), CompanyParams, rs.ResourceTypeCreateBody), types.create);
  r.put(`${C}/resource-types/:id`, ...write(rs.resourceTypePrecheck('update'), CompanyIdParams, rs.ResourceTypeUpdateBody), types.update);
  r.delete(`${C}/resource-types/:id`, manager, validate({ params: CompanyIdParams }), types.remove);

  r.get(`${C}/working-hours`, validate({ params: CompanyParams }), hours.get);
  r.put(`${C}/working-hours`, ...write(sched.workHoursPrecheck(), CompanyParams, sched.WorkHoursBody), hours.replace);

  const page = validate({ params: CompanyParams, query: PageQuery });
  r.get(`${C}/services`, page, services.companyList);
  r.get(`${C}/services-with-items`, page, services.companyListWithItems);
  r.get(`${C}/service-items-with-categories`, page, services.companyItemsWithCategories);
  r.post(`${C}/services`, ...write(ss.servicePrecheck('create'), CompanyParams, ss.ServiceCreateBody), services.companyCreate);
  r.put(
    `${C}/services/:serviceId`,
    ...write(ss.servicePrecheck('update'), CompanyServiceParams, ss.ServiceUpdateBody),
    services.companyUpdate,
  );
  r.delete(`${C}/services/:serviceId`, manager, validate({ params: CompanyServiceParams }), services.companyRemove);
  return r;
}

export function catalogueRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = controllers();
  router.use('/catalog', catalogRouter(deps, c));
  const aliases = Router();
  aliases.use(...guard(deps), serviceItemRouter(c));
  router.use('/service-items', aliases);
  router.use('/company', companyRouter(deps, c));
  return router;
}
