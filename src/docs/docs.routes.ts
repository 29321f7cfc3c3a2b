/**
 * The API reference, public in every environment (it shows the API's shape, no data):
 * GET /api/openapi.json (built from the live app on first request, then kept) and Swagger UI at
 * /api/docs/, whose scripts and styles come from swagger-ui-dist in node_modules, same origin,
 * no inline script (the app's CSP allows only 'self' scripts).
 */
import { Router, type Express, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { moduleLogger } from '../utils/logger';
import { buildOpenApiDocument, type BuiltDocument } from './openapi';

const log = moduleLogger('docs');

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/** What the page loads (swagger-ui-dist serves more: its demo index.html, which points at a remote spec, is not among them). */
const ASSETS =
  /^\/(swagger-ui\.css|swagger-ui-bundle\.js|swagger-ui-standalone-preset\.js|swagger-ui-init\.js|favicon-(16x16|32x32)\.png)(\.map)?$/;

const UI_OPTIONS: swaggerUi.SwaggerUiOptions = {
  customSiteTitle: 'PetBuddy API',
  swaggerUrl: OPENAPI_PATH,
  // No validator badge: it would send the document to validator.swagger.io.
  swaggerOptions: { validatorUrl: null },
};

export function apiDocsRoutes(app: Express): Router {
  const router = Router();
  let built: BuiltDocument | undefined;
  const document = (): BuiltDocument['document'] => {
    if (!built) {
      built = buildOpenApiDocument(app);
      for (const problem of built.unrepresentable) log.warn('request schema not representable in OpenAPI', { problem });
    }
    return built.document;
  };

  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document());
  });

  // The page's asset URLs are relative: /api/docs must become /api/docs/ (query kept).
  const html = swaggerUi.generateHTML(undefined, UI_OPTIONS);
  router.get(DOCS_PATH, (req, res) => {
    const [path = '', query] = req.originalUrl.split(/\?(.*)/s);
    if (!path.endsWith('/')) res.redirect(301, `${DOCS_PATH}/${query ? `?${query}` : ''}`);
    else res.type('html').send(html);
  });

  const onlyAssets: RequestHandler = (req, _res, next) => next(ASSETS.test(req.path) ? undefined : 'router');
  router.use(DOCS_PATH, onlyAssets, ...swaggerUi.serveFiles(undefined, UI_OPTIONS));
  return router;
}
