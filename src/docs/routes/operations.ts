/** Reference entries: health, readiness, metrics, the API reference itself, the CSRF token and diagnostics. */
import type { AreaDoc } from '../routeDoc';

export const operationsDocs: AreaDoc[] = [
  {
    tag: 'Operations',
    description: 'Liveness and readiness probes, metrics, this reference, the CSRF token and the development diagnostics.',
    errors: 'E1',
    routes: {
      'GET /health': {
        summary: 'Liveness probe',
        auth: 'public',
        returns: '`{status: "OK", timestamp, uptime}`; the database is not checked',
      },
      'GET /ready': {
        summary: 'Readiness probe',
        auth: 'public',
        returns:
          '`{status: "ready", ...checks}` when the database answers and no shutdown has begun (with Redis configured, `redis: "up" | "down"` too; Redis down does not make the instance unready)',
        also: { 503: '`{status: "not_ready", ...checks}`' },
      },
      'GET /metrics': {
        summary: 'Prometheus metrics',
        auth: 'metrics',
        produces: 'text/plain',
        returns: 'The metrics in the Prometheus text format',
        description:
          'With METRICS_TOKEN set it needs that token as a Bearer token. Not on this port when METRICS_PORT is set, nor in production without a token.',
        also: { 401: 'METRICS_TOKEN_REQUIRED or INVALID_METRICS_TOKEN' },
      },
      'GET /api/openapi.json': { summary: 'This OpenAPI document', auth: 'public', returns: 'The OpenAPI 3.1 document' },
      'GET /api/docs': {
        summary: 'The API reference (Swagger UI)',
        auth: 'public',
        produces: 'text/html',
        returns: 'The Swagger UI page (`/api/docs` redirects to `/api/docs/`)',
        also: { 301: 'Redirect to `/api/docs/`' },
      },
      'GET /api/v1/csrf-token': {
        summary: 'Issue a CSRF token',
        auth: 'public',
        returns: '`{csrfToken}` and the httpOnly `csrfToken` cookie; send the token back in `X-CSRF-Token`',
        description: 'Mounted only when CSRF_ENABLED.',
      },
      'GET /api/v1/diagnostics/status': {
        summary: 'Diagnostics report',
        auth: 'manager',
        returns: 'Configuration and database status (always 200)',
        description: 'Mounted outside production only.',
      },
      'POST /api/v1/diagnostics/test-registration': {
        summary: 'Dry-run a registration body',
        auth: 'public',
        returns: '`{valid, errors, receivedData}`; nothing is stored',
        description: 'Mounted outside production only.',
      },
    },
  },
];
