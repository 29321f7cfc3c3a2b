/**
 * The Meta integration's routers, sharing one Graph client and one service:
 * - /settings/integrations and /settings/meta/* (E1), used by the mounted Integrations UI;
 * - /meta/* (T1–T4), `{success:false, error:{code,message}}` on failure (E3 shape);
 * - /facebook/data-deletion(-status) (F1–F3), public: Meta signs the request instead.
 * Every settings and /meta route is the manager's.
 */
import { Router } from 'express';
import type { AppDeps } from '../../../deps';
import { facebookDeletionController } from '../../../controllers/integrations/meta/facebookDeletion.controller';
import { metaController } from '../../../controllers/integrations/meta/meta.controller';
import { authenticateToken, requireRole } from '../../../middleware/auth';
import { errorEnvelope } from '../../../middleware/errorHandler';
import { sameCompany } from '../../../middleware/tenantGuard';
import { validate } from '../../../middleware/validate';
import { createDataDeletionService } from '../../../services/integrations/dataDeletion.service';
import { graphClientFor } from '../../../services/integrations/graph.client';
import { createIntegrationSettingsService } from '../../../services/integrations/integrationSettings.service';
import { createMetaService } from '../../../services/integrations/meta.service';
import {
  DeletionStatusQuery,
  FacebookConnectBody,
  IntegrationsBody,
  PageConnectBody,
  PlatformBody,
  SettingsMetaConnectBody,
  SignedRequestInput,
} from '../../../validators/integrations/meta/meta.schemas';

export function metaRoutes(deps: AppDeps): { settings: Router; meta: Router; facebook: Router } {
  const { config, clock } = deps;
  const meta = createMetaService({ graph: graphClientFor(config), dataEncryptionKey: config.dataEncryptionKey, clock });
  const c = metaController(meta, createIntegrationSettingsService({ meta, dataEncryptionKey: config.dataEncryptionKey }));
  const manager = [authenticateToken(deps.verifyAccess), requireRole('manager'), sameCompany()];

  const settings = Router();
  settings.get('/integrations', ...manager, c.integrations);
  settings.post('/integrations', ...manager, validate({ body: IntegrationsBody }), c.updateIntegrations);
  settings.get('/meta', ...manager, c.settingsMeta);
  settings.post('/meta/connect', ...manager, validate({ body: SettingsMetaConnectBody }), c.settingsConnect);
  settings.post('/meta/disconnect', ...manager, validate({ body: PlatformBody }), c.settingsDisconnect);
  settings.post('/meta/page/connect', ...manager, validate({ body: PageConnectBody }), c.pageConnect);

  const metaRouter = Router();
  metaRouter.use(errorEnvelope('E3'), ...manager);
  metaRouter.get('/', c.status);
  metaRouter.post('/facebook/connect', validate({ body: FacebookConnectBody }), c.facebookConnect);
  metaRouter.post('/facebook/disconnect', c.facebookDisconnect);
  metaRouter.post('/instagram/disconnect', c.instagramDisconnect);

  const f = facebookDeletionController(createDataDeletionService({ appSecret: config.facebook.appSecret, clock }));
  const facebook = Router();
  const signed = validate({ body: SignedRequestInput, query: SignedRequestInput });
  facebook.post('/data-deletion', signed, f.dataDeletion);
  facebook.get('/data-deletion', signed, f.dataDeletion);
  facebook.get('/data-deletion-status', validate({ query: DeletionStatusQuery }), f.status);

  return { settings, meta: metaRouter, facebook };
}
