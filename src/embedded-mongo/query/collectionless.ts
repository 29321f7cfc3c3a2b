/**
 * The first stage of a database-level aggregation (`{aggregate: 1}`), which reads no collection:
 * `$documents` (an expression's array of documents) and `$listLocalSessions` (the sessions this
 * server has seen, shaped as MongoDB's session records). Any other first stage is refused as
 * MongoDB refuses it.
 */
import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import { evalExpr } from 'mingo/core';
import { MongoCommandError } from '../errors';
import { isPlainObject, toView, type Doc } from '../values';
import { mingoOptions } from './matcher';
import { checkVariables, expressionError } from './variables';

/** What a session record needs from the server's session registry. */
export interface LocalSession {
  /** The session id's key (keyString of its UUID). */
  key: string;
  lastUse: number;
}

const COLLECTIONLESS = new Set(['$documents', '$listLocalSessions']);

/** A session's uid when authentication is off: the SHA-256 of nothing, as MongoDB computes it. */
const NO_AUTH_UID = new Binary(createHash('sha256').digest(), 0);

function stageName(stage: Doc): string {
  return Object.keys(stage)[0] ?? '';
}

function documentsStage(expr: unknown, variables: Doc | undefined): Doc[] {
  const view = toView(expr);
  checkVariables(view, variables);
  let value: unknown;
  try {
    value = evalExpr({}, view, mingoOptions({ variables }) as never);
  } catch (err) {
    throw expressionError(err);
  }
  if (value === null || value === undefined) return [];
  const docs = Array.isArray(value) ? value : [value];
  for (const d of docs) {
    if (!isPlainObject(d)) {
      throw new MongoCommandError(
        40228,
        `'newRoot' expression must evaluate to an object, but resulting value was: ${JSON.stringify(d)}. Type of resulting value: '${Array.isArray(d) ? 'array' : typeof d}'.`,
      );
    }
  }
  return docs as Doc[];
}

function sessionId(key: string): Binary | undefined {
  const m = /^X(\d+):(.*)$/.exec(key);
  return m ? new Binary(Buffer.from(m[2]!, 'base64'), Number(m[1])) : undefined;
}

function listLocalSessionsStage(spec: unknown, sessions: LocalSession[]): Doc[] {
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `$listLocalSessions options must be specified in an object, but found: ${Array.isArray(spec) ? 'array' : typeof spec}`,
    );
  }
  const unknown = Object.keys(spec).find((k) => k !== 'allUsers' && k !== 'users');
  if (unknown) throw new MongoCommandError(40415, `BSON field '$listLocalSessions.${unknown}' is an unknown field.`);
  const users = Array.isArray(spec.users) ? (spec.users as unknown[]) : [];
  if (spec.allUsers === true && users.length > 0) {
    throw new MongoCommandError(12, '$listLocalSessions may not specify {allUsers:true} and {users:[...]} at the same time', {
      extra: { codeName: 'UnsupportedFormat' },
    });
  }
  // Without authentication every session belongs to the nameless user, whom `{}` means.
  const nameless = users.length === 0 || users.some((u) => isPlainObject(u) && u.user === '' && u.db === '');
  if (spec.allUsers !== true && !nameless) return [];
  const out: Doc[] = [];
  for (const s of sessions) {
    const id = sessionId(s.key);
    if (id) out.push({ _id: { id, uid: NO_AUTH_UID }, lastUse: new Date(s.lastUse) });
  }
  return out;
}

/**
 * The documents the first stage of a `{aggregate: 1}` pipeline produces. Throws MongoDB's errors
 * for an empty pipeline, a first stage that needs a collection, and a collectionless stage later on.
 */
export function collectionlessInput(pipeline: Doc[], env: { variables?: Doc | undefined; sessions: LocalSession[] }): Doc[] {
  const first = pipeline[0];
  if (!first) throw new MongoCommandError('InvalidNamespace', '{aggregate: 1} is not valid for an empty pipeline.');
  const name = stageName(first);
  if (!COLLECTIONLESS.has(name)) {
    throw new MongoCommandError('InvalidNamespace', `{aggregate: 1} is not valid for '${name}'; a collection is required.`);
  }
  const later = pipeline.slice(1).find((s) => COLLECTIONLESS.has(stageName(s)));
  if (later) throw new MongoCommandError(40602, `${stageName(later)} is only valid as the first stage in a pipeline`);
  return name === '$documents'
    ? documentsStage(first.$documents, env.variables)
    : listLocalSessionsStage(first.$listLocalSessions, env.sessions);
}
