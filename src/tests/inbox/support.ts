/** Shared by the inbox suites: an app that records what it publishes, and a two-company setup. */
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildApp } from '../../app';
import type { Config } from '../../config/env';
import { recordingRealtime } from '../../socket/realtime';
import type { companyWithStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';

export const MESSAGES = '/api/v1/messages';
export const CONVERSATIONS = '/api/v1/conversations';

export interface InboxApp {
  app: Express;
  config: Config;
  realtime: ReturnType<typeof recordingRealtime>;
  /** How often the app asked the outbox to deliver. */
  kicks: () => number;
}

/** An app with high inbox rate limits (unless `env` says otherwise), recording its events. */
export function inboxApp(env: Record<string, string> = {}): InboxApp {
  const config = testConfig({ MESSAGE_RATE_LIMIT_MAX: '1000', CONVERSATION_RATE_LIMIT_MAX: '1000', ...env });
  const realtime = recordingRealtime();
  let kicked = 0;
  const app = buildApp({ config, realtime, kickOutbox: () => void kicked++ });
  return { app, config, realtime, kicks: () => kicked };
}

export type Co = Awaited<ReturnType<typeof companyWithStaff>>;

export const FORBIDDEN = { error: { code: 'FORBIDDEN', message: expect.any(String) } };
export const CONTACT_NOT_FOUND = { message: 'Contact not found' };
export const MESSAGE_NOT_FOUND = { message: 'Message not found' };

/** A 400 in the E1 envelope naming `field` among its details. */
export function validationError(field: string) {
  return {
    error: {
      code: 'VALIDATION_ERROR',
      message: 'Validation failed',
      details: expect.arrayContaining([expect.objectContaining({ field })]),
    },
  };
}

/** The raw documents of a collection for one company, in a stable order. */
export async function stored(collection: 'messages' | 'contacts', companyId: mongoose.Types.ObjectId) {
  const key = collection === 'messages' ? 'company_id' : 'companyId';
  return mongoose.connection
    .db!.collection(collection)
    .find({ [key]: companyId })
    .sort({ _id: 1 })
    .toArray();
}

export async function countOf(collection: 'messages' | 'contacts'): Promise<number> {
  return mongoose.connection.db!.collection(collection).countDocuments({});
}

/** JSON round trip: what a document looks like in a response body. */
export function asJson<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v));
}
