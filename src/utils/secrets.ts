/**
 * Secrets at rest (page tokens, OAuth tokens): AES-256-GCM with a key derived from
 * DATA_ENCRYPTION_KEY, stored as `enc:v1:<iv>:<tag>:<ciphertext>` (base64url). Values written
 * before encryption (plaintext, e.g. by the Meta Bot) are read as they are.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

function keyOf(secret: string): Buffer {
  return createHash('sha256').update(`petbuddy-data:${secret}`).digest();
}

export function encryptSecret(plain: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${data.toString('base64url')}`;
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The plaintext of a stored secret (plaintext values pass through). Throws if tampered. */
export function decryptSecret(stored: string, secret: string): string {
  if (!isEncrypted(stored)) return stored;
  const [iv, tag, data] = stored.slice(PREFIX.length).split(':');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(iv ?? '', 'base64url'));
  decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data ?? '', 'base64url')), decipher.final()]).toString('utf8');
}
