/**
 * Reference entries: the booking catalogue and its configuration (contract booking §4): services
 * and their items, resources, resource types, staff schedules and working hours, under /catalog,
 * the /service-items aliases and /company/:companyId.
 */
import type { AreaDoc, RouteDoc } from '../routeDoc';

const readers = 'Managers, receptionists and service providers.';
/** The original company controller's `{message}` envelope [COMPAT]. */
const legacy = { errors: 'E2' } as const;

const companyServices: Record<string, RouteDoc> = {
  'GET /api/v1/company/:companyId/services': {
    summary: "List the company's services (paged)",
    auth: 'bearer',
    returns: 'A page of service categories',
    description: readers,
    ...legacy,
  },
  'GET /api/v1/company/:companyId/services-with-items': {
    summary: "List the company's services with their items (paged)",
    auth: 'bearer',
    returns: 'A page of service categories, each with its items',
    description: readers,
    ...legacy,
  },
  'GET /api/v1/company/:companyId/service-items-with-categories': {
    summary: "List the company's service items with their categories (paged)",
    auth: 'bearer',
    returns: 'A page of service items',
    description: readers,
    ...legacy,
  },
  'POST /api/v1/company/:companyId/services': {
    summary: 'Create a service',
    auth: 'manager',
    status: 201,
    returns: '`{service, message}`',
    ...legacy,
  },
  'PUT /api/v1/company/:companyId/services/:serviceId': {
    summary: 'Update a service',
    auth: 'manager',
    returns: '`{service, message}`',
    ...legacy,
  },
  'DELETE /api/v1/company/:companyId/services/:serviceId': {
    summary: 'Delete a service and its items',
    auth: 'manager',
    returns: '`{message}`',
    ...legacy,
  },
};

export const catalogueDocs: AreaDoc[] = [
  {
    tag: 'Services',
    description: "Service categories and their items (durations and prices by size, species and coat). Writes are managers'.",
    errors: 'E1',
    routes: {
      'GET /api/v1/catalog/services': { summary: 'List services', auth: 'bearer', returns: '`{items}`', description: readers },
      'POST /api/v1/catalog/services': { summary: 'Create a service', auth: 'manager', status: 201, returns: '`{service}`' },
      'PUT /api/v1/catalog/services/:id': { summary: 'Update a service', auth: 'manager', returns: '`{service}`' },
      'DELETE /api/v1/catalog/services/:id': { summary: 'Delete a service', auth: 'manager', returns: '`{message, service}`' },
      'GET /api/v1/catalog/services/:serviceId/items': {
        summary: "List a service's items",
        auth: 'bearer',
        returns: '`{items}`',
        description: readers,
      },
      'POST /api/v1/catalog/services/:serviceId/items': {
        summary: 'Create a service item',
        auth: 'manager',
        status: 201,
        returns: '`{variant}`',
      },
      'PUT /api/v1/catalog/service-items/:id': { summary: 'Update a service item', auth: 'manager', returns: '`{variant}`' },
      'DELETE /api/v1/catalog/service-items/:id': { summary: 'Delete a service item', auth: 'manager', returns: '`{message}`' },
      'PUT /api/v1/service-items/:id': {
        summary: 'Update a service item (alias)',
        auth: 'manager',
        returns: '`{variant}`',
        description: 'Alias of `PUT /api/v1/catalog/service-items/{id}`.',
      },
      'DELETE /api/v1/service-items/:id': {
        summary: 'Delete a service item (alias)',
        auth: 'manager',
        returns: '`{message}`',
        description: 'Alias of `DELETE /api/v1/catalog/service-items/{id}`.',
      },
      ...companyServices,
    },
  },
  {
    tag: 'Resources',
    description: "Bookable resources (tables, rooms, kennels) and their types. Writes are managers'.",
    errors: 'E1',
    routes: {
      'GET /api/v1/catalog/resources': {
        summary: 'List resources',
        auth: 'bearer',
        returns: '`{items}`',
        description: 'Managers and receptionists.',
      },
      'POST /api/v1/catalog/resources': {
        summary: 'Create a resource',
        auth: 'manager',
        status: 201,
        returns: '`{resource}`',
        description: 'The body may also be wrapped as `{data: {...}}`.',
      },
      'PUT /api/v1/catalog/resources/:id': { summary: 'Update a resource', auth: 'manager', returns: '`{resource}`' },
      'DELETE /api/v1/catalog/resources/:id': { summary: 'Delete a resource', auth: 'manager', returns: '`{message, resource}`' },
      'GET /api/v1/company/:companyId/resources': { summary: 'List resources', auth: 'bearer', returns: '`{items}`', description: readers },
      'POST /api/v1/company/:companyId/resources': {
        summary: 'Create a resource',
        auth: 'manager',
        status: 201,
        returns: '`{resource}`',
        description: 'The body may also be wrapped as `{data: {...}}`.',
      },
      'PUT /api/v1/company/:companyId/resources/:id': { summary: 'Update a resource', auth: 'manager', returns: '`{resource}`' },
      'DELETE /api/v1/company/:companyId/resources/:id': {
        summary: 'Delete a resource',
        auth: 'manager',
        returns: '`{message, resource}`',
      },
      'GET /api/v1/company/:companyId/resource-types': {
        summary: 'List resource types',
        auth: 'bearer',
        returns: '`{items}` (with their resources on request)',
        description: readers,
      },
      'POST /api/v1/company/:companyId/resource-types': {
        summary: 'Create a resource type',
        auth: 'manager',
        status: 201,
        returns: '`{resourceType}`',
      },
      'PUT /api/v1/company/:companyId/resource-types/:id': {
        summary: 'Update a resource type',
        auth: 'manager',
        returns: '`{resourceType}`',
      },
      'DELETE /api/v1/company/:companyId/resource-types/:id': {
        summary: 'Delete a resource type',
        auth: 'manager',
        returns: '`{message, resourceType}`',
      },
    },
  },
  {
    tag: 'Schedules',
    description: 'Staff weekly schedules per location and the company working hours.',
    errors: 'E1',
    routes: {
      'GET /api/v1/catalog/staff/:id/schedule': {
        summary: "Get a staff member's weekly schedule",
        auth: 'manager',
        returns: '`{items}` (one per weekday and location)',
      },
      'PUT /api/v1/catalog/staff/:id/schedule': {
        summary: "Replace a staff member's weekly schedule at a location",
        auth: 'manager',
        returns: '`{ok: true}`',
      },
      'GET /api/v1/company/:companyId/working-hours': {
        summary: 'Get the working hours',
        auth: 'bearer',
        returns: '`{workHours}`',
        description: readers,
        ...legacy,
      },
      'PUT /api/v1/company/:companyId/working-hours': {
        summary: 'Replace the working hours',
        auth: 'manager',
        returns: '`{workHours, message}`',
        ...legacy,
      },
    },
  },
];
