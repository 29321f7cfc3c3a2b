/** Reference entries: customers and pets under /catalog (contract core §3.3.1, §3.3.2); managers and receptionists. */
import type { AreaDoc } from '../routeDoc';

const desk = 'Managers and receptionists.';

export const customersDocs: AreaDoc[] = [
  {
    tag: 'Customers',
    description: 'Customers (contacts converted from leads or created at the desk) and their pets.',
    errors: 'E1',
    routes: {
      'GET /api/v1/catalog/customers': { summary: 'List customers', auth: 'bearer', returns: 'A page of customers', description: desk },
      'GET /api/v1/catalog/customers/search/by-phone': {
        summary: 'Search customers by phone',
        auth: 'bearer',
        returns: 'The customers whose phone matches',
        description: desk,
      },
      'POST /api/v1/catalog/customers': {
        summary: 'Create a customer',
        auth: 'bearer',
        status: 201,
        returns: '`{customer}`',
        also: { 200: '`{customer}`: an existing contact with that phone became the customer' },
        description: desk,
      },
      'GET /api/v1/catalog/customers/:id': { summary: 'Get a customer', auth: 'bearer', returns: '`{customer}`', description: desk },
      'PUT /api/v1/catalog/customers/:id': { summary: 'Update a customer', auth: 'bearer', returns: '`{customer}`', description: desk },
      'POST /api/v1/catalog/customers/:id/convert': {
        summary: 'Convert a lead into a customer',
        auth: 'bearer',
        returns: 'The converted customer',
        description: desk,
      },
      'GET /api/v1/catalog/pets': { summary: 'List pets', auth: 'bearer', returns: 'A page of pets', description: desk },
      'POST /api/v1/catalog/pets': { summary: 'Create a pet', auth: 'bearer', status: 201, returns: '`{pet}`', description: desk },
      'GET /api/v1/catalog/pets/:id': { summary: 'Get a pet', auth: 'bearer', returns: '`{pet}`', description: desk },
      'PUT /api/v1/catalog/pets/:id': { summary: 'Update a pet', auth: 'bearer', returns: '`{pet}`', description: desk },
      'DELETE /api/v1/catalog/pets/:id': { summary: 'Delete a pet', auth: 'bearer', returns: '`{message}`', description: desk },
    },
  },
];
