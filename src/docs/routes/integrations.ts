/** Reference entries: Meta (Facebook/Instagram), Facebook's data deletion callback and Google Calendar (contract messaging §1.6–1.7, booking G1–G7). */
import type { AreaDoc } from '../routeDoc';

export const integrationsDocs: AreaDoc[] = [
  {
    tag: 'Meta',
    description:
      'Connecting the Facebook page and Instagram account. Managers only. `/settings/*` errors use E1; `/meta/*` errors use `{success: false, error: {code, message}}`.',
    errors: 'E1',
    routes: {
      'GET /api/v1/settings/integrations': {
        summary: 'Get the integration settings',
        auth: 'manager',
        returns: '`{integration}` with secrets masked',
      },
      'POST /api/v1/settings/integrations': {
        summary: 'Update the integration settings',
        auth: 'manager',
        returns: '`{integration}` with secrets masked',
        description: 'A body whose values are all empty disconnects.',
      },
      'GET /api/v1/settings/meta': { summary: 'Get the Meta connection', auth: 'manager', returns: '`{meta}`' },
      'POST /api/v1/settings/meta/connect': {
        summary: 'Connect Facebook or Instagram (deprecated form)',
        auth: 'manager',
        returns: 'The connection state and a message',
      },
      'POST /api/v1/settings/meta/disconnect': {
        summary: 'Disconnect Facebook or Instagram',
        auth: 'manager',
        returns: '`{success: true, message}`',
      },
      'POST /api/v1/settings/meta/page/connect': {
        summary: 'Connect a Facebook page',
        auth: 'manager',
        returns: '`{success: true, message, data: {pageId, pageName, pageCategory}}`',
      },
      'GET /api/v1/meta': {
        summary: 'Get the Meta connection status (T1)',
        auth: 'manager',
        returns: '`{success: true, data}`',
        errors: 'E3',
      },
      'POST /api/v1/meta/facebook/connect': {
        summary: 'Connect a Facebook page (T2)',
        auth: 'manager',
        returns: '`{success: true, message, data}`',
        errors: 'E3',
      },
      'POST /api/v1/meta/facebook/disconnect': {
        summary: 'Disconnect the Facebook page (T3)',
        auth: 'manager',
        returns: '`{success: true, message, unsubscribed}`',
        errors: 'E3',
      },
      'POST /api/v1/meta/instagram/disconnect': {
        summary: 'Disconnect Instagram (T4)',
        auth: 'manager',
        returns: '`{success: true, message}`',
        errors: 'E3',
      },
    },
  },
  {
    tag: 'Facebook data deletion',
    description: "Meta's user data deletion callback (F1–F3): Meta signs the request (`signed_request`) instead of signing in.",
    errors: 'E1',
    routes: {
      'POST /api/v1/facebook/data-deletion': {
        summary: "Request deletion of a Facebook user's data (F1)",
        auth: 'signed',
        returns: '`{url, confirmation_code}`: where the user can follow the request',
      },
      'GET /api/v1/facebook/data-deletion': {
        summary: "Request deletion of a Facebook user's data (F2)",
        auth: 'signed',
        returns: '`{url, confirmation_code}`',
        description: 'The `signed_request` comes in the query.',
      },
      'GET /api/v1/facebook/data-deletion-status': {
        summary: 'Follow a data deletion request (F3)',
        auth: 'public',
        produces: 'text/html',
        returns: "A page with the request's status",
      },
    },
  },
  {
    tag: 'Google Calendar',
    description: "The manager's Google Calendar account (G1–G7); appointments are synced by a background job.",
    errors: 'E1',
    routes: {
      'GET /api/v1/google/oauth/callback': {
        summary: "Google's OAuth redirect (G2)",
        auth: 'public',
        status: 302,
        returns: 'Redirect to the dashboard with the outcome',
        description: 'Its signed `state` names the company and manager.',
      },
      'GET /api/v1/google/auth/url': { summary: 'Get the Google consent URL (G1)', auth: 'manager', returns: '`{url}`' },
      'GET /api/v1/google/calendars': { summary: 'List the Google calendars (G3)', auth: 'manager', returns: '`{calendars}`' },
      'POST /api/v1/google/calendar/select': { summary: 'Choose the calendar to sync (G4)', auth: 'manager', returns: '`{success: true}`' },
      'POST /api/v1/google/disconnect': { summary: 'Disconnect Google (G5)', auth: 'manager', returns: '`{success: true}`' },
      'GET /api/v1/google/settings': { summary: 'Get the Google settings (G6)', auth: 'manager', returns: '`{settings}`' },
      'POST /api/v1/google/settings/auto-sync': {
        summary: 'Turn automatic sync on or off (G7)',
        auth: 'manager',
        returns: '`{success: true}`',
      },
    },
  },
];
