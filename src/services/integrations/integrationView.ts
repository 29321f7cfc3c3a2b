/**
 * What a client may see of a CompanyIntegration: every secret (tokens and API keys, the backend's
 * and the Meta Bot's) becomes a boolean "is set", other fields pass as stored (S8). Keys this file
 * does not know are judged by their name, so a field added later is hidden if it looks secret.
 */
import { isSecretKey } from '../../utils/redact';
import { decryptSecret } from '../../utils/secrets';

/** Every secret field of the union schema (encrypted at rest; the migration encrypts old plaintext). */
export const INTEGRATION_SECRET_FIELDS = [
  'facebookAccessToken',
  'facebookAppAccessToken',
  'facebookUserAccessToken',
  'openaiApiKey',
  'geminiApiKey',
  'googleAccessToken',
  'googleRefreshToken',
  'facebookAdminToken',
  'instagramAdminToken',
] as const;

const KNOWN_SECRETS = new Set<string>(INTEGRATION_SECRET_FIELDS);
/** Bookkeeping no client needs (the pending Google OAuth nonces). */
const INTERNAL = new Set(['__v', 'googleOAuthPending']);
/** Names that contain "token" or "key" but hold dates, counts, codes or scopes. */
const DESCRIBES_A_SECRET = /(At|Source|Scopes|Error|Failures|Email|Id|Summary|Sync)$/;

export function isSecretField(key: string): boolean {
  return KNOWN_SECRETS.has(key) || (isSecretKey(key) && !DESCRIBES_A_SECRET.test(key));
}

/** The integration as `GET/POST /settings/integrations` return it: secrets as booleans [COMPAT truthiness]. */
export function integrationView(doc: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!doc) return null;
  // The known secrets are always answered (false when unset), as the original's '' for a missing one.
  const out: Record<string, unknown> = Object.fromEntries(INTEGRATION_SECRET_FIELDS.map((f) => [f, false]));
  for (const [key, value] of Object.entries(doc)) {
    if (INTERNAL.has(key)) continue;
    out[key] = isSecretField(key) ? typeof value === 'string' && value.length > 0 : value;
  }
  return out;
}

/**
 * `***` and the last four characters of a stored secret (the contract's masked form), '' when
 * none is stored. Short secrets, and ones that cannot be decrypted, show no characters at all.
 */
export function last4Mask(stored: unknown, key: string): string {
  if (typeof stored !== 'string' || stored.length === 0) return '';
  try {
    const plain = decryptSecret(stored, key);
    return plain.length >= 12 ? `***${plain.slice(-4)}` : '***';
  } catch {
    return '***';
  }
}
