/**
 * What the staff inbox routers (/messages, /conversations) share: `{message}` errors (E2), a
 * signed-in manager or receptionist of their own company, and one per-IP limiter per router
 * (plain-text 429, as the original answered).
 */
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { authenticateToken, requireRole } from '../middleware/auth';
import { errorEnvelope } from '../middleware/errorHandler';
import { textRateLimiter } from '../middleware/rateLimit';
import { sameCompany } from '../middleware/tenantGuard';

export function inboxRouter(deps: AppDeps, area: 'message' | 'conversation'): { router: Router; limit: RequestHandler } {
  const router = Router();
  router.use(errorEnvelope('E2'), authenticateToken(deps.verifyAccess), requireRole('manager', 'receptionist'), sameCompany());
  const { messagesMax, conversationsMax, windowMs } = deps.config.inboxRateLimit;
  const limit = textRateLimiter(
    {
      name: `${area}s`,
      max: area === 'message' ? messagesMax : conversationsMax,
      windowMs,
      message: `Too many requests to ${area} endpoints, please try again later.`,
    },
    deps.redis,
  );
  return { router, limit };
}
