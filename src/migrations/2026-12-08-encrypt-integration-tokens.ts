/**
 * For a database the original backend (or the original Meta Bot) wrote: encrypts every plaintext
 * token and API key in `companyintegrations` (S-11, S9) with DATA_ENCRYPTION_KEY, in the scheme
 * of src/utils/secrets.ts that the services read. Values already encrypted are left alone, so it
 * is idempotent; each write is conditional on the value it read, so a value changed meanwhile is
 * not overwritten. Down: decrypts them again (for going back to the original code, which reads
 * plaintext). Keep DATA_ENCRYPTION_KEY: values encrypted with a lost key cannot be read again.
 */
import mongoose from 'mongoose';
import { getConfig } from '../config/env';
import { INTEGRATION_SECRET_FIELDS } from '../services/integrations/integrationView';
import { decryptSecret, encryptSecret, isEncrypted } from '../utils/secrets';
import type { Migration } from './types';

const integrations = () => mongoose.connection.db!.collection('companyintegrations');
const ENCRYPTED = /^enc:v1:/;

type Convert = (value: string) => string | null;

/** Rewrites every field `convert` changes; returns how many values it rewrote. */
async function rewrite(filterFor: (field: string) => Record<string, unknown>, convert: Convert): Promise<number> {
  const cursor = integrations().find({ $or: INTEGRATION_SECRET_FIELDS.map(filterFor) });
  let changed = 0;
  for await (const doc of cursor) {
    const $set: Record<string, string> = {};
    const unchanged: Record<string, unknown> = { _id: doc._id };
    for (const field of INTEGRATION_SECRET_FIELDS) {
      const value: unknown = doc[field];
      if (typeof value !== 'string' || value === '') continue;
      const next = convert(value);
      if (next === null || next === value) continue;
      $set[field] = next;
      unchanged[field] = value;
    }
    if (Object.keys($set).length === 0) continue;
    const res = await integrations().updateOne(unchanged, { $set });
    if (res.matchedCount > 0) changed += Object.keys($set).length;
  }
  return changed;
}

const plaintext = (field: string) => ({ [field]: { $type: 'string', $nin: [''], $not: ENCRYPTED } });

/** The migration with an explicit key (tests); the registered one uses the process configuration. */
export function encryptIntegrationTokensWith(key: () => string): Migration {
  return {
    id: '2026-12-08-encrypt-integration-tokens',
    description: 'encrypt plaintext tokens and API keys in companyintegrations',
    async needed() {
      return (await integrations().countDocuments({ $or: INTEGRATION_SECRET_FIELDS.map(plaintext) }, { limit: 1 })) > 0;
    },
    async up() {
      const secret = key();
      const n = await rewrite(plaintext, (v) => (isEncrypted(v) ? null : encryptSecret(v, secret)));
      return `${n} value(s) encrypted`;
    },
    async down() {
      const secret = key();
      let unreadable = 0;
      const n = await rewrite(
        (field) => ({ [field]: { $regex: ENCRYPTED } }),
        (v) => {
          try {
            return decryptSecret(v, secret);
          } catch {
            unreadable++;
            return null;
          }
        },
      );
      return `${n} value(s) decrypted${unreadable ? `, ${unreadable} could not be (another DATA_ENCRYPTION_KEY?)` : ''}`;
    },
  };
}

export const encryptIntegrationTokens = encryptIntegrationTokensWith(() => getConfig().dataEncryptionKey);
