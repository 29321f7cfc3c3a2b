/**
 * The Meta Bot's endpoints. /api/v1/socket/emit-message-internal and everything under
 * /api/v1/internal take the x-api-key (unknown /internal paths answer 401/403 before 404, as in
 * the original); /api/v1/socket/emit-message needs a staff token.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { internalController } from '../controllers/internal.controller';
import { authenticateToken, requireRole } from '../middleware/auth';
import { errorEnvelope } from '../middleware/errorHandler';
import { authenticateInternalService } from '../middleware/internalAuth';
import { validate } from '../middleware/validate';
import { createIngestService } from '../services/ingest.service';
import { EmitMessageBody, IngestMessageBody } from '../validators/message.schemas';

function controller(deps: AppDeps) {
  return internalController(deps.realtime, createIngestService({ realtime: deps.realtime, clock: deps.clock }));
}

export function socketRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = controller(deps);
  router.post(
    '/emit-message-internal',
    authenticateInternalService(deps.config.internalApiKey),
    validate({ body: EmitMessageBody }),
    c.emitInternal,
  );
  router.post(
    '/emit-message',
    authenticateToken(deps.verifyAccess),
    requireRole('manager', 'receptionist'),
    validate({ body: EmitMessageBody }),
    c.emitLegacy,
  );
  return router;
}

export function internalRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = controller(deps);
  router.use(errorEnvelope('E4'), authenticateInternalService(deps.config.internalApiKey));
  router.post('/messages', validate({ body: IngestMessageBody }), c.ingest);
  return router;
}
