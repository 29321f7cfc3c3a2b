/** Reference entries: sign-in (/auth), staff (/catalog/staff) and locations (contract core §3.2, §3.3.5, §3.7). */
import type { AreaDoc } from '../routeDoc';

export const accountsDocs: AreaDoc[] = [
  {
    tag: 'Auth',
    description: 'Registration, sign-in and the refresh-token rotation. Access tokens travel in `Authorization: Bearer`.',
    errors: 'E1',
    routes: {
      'POST /api/v1/auth/register-manager': {
        summary: 'Register a company and its first manager',
        auth: 'public',
        status: 201,
        returns: '`{user, company, accessToken, tokenExpiry}` and the refresh cookie',
        description: 'Shares a per-IP rate limit with login (429). The company is provisioned with default services and resources.',
      },
      'POST /api/v1/auth/login': {
        summary: 'Sign in',
        auth: 'public',
        returns: '`{user, company, accessToken, tokenExpiry}` and the refresh cookie',
        also: { 401: 'INVALID_CREDENTIALS', 429: 'ACCOUNT_LOCKED after repeated failures, or the per-IP limit' },
      },
      'POST /api/v1/auth/refresh': {
        summary: 'Rotate the refresh token',
        auth: 'refresh',
        returns: 'A new `{accessToken, tokenExpiry, user, company}` and a new refresh cookie',
        description: 'The body `refreshToken` takes priority over the cookie.',
        also: { 401: 'The refresh token is missing, expired, revoked or unknown (INVALID_REFRESH_TOKEN)' },
      },
      'POST /api/v1/auth/logout': {
        summary: 'Sign out',
        auth: 'refresh',
        returns: '`{message: "Logout successful"}`; the refresh token is revoked and the cookie cleared',
        description: 'Never refused: without a token it only clears the cookie.',
      },
    },
  },
  {
    tag: 'Staff',
    description: "The company's staff members (users); reads for managers and receptionists, writes for managers.",
    errors: 'E1',
    routes: {
      'GET /api/v1/catalog/staff': {
        summary: 'List staff',
        auth: 'bearer',
        returns: "`{items}` with each member's schedules",
        description: 'Managers and receptionists.',
      },
      'POST /api/v1/catalog/staff': { summary: 'Create a staff member', auth: 'manager', status: 201, returns: '`{user}`' },
      'PUT /api/v1/catalog/staff/:id': {
        summary: 'Update a staff member',
        auth: 'manager',
        returns: '`{user}`',
        description: "A new password or deactivation ends the member's sessions.",
      },
      'DELETE /api/v1/catalog/staff/:id': { summary: 'Delete a staff member', auth: 'manager', returns: '`{message}`' },
    },
  },
  {
    tag: 'Locations',
    description: "The company's locations: read by any signed-in staff member, changed by managers.",
    errors: 'E1',
    routes: {
      'GET /api/v1/locations': { summary: 'List locations', auth: 'bearer', returns: '`{items}`' },
      'GET /api/v1/locations/:id': { summary: 'Get a location', auth: 'bearer', returns: '`{location}`' },
      'POST /api/v1/locations': { summary: 'Create a location', auth: 'manager', status: 201, returns: '`{location}`' },
      'PUT /api/v1/locations/:id': { summary: 'Update a location', auth: 'manager', returns: '`{location}`' },
      'DELETE /api/v1/locations/:id': { summary: 'Delete a location', auth: 'manager', returns: '`{message}`' },
    },
  },
];
