/**
 * /api/v1/google (G1–G7): the manager's Google Calendar account (E1). The OAuth callback is
 * public (Google's browser redirect): its signed state says which company and manager it is for.
 */
import { Router } from 'express';
import type { AppDeps } from '../../../deps';
import { googleController } from '../../../controllers/integrations/google/google.controller';
import { authenticateToken, requireRole } from '../../../middleware/auth';
import { sameCompany } from '../../../middleware/tenantGuard';
import { validate } from '../../../middleware/validate';
import { createGoogleClient } from '../../../services/integrations/google/google.client';
import { createGoogleAccountService } from '../../../services/integrations/google/googleAccount.service';
import { AutoSyncBody, CallbackQuery, SelectCalendarBody } from '../../../validators/integrations/google/google.schemas';

export function googleRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = googleController(
    createGoogleAccountService({ config: deps.config, clock: deps.clock, google: createGoogleClient(deps.config) }),
  );
  const manager = [authenticateToken(deps.verifyAccess), requireRole('manager'), sameCompany()];

  r.get('/oauth/callback', validate({ query: CallbackQuery }), c.callback);
  r.get('/auth/url', ...manager, c.authUrl);
  r.get('/calendars', ...manager, c.calendars);
  r.post('/calendar/select', ...manager, validate({ body: SelectCalendarBody }), c.selectCalendar);
  r.post('/disconnect', ...manager, c.disconnect);
  r.get('/settings', ...manager, c.settings);
  r.post('/settings/auto-sync', ...manager, validate({ body: AutoSyncBody }), c.setAutoSync);
  return r;
}
