/**
 * Shared by the hardening suites: the limits and fast-check budget they run under, the route table
 * read from the app, who calls (nobody, a manager, the Meta Bot's key), what a safe answer is, a
 * recorder of exceptions that reach the process, and the check that the server still serves.
 */
import Module from 'node:module';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import type { Config } from '../../config/env';
import type { MountedRoute } from '../../docs/routeTable';
import { accessTokenFor, bearer, createCompany, createStaff, newObjectId } from '../factories/accounts';
import { createContact, createMessage } from '../factories/inbox';
import { record, waitUntil, type RealtimeServer } from '../socket/support';
import type { Planted } from './arbitraries';
import type { FuzzBody } from './requests';

export { mountedRoutes, type MountedRoute } from '../../docs/routeTable';

/** Limits raised so that the fuzz reaches the handlers instead of the per-IP 429s. */
export const FUZZ_ENV = { AUTH_RATE_LIMIT_MAX: '1000000', MESSAGE_RATE_LIMIT_MAX: '1000000', CONVERSATION_RATE_LIMIT_MAX: '1000000' };

/** How long one request or emit may take before it counts as a stall. */
export const STALL_MS = 8000;

/**
 * A fixed number of runs, a time budget for the whole property (shrinking included) and a timeout
 * per run. On failure fast-check prints the seed and path: pass `{ seed, path }` to replay it.
 */
export function budget<T>(numRuns: number, timeLimitMs: number): fc.Parameters<T> {
  return { numRuns, plugins: [fc.interruptAfterTimeLimit(timeLimitMs), fc.timeout(STALL_MS)] };
}

/** The path with its `:params` replaced, in order, by `values` (already URL-encoded). */
export function fillParams(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/:\w+/g, () => values[i++] ?? 'x');
}

export const paramCount = (path: string): number => (path.match(/:\w+/g) ?? []).length;

export interface Caller {
  name: string;
  headers: Record<string, string>;
}

/** A company with a manager (who calls), a receptionist, a contact with a message, and their ids to plant in requests. */
export async function signedInCompany(config: Config) {
  const co = await createCompany();
  const manager = await createStaff(co.companyId, 'manager');
  const colleague = await createStaff(co.companyId, 'receptionist');
  const contact = await createContact(co.companyId);
  const message = await createMessage(co.companyId, contact._id);
  const token = accessTokenFor(config, manager.userId);
  const planted: Planted = {
    companyId: String(co.companyId),
    locationId: String(co.locationId),
    serviceCategoryId: String(co.serviceCategoryId),
    colleagueId: String(colleague.userId),
    contactId: String(contact._id),
    messageId: String(message._id),
  };
  /** Nobody, the manager, and for the Meta Bot's routes its API key. */
  const callers = (route: MountedRoute): Caller[] => [
    { name: 'anonymous', headers: {} },
    { name: 'manager', headers: bearer(token) },
    ...(/internal/.test(route.path) ? [{ name: 'service', headers: { 'x-api-key': config.internalApiKey } }] : []),
  ];
  return { companyId: String(co.companyId), token, planted, callers };
}

export interface FuzzRequest {
  label: string;
  method: string;
  url: string;
  body?: FuzzBody;
  headers?: Record<string, string>;
}

