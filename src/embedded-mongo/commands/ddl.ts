/** Collections, databases and indexes. */
import { MongoCommandError } from '../errors';
import { compileFilter } from '../query/matcher';
import { ID_INDEX_SPEC } from '../storage/collection';
import type { WriteUnit } from '../storage/engine';
import { isPlainObject, keyString, type Doc } from '../values';
import { collName, type CommandContext, type Handler } from './context';

/** Runs a catalog change and journals whatever it applied, even when it then failed. */
async function durable(ctx: CommandContext, fn: (unit: WriteUnit) => Doc): Promise<Doc> {
  const unit: WriteUnit = { ops: [] };
  try {
    return fn(unit);
  } finally {
    await ctx.state.engine.commit(unit);
  }
}

function create(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'create');
  const { create: _n, $db: _d, lsid: _l, txnNumber: _t, writeConcern: _w, autocommit: _a, startTransaction: _s, ...options } = cmd;
  const existing = ctx.state.engine.collection(ctx.db, name);
  // MongoDB 7: creating an existing collection with the same options succeeds and changes nothing.
  if (existing && keyString(existing.options) === keyString(options)) return Promise.resolve({ ok: 1 });
  return durable(ctx, (unit) => {
    ctx.state.engine.createCollection(unit, ctx.db, name, options);
    return { ok: 1 };
  });
}

function drop(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'drop');
  return durable(ctx, (unit) => {
    const dropped = ctx.state.engine.dropCollection(unit, ctx.db, name);
    return dropped ? { nIndexesWas: dropped.indexes.size, ns: dropped.ns, ok: 1 } : { ok: 1 };
  });
}

function dropDatabase(_cmd: Doc, ctx: CommandContext): Promise<Doc> {
  return durable(ctx, (unit) => {
    ctx.state.engine.dropDatabase(unit, ctx.db);
    return { dropped: ctx.db, ok: 1 };
  });
}

function listCollections(cmd: Doc, ctx: CommandContext): Doc {
  let infos: Doc[] = ctx.state.engine.collections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: c.options,
    info: { readOnly: false, uuid: c.uuid },
    idIndex: ID_INDEX_SPEC,
  }));
  if (cmd.filter) {
    const f = compileFilter(cmd.filter);
    infos = infos.filter((i) => f.test(i));
  }
  if (cmd.nameOnly) infos = infos.map((i) => ({ name: i.name, type: i.type }));
  const batch = ctx.state.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, undefined, true);
  return { cursor: { id: batch.id, ns: batch.ns, firstBatch: batch.batch }, ok: 1 };
}

function createIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'createIndexes');
  const specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isPlainObject)) {
    throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
  }
  return durable(ctx, (unit) => {
    const engine = ctx.state.engine;
    const existed = engine.collection(ctx.db, name) !== undefined;
    const coll = engine.ensureCollection(unit, ctx.db, name);
    const before = coll.indexes.size;
    let created = 0;
    for (const spec of specs) if (engine.createIndex(unit, coll, spec)) created++;
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: !existed, ok: 1 };
    if (created === 0) reply.note = 'all indexes already exist';
    return reply;
  });
}

function listIndexes(cmd: Doc, ctx: CommandContext): Doc {
  const name = collName(cmd, 'listIndexes');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const batch = ctx.state.cursors.open(`${ctx.db}.${name}`, coll.indexSpecs(), undefined, true);
  return { cursor: { id: batch.id, ns: batch.ns, firstBatch: batch.batch }, ok: 1 };
}

function dropIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'dropIndexes');
  const engine = ctx.state.engine;
  const coll = engine.collection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const which = cmd.index;
  return durable(ctx, (unit) => {
    const was = coll.indexes.size;
    let names: string[];
    if (which === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
    else if (typeof which === 'string') names = [which];
    else if (Array.isArray(which)) names = which.map(String);
    else if (isPlainObject(which)) {
      const found = [...coll.indexes.values()].find((ix) => keyString(ix.spec.key) === keyString(which));
      if (!found) throw new MongoCommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
      names = [found.name];
    } else throw new MongoCommandError('BadValue', 'index must be a string, an array of strings or a key pattern');
    for (const n of names) if (!coll.indexes.has(n)) throw new MongoCommandError('IndexNotFound', `index not found with name [${n}]`);
    for (const n of names) engine.dropIndex(unit, coll, n);
    return { nIndexesWas: was, ok: 1 };
  });
}

function renameCollection(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const from = cmd.renameCollection;
  const to = cmd.to;
  if (typeof from !== 'string' || typeof to !== 'string')
    throw new MongoCommandError('BadValue', 'renameCollection needs source and target namespaces');
  return durable(ctx, (unit) => {
    ctx.state.engine.renameCollection(unit, from, to, cmd.dropTarget === true);
    return { ok: 1 };
  });
}

export const ddlCommands: Record<string, Handler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  renameCollection,
  collMod: (cmd, ctx) => {
    const name = collName(cmd, 'collMod');
    if (!ctx.state.engine.collection(ctx.db, name))
      throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
    return { ok: 1 };
  },
};
