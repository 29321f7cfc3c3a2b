/** Collections, views, databases and indexes. */
import { MongoCommandError } from '../errors';
import { withResolvedCollation } from '../query/collation';
import { compileFilter } from '../query/matcher';
import { catalogError } from '../storage/codes';
import { bucketsName, ID_INDEX_SPEC, type Collection } from '../storage/collection';
import { createIndexesInTransaction, createInTransaction } from '../txn';
import { isPlainObject, keyString, type Doc } from '../values';
import { waitForCreator } from '../writes';
import { collMod } from './collmod';
import { collName, type CommandContext, type Handler } from './context';
import { commandOptions, createOptions, durable } from './collection-options';
import { bucketIndexSpec, createBuckets, measurementIndexes } from './timeseries';

async function create(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'create');
  const engine = ctx.state.engine;
  const options = withResolvedCollation(createOptions(ctx, name, commandOptions(cmd)));
  if (ctx.txn) return createInTransaction(engine, ctx.txn, ctx.db, name, options);
  await waitForCreator(engine, ctx.db, name);
  const existing = engine.visibleCollection(ctx.db, name);
  // MongoDB 7: creating an existing collection with the same options succeeds and changes nothing.
  if (existing && keyString(existing.options) === keyString(options)) return Promise.resolve({ ok: 1 });
  if (!existing && options.timeseries && engine.collection(ctx.db, bucketsName(name))) {
    throw new MongoCommandError('NamespaceExists', `Collection ${ctx.db}.${bucketsName(name)} already exists.`);
  }
  return durable(ctx, (unit) => {
    const coll = engine.createCollection(unit, ctx.db, name, options);
    if (coll.timeseries) createBuckets(ctx, unit, coll);
    return { ok: 1 };
  });
}

async function drop(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'drop');
  await waitForCreator(ctx.state.engine, ctx.db, name);
  return durable(ctx, (unit) => {
    const engine = ctx.state.engine;
    const dropped = engine.dropCollection(unit, ctx.db, name);
    if (!dropped) return { ok: 1 };
    // A view goes alone; a time-series collection takes its buckets with it.
    if (dropped.timeseries) engine.dropCollection(unit, ctx.db, bucketsName(name));
    return dropped.view ? { ns: dropped.ns, ok: 1 } : { nIndexesWas: dropped.indexes.size, ns: dropped.ns, ok: 1 };
  });
}

function dropDatabase(_cmd: Doc, ctx: CommandContext): Promise<Doc> {
  return durable(ctx, (unit) => {
    ctx.state.engine.dropDatabase(unit, ctx.db);
    return { dropped: ctx.db, ok: 1 };
  });
}

/** One listCollections entry, as MongoDB 7.0 describes collections, views and time-series collections. */
function collectionInfo(c: Collection): Doc {
  if (c.timeseries) return { name: c.name, type: 'timeseries', options: c.options, info: { readOnly: false } };
  if (c.view) return { name: c.name, type: 'view', options: c.options, info: { readOnly: true } };
  const info: Doc = { name: c.name, type: 'collection', options: c.options, info: { readOnly: false, uuid: c.uuid } };
  // A clustered collection has no separate _id index to describe.
  if (!c.idIndex.spec.clustered) info.idIndex = ID_INDEX_SPEC;
  return info;
}

function listCollections(cmd: Doc, ctx: CommandContext): Doc {
  let infos: Doc[] = ctx.state.engine.collections(ctx.db).map(collectionInfo);
  if (cmd.filter) {
    const f = compileFilter(cmd.filter);
    infos = infos.filter((i) => f.test(i));
  }
  if (cmd.nameOnly) infos = infos.map((i) => ({ name: i.name, type: i.type }));
  const batch = ctx.state.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, undefined, true);
  return { cursor: { id: batch.id, ns: batch.ns, firstBatch: batch.batch }, ok: 1 };
}

