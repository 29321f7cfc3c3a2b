/**
 * /api/v1/ai-prompts (contract §3.8), E1: the global prompt library, read by any signed-in user
 * (the original served it to anyone, S5); its statistics are a manager's (the original asked for
 * a role that does not exist, B16). There is no write route: the seed script writes the library,
 * and selecting a prompt in the AI agent settings counts its use (the public POST /:id/usage is gone).
 */
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { aiPromptController } from '../../controllers/setup/aiPrompt.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { createAIPromptService } from '../../services/setup/aiPrompt.service';
import { IdParams } from '../../validators/common.schemas';
import { CategoryParams, PromptListQuery, PromptSearchQuery } from '../../validators/setup/aiPrompt.schemas';

export function aiPromptRoutes(deps: AppDeps): Router {
  const router = Router();
  const c = aiPromptController(createAIPromptService());
  router.use(authenticateToken(deps.verifyAccess));
  router.get('/defaults', c.defaults);
  router.get('/categories/:category', validate({ params: CategoryParams }), c.byCategory);
  router.get('/search', validate({ query: PromptSearchQuery }), c.search);
  router.get('/stats', requireRole('manager'), c.stats);
  router.get('/', validate({ query: PromptListQuery }), c.list);
  router.get('/:id', validate({ params: IdParams }), c.get);
  router.get('/:id/preview', validate({ params: IdParams }), c.preview);
  return router;
}
