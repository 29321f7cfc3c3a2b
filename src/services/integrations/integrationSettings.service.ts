/**
 * GET/POST /settings/integrations: the integration as the Integrations UI reads it (secrets as
 * booleans, S8) and the keys it saves. Each key is its own partial update: a value is stored
 * (tokens and keys encrypted), '' removes that key alone. The UI's "Disconnect Meta" (every Meta
 * key sent empty) is a full Meta disconnect and leaves the OpenAI key alone (B13). Nothing is
 * logged but which keys changed (S7).
 */
import type { Types } from 'mongoose';
import { CompanyIntegration } from '../../models/CompanyIntegration';
import { moduleLogger } from '../../utils/logger';
import { encryptSecret } from '../../utils/secrets';
import type { IntegrationsBody } from '../../validators/integrations/meta/meta.schemas';
import { integrationView, isSecretField } from './integrationView';
import type { MetaService } from './meta.service';

const log = moduleLogger('integrations');

type CompanyId = Types.ObjectId;

/** Clearing either (with nothing else set) is the UI's "Disconnect Meta". */
const PAGE_KEYS = ['facebookChatId', 'facebookAccessToken'];

export function createIntegrationSettingsService(deps: { meta: MetaService; dataEncryptionKey: string }) {
  async function view(companyId: CompanyId) {
    return integrationView(await CompanyIntegration.findOne({ companyId }).lean<Record<string, unknown>>());
  }

  return {
    view,

    async update(companyId: CompanyId, body: IntegrationsBody) {
      const entries = Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string');
      if (entries.some(([k]) => PAGE_KEYS.includes(k)) && entries.every(([, v]) => v === '')) {
        await deps.meta.disconnectFacebook(companyId);
        log.info('integrations: meta disconnected from the integrations page');
        return view(companyId);
      }
      if (body.facebookChatId) await deps.meta.assertFree(companyId, 'facebookChatId', body.facebookChatId);
      if (body.instagramChatId) await deps.meta.assertFree(companyId, 'instagramChatId', body.instagramChatId);
      const $set: Record<string, string> = {};
      const $unset: Record<string, 1> = {};
      for (const [key, value] of entries) {
        if (value === '') $unset[key] = 1;
        else $set[key] = isSecretField(key) ? encryptSecret(value, deps.dataEncryptionKey) : value;
      }
      if (entries.length > 0) {
        await CompanyIntegration.updateOne(
          { companyId },
          { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) },
          { upsert: Object.keys($set).length > 0 },
        );
        log.info('integrations saved', { set: Object.keys($set), removed: Object.keys($unset) });
      }
      return view(companyId);
    },
  };
}

export type IntegrationSettingsService = ReturnType<typeof createIntegrationSettingsService>;
