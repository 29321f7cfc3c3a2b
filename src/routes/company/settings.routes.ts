/**
 * /api/v1/settings: what the Company and AI Agent pages load and save. Every route is the
 * manager's (E1). /settings/integrations and /settings/meta belong to the integrations area.
 */
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { settingsController } from '../../controllers/company/settings.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { sameCompany } from '../../middleware/tenantGuard';
import { validate } from '../../middleware/validate';
import { createCompanyService } from '../../services/company/company.service';
import { createSettingsService } from '../../services/company/settings.service';
import { AiAgentBody, SettingsCompanyBody, settingsCompanyPrecheck } from '../../validators/company/settings.schemas';

export function settingsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = settingsController(createCompanyService(), createSettingsService({ dataEncryptionKey: deps.config.dataEncryptionKey }));
  const manager = [authenticateToken(deps.verifyAccess), requireRole('manager'), sameCompany()];

  r.get('/', ...manager, c.overview);
  r.get('/company', ...manager, c.company);
  r.post('/company', ...manager, settingsCompanyPrecheck(), validate({ body: SettingsCompanyBody }), c.updateCompany);
  r.get('/ai-agent', ...manager, c.aiAgent);
  r.post('/ai-agent', ...manager, validate({ body: AiAgentBody }), c.updateAiAgent);
  return r;
}
