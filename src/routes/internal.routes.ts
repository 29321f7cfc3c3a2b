/**
 * The Meta Bot's endpoints. /api/v1/socket/emit-message-internal and everything under
 * /api/v1/internal take the x-api-key (unknown /internal paths answer 401/403 before 404, as in
 * the original); /api/v1/socket/emit-message needs a staff token.
 */
import { Router } from 'express';
import type { AppDeps } from '../deps';
import type { InternalController } from '../controllers/internal.controller';
import { authenticateToken, requireRole } from '../middleware/auth';
import { errorEnvelope } from '../middleware/errorHandler';
import { authenticateInternalService } from '../middleware/internalAuth';
import { validate } from '../middleware/validate';
import { EmitMessageBody, IngestMessageBody } from '../validators/message.schemas';

export function socketRoutes(deps: AppDeps, c: InternalController): Router {
  const router = Router();
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

export function internalRoutes(deps: AppDeps, c: InternalController): Router {
  const router = Router();
  router.use(errorEnvelope('E4'), authenticateInternalService(deps.config.internalApiKey));
  router.post('/messages', validate({ body: IngestMessageBody }), c.ingest);
  return router;
}