/** Sends `req` as `caller`; a request that gets no answer within STALL_MS fails (a stall). */
export function send(base: string, req: FuzzRequest, caller: Caller): request.Test {
  const api = request(base);
  const method = req.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const test = api[method](req.url)
    .set(caller.headers)
    .set(req.headers ?? {})
    .timeout(STALL_MS);
  if (!req.body) return test;
  // The bytes as they are: superagent would otherwise JSON-encode a Buffer sent as application/json.
  return test
    .set('Content-Type', req.body.type)
    .serialize((bytes: string | Buffer) => bytes as string)
    .send(req.body.bytes);
}

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** Text that only the server's insides produce (unless the request carried it and it is echoed). */
const INTERNAL_TEXT: [string, RegExp][] = [
  ['a stack frame', /\bat [^\n]*\.[jt]s:\d+/],
  ['an error class name', /\b(?:Type|Range|Reference|Syntax)Error\b/],
  ['a stack overflow', /Maximum call stack/],
  ['a database detail', /Mongo|E11000|Cast to \w+ failed/],
  ['a file path', /\/work\/|node_modules/],
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const coded = (e: unknown): boolean =>
  isObject(e) && typeof e.code === 'string' && UPPER_SNAKE.test(e.code) && typeof e.message === 'string';

/** A 4xx must be one of the envelope families (errorHandler.ts) or the inbox limiter's text 429. */
function envelopeProblem(res: Response): string | undefined {
  if (res.status === 429 && res.type === 'text/html' && /^Too many requests/.test(res.text)) return undefined;
  if (res.type !== 'application/json') return `a ${res.status} that is not JSON (${res.type || 'no content type'})`;
  const b: unknown = res.body;
  if (!isObject(b)) return `a ${res.status} whose body is not an object`;
  const e1 = coded(b.error) && b.success === undefined;
  const e3 = coded(b.error) && b.success === false;
  const e4 = b.success === false && typeof b.error === 'string' && typeof b.code === 'string' && UPPER_SNAKE.test(b.code);
  const e2 = typeof b.message === 'string' && b.error === undefined;
  return e1 || e2 || e3 || e4 ? undefined : `a ${res.status} in no documented envelope`;
}

/** What is wrong with an answer to a request that carried `sent`, or undefined. */
export function answerProblem(res: Response, sent: string): string | undefined {
  const problem =
    (res.status >= 500 ? `a ${res.status}` : undefined) ??
    INTERNAL_TEXT.filter(([, re]) => re.test(res.text ?? '') && !re.test(sent)).map(([what]) => `it leaks ${what}`)[0] ??
    (res.status >= 400 ? envelopeProblem(res) : undefined);
  return problem && `${problem}: ${res.status} ${(res.text ?? '').slice(0, 300)}`;
}

/** Everything a request carried, as text (to tell an echo from a leak). */
export function sentText(req: FuzzRequest): string {
  const body = req.body ? (typeof req.body.bytes === 'string' ? req.body.bytes : req.body.bytes.toString('latin1')) : '';
  return `${req.url}\n${body}`;
}

export interface Escapes {
  errors: unknown[];
  stop(): void;
}

/**
 * Records every exception and rejection that reaches the process until stop(). jest gives each
 * test file its own `process` object and listens on the real one, ending the running test at the
 * first exception (without fast-check's counterexample and seed); so the real process's listeners
 * are set aside while this one records, and the test fails on what it recorded.
 */
export function recordEscapes(): Escapes {
  const real: NodeJS.EventEmitter = (Module as unknown as { _load(request: string): NodeJS.Process })._load('process');
  const errors: unknown[] = [];
  const onError = (err: unknown): void => void errors.push(err);
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const setAside = events.map((event) => real.listeners(event) as ((err: unknown) => void)[]);
  events.forEach((event, i) => {
    for (const listener of setAside[i]!) real.off(event, listener);
    real.on(event, onError);
  });
  return {
    errors,
    stop: () =>
      events.forEach((event, i) => {
        real.off(event, onError);
        for (const listener of setAside[i]!) real.on(event, listener);
      }),
  };
}

export const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * The server answers /ready, and a fresh client of the company gets a message:new that the Meta
 * Bot's endpoint sends to its company room.
 */
export async function expectServing(server: RealtimeServer, company: { companyId: string; token: string }): Promise<void> {
  expect((await request(server.url).get('/ready')).status).toBe(200);
  const fresh = await server.connect(company.token);
  const news = record(fresh, 'message:new');
  const id = newObjectId();
  const emitted = await request(server.url)
    .post('/api/v1/socket/emit-message-internal')
    .set('x-api-key', server.config.internalApiKey)
    .send({ companyId: company.companyId, conversationId: id, message: { id, contactId: id, direction: 'inbound' } });
  expect(emitted.status).toBe(200);
  await waitUntil(() => news.length === 1, 'message:new at a fresh client');
}
