/**
 * Handlers of the Meta integration (manager only): /settings/integrations and /settings/meta/*,
 * which the mounted Integrations UI uses, and /meta/* (T1–T4). Response shapes are the contract's
 * [COMPAT]; no token is ever in them (booleans or `***` + last four at most).
 */
import type { RequestHandler, Response } from 'express';
import { currentUser } from '../../../middleware/auth';
import { valid } from '../../../middleware/validate';
import type { IntegrationSettingsService } from '../../../services/integrations/integrationSettings.service';
import type { MetaService } from '../../../services/integrations/meta.service';
import { AppError } from '../../../utils/errors';
import {
  FacebookConnectBody,
  IntegrationsBody,
  PageConnectBody,
  PlatformBody,
  SettingsMetaConnectBody,
} from '../../../validators/integrations/meta/meta.schemas';
import { asyncHandler } from '../../asyncHandler';

const company = (res: Response) => currentUser(res).companyObjectId;

const CONNECTED = 'Facebook page connected successfully';
const disconnected = (platform: 'facebook' | 'instagram') =>
  platform === 'facebook' ? 'Facebook disconnected successfully' : 'Instagram disconnected successfully';

export function metaController(meta: MetaService, integrations: IntegrationSettingsService) {
  const pageConnect = async (res: Response, body: PageConnectBody) => {
    if (!body.userAccessToken && !body.systemUserAccessToken && !body.pageAccessToken) {
      throw new AppError(
        400,
        'MISSING_FIELDS',
        'pageId and either userAccessToken, systemUserAccessToken, or pageAccessToken are required',
      );
    }
    const { pageId, pageName, pageCategory } = await meta.connectPage(company(res), body);
    res.json({ success: true, message: CONNECTED, data: { pageId, pageName, pageCategory } });
  };

  const handlers = {
    /** GET /settings/integrations */
    integrations: asyncHandler(async (_req, res) => {
      res.json({ integration: await integrations.view(company(res)) });
    }),
    /** POST /settings/integrations */
    updateIntegrations: asyncHandler(async (_req, res) => {
      res.json({ integration: await integrations.update(company(res), valid(res, 'body', IntegrationsBody)) });
    }),
    /** GET /settings/meta */
    settingsMeta: asyncHandler(async (_req, res) => {
      res.json({ meta: await meta.settingsView(company(res)) });
    }),
    /** POST /settings/meta/page/connect */
    pageConnect: asyncHandler(async (_req, res) => {
      await pageConnect(res, valid(res, 'body', PageConnectBody));
    }),
    /** POST /settings/meta/connect (deprecated): facebook is a page connect with a user token. */
    settingsConnect: asyncHandler(async (_req, res) => {
      const body = valid(res, 'body', SettingsMetaConnectBody);
      if (body.platform === 'facebook') {
        await pageConnect(res, { pageId: body.pageId, userAccessToken: body.accessToken });
        return;
      }
      await meta.connectInstagram(company(res), body.pageId);
      const status = await meta.status(company(res));
      res.json({
        meta: {
          facebook: { connected: status.facebook.connected, pageId: status.facebook.pageId ?? '' },
          instagram: { connected: status.instagram.connected, pageId: status.instagram.accountId ?? '' },
        },
        message: 'Instagram integration updated successfully',
      });
    }),
    /** POST /settings/meta/disconnect */
    settingsDisconnect: asyncHandler(async (_req, res) => {
      const { platform } = valid(res, 'body', PlatformBody);
      if (platform === 'facebook') await meta.disconnectFacebook(company(res));
      else await meta.disconnectInstagram(company(res));
      res.json({ success: true, message: disconnected(platform) });
    }),

    /** GET /meta (T1) */
    status: asyncHandler(async (_req, res) => {
      res.json({ success: true, data: await meta.status(company(res)) });
    }),
    /** POST /meta/facebook/connect (T2) */
    facebookConnect: asyncHandler(async (_req, res) => {
      const body = valid(res, 'body', FacebookConnectBody);
      const done = await meta.connectPage(company(res), body);
      res.json({
        success: true,
        message: CONNECTED,
        data: { pageId: done.pageId, pageName: done.pageName, instagramConnected: done.instagramConnected },
      });
    }),
    /** POST /meta/facebook/disconnect (T3) */
    facebookDisconnect: asyncHandler(async (_req, res) => {
      const { unsubscribed } = await meta.disconnectFacebook(company(res));
      res.json({ success: true, message: disconnected('facebook'), unsubscribed });
    }),
    /** POST /meta/instagram/disconnect (T4) */
    instagramDisconnect: asyncHandler(async (_req, res) => {
      await meta.disconnectInstagram(company(res));
      res.json({ success: true, message: disconnected('instagram') });
    }),
  } satisfies Record<string, RequestHandler>;
  return handlers;
}
