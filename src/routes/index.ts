/** Everything under /api/v1. Each area adds its router here. */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { csrfTokenHandler } from '../middleware/csrf';
import { createMessageService } from '../services/message.service';
import { authRoutes } from './auth.routes';
import { catalogRoutes } from './catalog.routes';
import { conversationRoutes } from './conversation.routes';
import { internalRoutes, socketRoutes } from './internal.routes';
import { locationRoutes } from './location.routes';
import { messageRoutes } from './message.routes';

export function apiRoutes(deps: AppDeps): Router {
  const router = Router();
  if (deps.config.csrfEnabled) router.get('/csrf-token', csrfTokenHandler(deps.config));
  router.use('/auth', authRoutes(deps));
  router.use('/catalog', catalogRoutes(deps));
  router.use('/locations', locationRoutes(deps));
  // One message service for both inbox routers (they share the realtime emitter and the outbox kick).
  const messages = createMessageService({ realtime: deps.realtime, clock: deps.clock, kickOutbox: deps.kickOutbox });
  router.use('/messages', messageRoutes(deps, messages));
  router.use('/conversations', conversationRoutes(deps, messages));
  router.use('/socket', socketRoutes(deps));
  router.use('/internal', internalRoutes(deps));
  return router;
}
