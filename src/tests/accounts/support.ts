/**
 * Shared by the accounts suites: an app on the test database, a valid registration body, the
 * cookies a response set, and counts of what is stored.
 */
import type { Express } from 'express';
import mongoose from 'mongoose';
import request, { type Response } from 'supertest';
import { buildApp, type BuildAppOptions } from '../../app';
import type { Config } from '../../config/env';
import { testConfig } from '../helpers/config';

export const AUTH = '/api/v1/auth';

/** An app with a high auth rate limit (unless `env` says otherwise) and its configuration. */
export function authApp(
  options: { env?: Record<string, string>; clock?: BuildAppOptions['clock']; extend?: (config: Config) => BuildAppOptions['extend'] } = {},
): { app: Express; config: Config } {
  const config = testConfig({ AUTH_RATE_LIMIT_MAX: '1000', ...options.env });
  const extend = options.extend?.(config);
  return { app: buildApp({ config, ...(options.clock ? { clock: options.clock } : {}), ...(extend ? { extend } : {}) }), config };
}

export interface SetCookie {
  value: string;
  /** Attribute names lower-cased; flags (HttpOnly, Secure) are `true`. */
  attributes: Record<string, string | true>;
}

/** The Set-Cookie of `name` in a response, parsed. */
export function setCookie(res: Response, name: string): SetCookie | undefined {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  for (const line of lines) {
    const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) !== name) continue;
    const attributes: Record<string, string | true> = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      attributes[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? true : a.slice(i + 1);
    }
    return { value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  }
  return undefined;
}

/** The refresh token a response set in its cookie (fails the test when there is none). */
export function refreshTokenOf(res: Response): string {
  const c = setCookie(res, 'refreshToken');
  if (!c?.value) throw new Error(`no refreshToken cookie in the response (status ${res.status}): ${JSON.stringify(res.body)}`);
  return c.value;
}

export const refreshCookie = (token: string): string => `refreshToken=${token}`;

let seq = 0;

/** A registration body the API accepts; `company`/`user` fields are merged over it. */
export function registerBody(overrides: { company?: Record<string, unknown>; user?: Record<string, unknown> } = {}) {
  seq++;
  return {
    company: {
      name: `Happy Paws ${seq}`,
      email: `office${seq}@happypaws.example`,
      timezone: 'Europe/London',
      businessTypes: ['grooming'],
      locations: [{ label: 'Downtown', address: '1 High Street', isMain: true }],
      ...overrides.company,
    },
    user: { fullName: 'Mia Manager', email: `mia${seq}@happypaws.example`, password: 'Str0ngPass', ...overrides.user },
  };
}

export function login(app: Express, body: Record<string, unknown>): request.Test {
  return request(app).post(`${AUTH}/login`).send(body);
}

export function refresh(app: Express, token: string): request.Test {
  return request(app).post(`${AUTH}/refresh`).set('Cookie', refreshCookie(token)).send({});
}

export const ACCOUNT_COLLECTIONS = [
  'companies',
  'users',
  'locations',
  'resourcetypes',
  'resources',
  'servicecategories',
  'serviceitems',
  'refreshtokens',
] as const;

/** Documents per collection, read straight from the database. */
export async function storedCounts(): Promise<Record<(typeof ACCOUNT_COLLECTIONS)[number], number>> {
  const db = mongoose.connection.db!;
  const counts = await Promise.all(ACCOUNT_COLLECTIONS.map((c) => db.collection(c).countDocuments({})));
  return Object.fromEntries(ACCOUNT_COLLECTIONS.map((c, i) => [c, counts[i]!])) as Record<(typeof ACCOUNT_COLLECTIONS)[number], number>;
}
