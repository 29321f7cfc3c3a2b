import { Router } from 'express';
import type { AppDeps } from '../deps';
import { authController } from '../controllers/auth.controller';
import { authRateLimiter } from '../middleware/rateLimit';
import { validate } from '../middleware/validate';
import { LoginBody, RegisterBody, TokenBody } from '../validators/auth.schemas';

export function authRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = authController(deps.auth, deps.config);
  // One limiter instance: login and register share the per-IP budget [COMPAT].
  const limiter = authRateLimiter(deps.config.authRateLimit, deps.redis);
  router.post('/register-manager', limiter, validate({ body: RegisterBody }), c.register);
  router.post('/login', limiter, validate({ body: LoginBody }), c.login);
  router.post('/refresh', validate({ body: TokenBody }), c.refresh);
  router.post('/logout', validate({ body: TokenBody }), c.logout);
  return router;
}
