/** Handshake and server-level commands. */
import { Long, ObjectId } from 'bson';
import { compileFilter } from '../query/matcher';
import { sessionKey } from '../txn';
import type { Doc } from '../values';
import type { CommandContext, Handler } from './context';

export const VERSION = '7.0.0';
export const MAX_WIRE_VERSION = 21;
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

function hello(cmd: Doc, ctx: CommandContext): Doc {
  const reply: Doc = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    secondary: false,
    setName: 'rs0',
    setVersion: 1,
    hosts: [ctx.me],
    primary: ctx.me,
    me: ctx.me,
    electionId: ELECTION_ID,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
  // Legacy isMaster replies do not carry isWritablePrimary; hello replies do not carry ismaster.
  if ('hello' in cmd) delete reply.ismaster;
  else delete reply.isWritablePrimary;
  return reply;
}

function buildInfo(): Doc {
  return {
    version: VERSION,
    gitVersion: 'petbuddy-embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16 * 1024 * 1024,
    storageEngines: ['embedded'],
    javascriptEngine: 'none',
    ok: 1,
  };
}

function serverStatus(_cmd: Doc, ctx: CommandContext): Doc {
  const { state } = ctx;
  const uptimeMs = Date.now() - state.startedAt;
  return {
    host: `${state.host}:${state.port}`,
    version: VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMs / 1000),
    uptimeMillis: Long.fromNumber(uptimeMs),
    localTime: new Date(),
    connections: { current: state.connections.current, available: 1000, totalCreated: state.connections.totalCreated },
    storageEngine: { name: 'embedded', persistent: state.engine.journal !== null },
    ok: 1,
  };
}

function listDatabases(cmd: Doc, ctx: CommandContext): Doc {
  const engine = ctx.state.engine;
  let dbs = engine.databases().map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  if (cmd.filter) {
    const f = compileFilter(cmd.filter);
    dbs = dbs.filter((d) => f.test(d));
  }
  if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  return { databases: dbs, totalSize: 0, totalSizeMb: 0, ok: 1 };
}

function endSessions(cmd: Doc, ctx: CommandContext): Doc {
  const list = (cmd.endSessions ?? cmd.killSessions) as unknown[];
  for (const lsid of Array.isArray(list) ? list : []) {
    const key = sessionKey(lsid);
    const s = key ? ctx.state.sessions.end(key) : undefined;
    if (s?.txn && s.txn.state === 'active') ctx.state.engine.txns.end(s.txn, 'aborted');
  }
  return { ok: 1 };
}

export const adminCommands: Record<string, Handler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  serverStatus,
  listDatabases,
  endSessions,
  killSessions: endSessions,
  killAllSessions: () => ({ ok: 1 }),
  hostInfo: () => ({ system: { currentTime: new Date(), hostname: 'localhost' }, os: { type: process.platform }, extra: {}, ok: 1 }),
  whatsmyuri: (_c, ctx) => ({ you: ctx.me, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  getParameter: (cmd) => {
    const out: Doc = { ok: 1 };
    if (cmd.featureCompatibilityVersion !== undefined) out.featureCompatibilityVersion = { version: '7.0' };
    return out;
  },
  getCmdLineOpts: () => ({ argv: ['mongod'], parsed: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  dbStats: (_cmd, ctx) => {
    const colls = ctx.state.engine.collections(ctx.db);
    const objects = colls.reduce((n, c) => n + c.docs.size, 0);
    return {
      db: ctx.db,
      collections: colls.length,
      views: 0,
      objects,
      indexes: colls.reduce((n, c) => n + c.indexes.size, 0),
      dataSize: 0,
      storageSize: 0,
      ok: 1,
    };
  },
  logout: () => ({ ok: 1 }),
};
