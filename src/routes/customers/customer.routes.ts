/**
 * /api/v1/catalog/customers and /api/v1/catalog/pets: manager and receptionist (contract §2.8).
 * Mounted before the catalog router; each route authenticates itself, so requests for the other
 * catalog routes are not authenticated twice on their way through.
 */
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { customerController } from '../../controllers/customers/customer.controller';
import { petController } from '../../controllers/customers/pet.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import { createCustomerService } from '../../services/customers/customer.service';
import { createPetService } from '../../services/customers/pet.service';
import { IdParams } from '../../validators/common.schemas';
import {
  ByPhoneQuery,
  byPhonePrecheck,
  ConvertBody,
  CustomerCreateBody,
  CustomerListQuery,
  customerPrecheck,
  CustomerUpdateBody,
} from '../../validators/customers/customer.schemas';
import { PetCreateBody, PetListQuery, petPrecheck, PetUpdateBody } from '../../validators/customers/pet.schemas';

export function customerRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff: RequestHandler[] = [authenticateToken(deps.verifyAccess), sameCompany(), requireRole('manager', 'receptionist')];
  const customers = customerController(createCustomerService({ clock: deps.clock }));
  const pets = petController(createPetService({ clock: deps.clock }));

  router.get('/customers', ...staff, validate({ query: CustomerListQuery }), customers.list);
  router.get('/customers/search/by-phone', ...staff, byPhonePrecheck, validate({ query: ByPhoneQuery }), customers.byPhone);
  router.post('/customers', ...staff, customerPrecheck, validate({ body: CustomerCreateBody }), customers.create);
  router.get('/customers/:id', ...staff, validate({ params: IdParams }), customers.get);
  router.put('/customers/:id', ...staff, validate({ params: IdParams, body: CustomerUpdateBody }), customers.update);
  router.post('/customers/:id/convert', ...staff, validate({ params: IdParams, body: ConvertBody }), customers.convert);

  router.get('/pets', ...staff, validate({ query: PetListQuery }), pets.list);
  router.post('/pets', ...staff, petPrecheck, validate({ body: PetCreateBody }), pets.create);
  router.get('/pets/:id', ...staff, validate({ params: IdParams }), pets.get);
  router.put('/pets/:id', ...staff, validate({ params: IdParams, body: PetUpdateBody }), pets.update);
  router.delete('/pets/:id', ...staff, validate({ params: IdParams }), pets.remove);
  return router;
}
