/**
 * For the Meta suites: a fake Graph server for the file, the app configured to call it, a company
 * world per test, and helpers to connect a page through the API and to read what is stored.
 */
import type { Express } from 'express';
import type { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../../app';
import type { Config } from '../../../config/env';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { decryptSecret } from '../../../utils/secrets';
import { companyWorld, type CompanyWorld } from '../../factories/company';
import { testConfig } from '../../helpers/config';
import { useTestDatabase } from '../../helpers/database';
import { graphEnv, startFakeGraph, type FakeGraph } from '../../helpers/fakeGraph';

export interface MetaWorld {
  graph: FakeGraph;
  config: Config;
  app: Express;
  w: CompanyWorld;
}

let seq = 0;
/** A page id no other test uses. */
export const pageId = (): string => `10${String(Date.now() % 1e8)}${String(++seq).padStart(4, '0')}`;

/** Registers the database, the fake Graph (one per file) and a fresh company world per test. */
export function useMetaWorld(env: Record<string, string> = {}): MetaWorld {
  useTestDatabase();
  const world = {} as MetaWorld;
  beforeAll(async () => {
    world.graph = await startFakeGraph();
    world.config = testConfig(graphEnv(world.graph, env));
    world.app = buildApp({ config: world.config });
  });
  beforeEach(async () => {
    world.graph.reset();
    world.w = await companyWorld(world.config);
  });
  afterAll(async () => {
    await world.graph.close();
  });
  return world;
}

export async function storedIntegration(companyId: Types.ObjectId) {
  return CompanyIntegration.findOne({ companyId }).lean<Record<string, unknown> & { _id: Types.ObjectId }>();
}

/** The plaintext of a stored secret field (which must be encrypted). */
export function plain(config: Config, stored: unknown): string {
  expect(typeof stored).toBe('string');
  expect(stored as string).toMatch(/^enc:v1:/);
  return decryptSecret(stored as string, config.dataEncryptionKey);
}

/** Connects a page the way the Integrations UI does; returns the page id and the user token used. */
export async function connectThroughUi(m: MetaWorld, o: { page?: string; auth?: { Authorization: string } } = {}) {
  const page = o.page ?? pageId();
  m.graph.addPage(page, 'Happy Paws', 'Pet Groomer');
  const userToken = m.graph.addUser([page]);
  const res = await request(m.app)
    .post('/api/v1/settings/meta/page/connect')
    .set(o.auth ?? m.w.as.manager)
    .send({ pageId: page, pageName: 'Happy Paws', pageCategory: 'Pet Groomer', userAccessToken: userToken });
  expect(res.status).toBe(200);
  return { page, userToken, res };
}

/** Every string of a document, nested ones included. */
export function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}
