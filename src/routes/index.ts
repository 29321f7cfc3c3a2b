/** Everything under /api/v1. Each area adds its router here. */
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { internalController } from '../controllers/internal.controller';
import { csrfTokenHandler } from '../middleware/csrf';
import { createIngestService } from '../services/ingest.service';
import { createMessageService } from '../services/message.service';
import { createAppointmentService } from '../services/booking/appointment.service';
import { authRoutes } from './auth.routes';
import { internalBookingRoutes } from './booking/internalBooking.routes';
import { internalSocketRoutes } from './booking/internalSocket.routes';
import { catalogueRoutes } from './booking/catalogue.routes';
import { appointmentRoutes } from './booking/appointment.routes';
import { schedulingRoutes } from './booking/scheduling.routes';
import { catalogRoutes } from './catalog.routes';
import { companyProfileRoutes } from './company/company.routes';
import { diagnosticsRoutes } from './company/diagnostics.routes';
import { settingsRoutes } from './company/settings.routes';
import { conversationRoutes } from './conversation.routes';
import { customerRoutes } from './customers/customer.routes';
import { googleRoutes } from './integrations/google/google.routes';
import { metaRoutes } from './integrations/meta/meta.routes';
import { internalRoutes, socketRoutes } from './internal.routes';
import { locationRoutes } from './location.routes';
import { messageRoutes } from './message.routes';
import { aiPromptRoutes } from './setup/aiPrompt.routes';
import { setupRoutes } from './setup/setup.routes';

export function apiRoutes(deps: AppDeps): Router {
  const router = Router();
  if (deps.config.csrfEnabled) router.get('/csrf-token', csrfTokenHandler(deps.config));
  router.use('/auth', authRoutes(deps));
  // Booking: time off is mounted before /catalog, whose router would authenticate it a second time.
  const scheduling = schedulingRoutes(deps);
  router.use('/catalog/staff', scheduling.timeOff);
  // Customers and pets: /catalog/customers*, /catalog/pets* (each route authenticates itself).
  router.use('/catalog', customerRoutes(deps));
  router.use('/catalog', catalogRoutes(deps));
  // Booking catalogue: /catalog (services, items, resources, schedules), /service-items, /company/:companyId/...
  router.use(catalogueRoutes(deps));
  // Company profile (/company, /company/:companyId) beside the catalogue's /company/:companyId/... routes.
  router.use('/company', companyProfileRoutes(deps));
  router.use('/settings', settingsRoutes(deps));
  // Meta: /settings/integrations and /settings/meta/* (the Integrations UI), /meta/*, and Facebook's data deletion callback.
  const meta = metaRoutes(deps);
  router.use('/settings', meta.settings);
  router.use('/meta', meta.meta);
  router.use('/facebook', meta.facebook);
  // Diagnostics are for development and tests; production does not expose them (S10).
  if (!deps.config.isProduction) router.use('/diagnostics', diagnosticsRoutes(deps));
  router.use('/appointments', appointmentRoutes(deps, createAppointmentService({ realtime: deps.realtime, clock: deps.clock })));
  router.use('/availability', scheduling.availability);
  router.use('/holds', scheduling.holds);
  router.use('/locations', locationRoutes(deps));
  // Google Calendar account (G1–G7); the appointment → event sync is the scheduler's job.
  router.use('/google', googleRoutes(deps));
  router.use('/setup', setupRoutes(deps));
  router.use('/ai-prompts', aiPromptRoutes(deps));
  // One message service for both inbox routers (they share the realtime emitter and the outbox kick).
  const messages = createMessageService({ realtime: deps.realtime, clock: deps.clock, kickOutbox: deps.kickOutbox });
  router.use('/messages', messageRoutes(deps, messages));
  router.use('/conversations', conversationRoutes(deps, messages));
  // One controller (and ingest service) for the Meta Bot's two routers.
  const internal = internalController(deps.realtime, createIngestService({ realtime: deps.realtime, clock: deps.clock }), messages);
  router.use('/socket', socketRoutes(deps, internal));
  router.use('/internal', internalRoutes(deps, internal));
  router.use('/internal/booking', internalBookingRoutes(deps));
  router.use('/internal/socket', internalSocketRoutes(deps));
  return router;
}
