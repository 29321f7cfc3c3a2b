/** API reference: /api/openapi.json and /api/docs (placeholder until the OpenAPI work lands). */
import { Router, type Express } from 'express';

export function apiDocsRoutes(_app: Express): Router {
  return Router();
}
