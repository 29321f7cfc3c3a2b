/**
 * The `state` of the Google connect flow (S-9): `<payload>.<signature>`, both base64url, where the
 * payload is JSON {c: company id, u: user id, n: nonce, x: expiry in epoch seconds} and the
 * signature is HMAC-SHA256 under a key derived from DATA_ENCRYPTION_KEY (its own derivation, so
 * that key signs nothing else). It expires after STATE_TTL_MS, and the nonce (kept hashed on the
 * company's integration) makes it single-use. Nothing in it is secret; it cannot be forged.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_TTL_MS = 10 * 60_000;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

export interface StateClaims {
  companyId: string;
  userId: string;
  nonce: string;
  expiresAt: Date;
}

const keyOf = (secret: string): Buffer => createHash('sha256').update(`petbuddy-google-oauth-state:${secret}`).digest();
const mac = (payload: string, secret: string): Buffer => createHmac('sha256', keyOf(secret)).update(payload).digest();

/** How a nonce is stored: its hash, so the database alone cannot complete a flow. */
export const nonceHash = (nonce: string): string => createHash('sha256').update(nonce).digest('hex');

export function signState(secret: string, who: { companyId: string; userId: string }, now: Date): { state: string; claims: StateClaims } {
  const claims: StateClaims = {
    companyId: who.companyId,
    userId: who.userId,
    nonce: randomBytes(18).toString('base64url'),
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  };
  const json = { c: claims.companyId, u: claims.userId, n: claims.nonce, x: Math.floor(claims.expiresAt.getTime() / 1000) };
  const payload = Buffer.from(JSON.stringify(json)).toString('base64url');
  return { state: `${payload}.${mac(payload, secret).toString('base64url')}`, claims };
}

/** The claims of a state this server signed and that has not expired; null for anything else. */
export function verifyState(secret: string, state: string, now: Date): StateClaims | null {
  const [payload, signature, extra] = state.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: { c?: unknown; u?: unknown; n?: unknown; x?: unknown };
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof json;
  } catch {
    return null;
  }
  const { c, u, n, x } = json ?? {};
  if (typeof c !== 'string' || typeof u !== 'string' || typeof n !== 'string' || typeof x !== 'number') return null;
  if (!OBJECT_ID.test(c) || !OBJECT_ID.test(u) || x * 1000 <= now.getTime()) return null;
  return { companyId: c, userId: u, nonce: n, expiresAt: new Date(x * 1000) };
}