async function createIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'createIndexes');
  let specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isPlainObject)) {
    throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
  }
  const engine = ctx.state.engine;
  if (!ctx.txn) await waitForCreator(engine, ctx.db, name);
  const target = engine.visibleCollection(ctx.db, name);
  let into = name;
  if (target?.timeseries) {
    specs = specs.map(bucketIndexSpec);
    into = bucketsName(name);
  } else if (target?.view) {
    throw catalogError('CommandNotSupportedOnView', `Cannot create indexes on a view: ${target.ns}`);
  }
  for (const spec of specs as Doc[]) {
    if ('clustered' in spec) {
      throw catalogError('InvalidIndexSpecificationOption', "The 'clustered' option is only supported when creating a collection");
    }
  }
  if (ctx.txn) return createIndexesInTransaction(engine, ctx.txn, ctx.db, into, specs as Doc[]);
  return durable(ctx, (unit) => {
    const existed = target !== undefined;
    const coll = engine.ensurePublished(unit, ctx.db, into);
    const before = coll.indexes.size;
    let created = 0;
    for (const spec of specs as Doc[]) if (engine.createIndex(unit, coll, spec)) created++;
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: !existed, ok: 1 };
    if (created === 0) reply.note = 'all indexes already exist';
    return reply;
  });
}

function listIndexes(cmd: Doc, ctx: CommandContext): Doc {
  const name = collName(cmd, 'listIndexes');
  const coll = ctx.state.engine.visibleCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  let specs: Doc[];
  if (coll.timeseries) specs = measurementIndexes(ctx.state.engine.collection(ctx.db, bucketsName(name)));
  else if (coll.view) throw catalogError('CommandNotSupportedOnView', `Namespace ${coll.ns} is a view, not a collection`);
  else specs = coll.indexSpecs();
  const batch = ctx.state.cursors.open(`${ctx.db}.${name}`, specs, undefined, true);
  return { cursor: { id: batch.id, ns: batch.ns, firstBatch: batch.batch }, ok: 1 };
}

/** The names dropIndexes' `index` argument designates on `coll` (key patterns through `keyOf`). */
function indexNames(coll: Collection, which: unknown, keyOf: (k: Doc) => Doc): string[] {
  if (which === '*') return [...coll.indexes.keys()].filter((n) => n !== '_id_');
  if (typeof which === 'string') return [which];
  if (Array.isArray(which)) return which.map(String);
  if (isPlainObject(which)) {
    const key = keyString(keyOf(which));
    const found = [...coll.indexes.values()].find((ix) => keyString(ix.spec.key) === key);
    if (!found) throw new MongoCommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
    return [found.name];
  }
  throw new MongoCommandError('BadValue', 'index must be a string, an array of strings or a key pattern');
}

function dropIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'dropIndexes');
  const engine = ctx.state.engine;
  let coll = engine.visibleCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  let keyOf = (k: Doc): Doc => k;
  if (coll.timeseries) {
    coll = engine.collection(ctx.db, bucketsName(name));
    if (!coll) throw new MongoCommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
    keyOf = (k) => bucketIndexSpec({ key: k }).key as Doc;
  } else if (coll.view) {
    throw catalogError('CommandNotSupportedOnView', `Cannot drop indexes on view ${coll.ns}`);
  }
  const target = coll;
  return durable(ctx, (unit) => {
    const was = target.indexes.size;
    const names = indexNames(target, cmd.index, keyOf);
    for (const n of names) {
      if (n !== '_id_' && target.indexNamed(n) === target.idIndex)
        throw new MongoCommandError('InvalidOptions', 'It is illegal to drop the clusteredIndex');
      if (!target.indexes.has(n)) throw new MongoCommandError('IndexNotFound', `index not found with name [${n}]`);
    }
    for (const n of names) engine.dropIndex(unit, target, n);
    return { nIndexesWas: was, ok: 1 };
  });
}

function renameCollection(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const from = cmd.renameCollection;
  const to = cmd.to;
  if (typeof from !== 'string' || typeof to !== 'string')
    throw new MongoCommandError('BadValue', 'renameCollection needs source and target namespaces');
  const dot = from.indexOf('.');
  if (ctx.state.engine.collection(from.slice(0, dot), from.slice(dot + 1))?.view) {
    throw catalogError('CommandNotSupportedOnView', `cannot rename view: ${from}`);
  }
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
  collMod,
};
