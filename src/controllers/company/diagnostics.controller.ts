/** /diagnostics handlers (development and test only). */
import type { RequestHandler } from 'express';
import { valid } from '../../middleware/validate';
import type { DiagnosticsService } from '../../services/company/diagnostics.service';
import { TestRegistrationBody } from '../../validators/company/diagnostics.schemas';
import { asyncHandler } from '../asyncHandler';

export function diagnosticsController(diagnostics: DiagnosticsService): Record<'status' | 'testRegistration', RequestHandler> {
  return {
    status: asyncHandler(async (_req, res) => {
      res.json(await diagnostics.status());
    }),
    testRegistration: (_req, res) => {
      res.json(diagnostics.testRegistration(valid(res, 'body', TestRegistrationBody)));
    },
  };
}
