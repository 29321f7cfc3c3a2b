/**
 * /api/v1/diagnostics, mounted outside production only (S10): the status report is a manager's;
 * test-registration keeps the original's open, database-free check for development.
 */
import { Router } from 'express';
import type { AppDeps } from '../../deps';
import { diagnosticsController } from '../../controllers/company/diagnostics.controller';
import { authenticateToken, requireRole } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { createDiagnosticsService } from '../../services/company/diagnostics.service';
import { TestRegistrationBody } from '../../validators/company/diagnostics.schemas';

export function diagnosticsRoutes(deps: AppDeps): Router {
  const r = Router();
  const c = diagnosticsController(createDiagnosticsService({ config: deps.config, readiness: deps.readiness }));
  r.get('/status', authenticateToken(deps.verifyAccess), requireRole('manager'), c.status);
  r.post('/test-registration', validate({ body: TestRegistrationBody }), c.testRegistration);
  return r;
}
