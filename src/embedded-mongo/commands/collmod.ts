/**
 * collMod: a view's definition, a collection's validator and clustered TTL, one index's TTL,
 * hidden, prepareUnique and unique settings, a time-series collection's granularity and TTL,
 * each checked as MongoDB 7.0 checks it and journalled as one catalog change.
 */
import { Long } from 'bson';
import { MongoCommandError } from '../errors';
import { catalogError } from '../storage/codes';
import { bucketsName, type Collection } from '../storage/collection';
import type { IndexSpec } from '../storage/index-def';
import { parseValidation } from '../storage/validator';
import { isPlainObject, keyString, toNumber, type Doc } from '../values';
import { commandOptions, durable } from './collection-options';
import { collName, type CommandContext } from './context';
import { checkViewDefinition } from './views';

const INDEX_FIELDS = new Set(['name', 'keyPattern', 'expireAfterSeconds', 'hidden', 'unique', 'prepareUnique', 'forceNonUnique']);
const INDEX_CHANGES = ['expireAfterSeconds', 'hidden', 'unique', 'prepareUnique', 'forceNonUnique'];
const VALIDATION = new Set(['validator', 'validationLevel', 'validationAction']);
/** Accepted and without effect here (routing and checks a single server has no use for). */
const IGNORED = new Set(['collectionUUID', 'isTimeseriesNamespace', 'dryRun']);
const GRANULARITIES = ['seconds', 'minutes', 'hours'];

function invalid(message: string): MongoCommandError {
  return new MongoCommandError('InvalidOptions', message);
}

function expireAfter(v: unknown, allowOff: boolean): Long | 'off' {
  if (allowOff && v === 'off') return 'off';
  const n = toNumber(v);
  if (!Number.isInteger(n) || n < 0) throw invalid("'expireAfterSeconds' must be a non-negative whole number of seconds");
  return Long.fromNumber(n);
}

function findIndex(coll: Collection, req: Doc): { spec: IndexSpec; unique: boolean; prepareUnique: boolean; isId: boolean } {
  if (req.name !== undefined && req.keyPattern !== undefined) throw invalid('Cannot specify both key pattern and name.');
  if (req.name === undefined && req.keyPattern === undefined) throw invalid('Must specify either index name or key pattern.');
  let ix;
  if (req.name !== undefined) {
    if (typeof req.name !== 'string') throw invalid('Index name must be a string.');
    ix = coll.indexNamed(req.name);
  } else {
    if (!isPlainObject(req.keyPattern)) throw invalid('Key pattern must be an object.');
    const key = keyString(req.keyPattern);
    ix = [...coll.indexes.values()].find((i) => keyString(i.spec.key) === key);
  }
  if (!ix)
    throw new MongoCommandError(
      'IndexNotFound',
      `cannot find index ${String(req.name ?? JSON.stringify(req.keyPattern))} for ns ${coll.ns}`,
    );
  return { spec: ix.spec, unique: ix.unique, prepareUnique: ix.prepareUnique, isId: ix === coll.idIndex };
}

/** The index's new spec (undefined when nothing changes), with what the reply reports in `reply`. */
function indexChange(coll: Collection, req: unknown, otherChanges: number, reply: Doc): IndexSpec | undefined {
  if (!isPlainObject(req))
    throw new MongoCommandError('TypeMismatch', "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  for (const k of Object.keys(req))
    if (!INDEX_FIELDS.has(k)) throw new MongoCommandError(40415, `BSON field 'collMod.index.${k}' is an unknown field.`);
  if (!INDEX_CHANGES.some((k) => req[k] !== undefined)) throw invalid('no expireAfterSeconds, hidden, unique, or prepareUnique field');
  if (req.unique !== undefined && req.forceNonUnique !== undefined) {
    throw invalid("collMod does not support 'unique' and 'forceNonUnique' options at the same time");
  }
  const ix = findIndex(coll, req);
  const spec: IndexSpec = { ...ix.spec };
  let changes = otherChanges;
  let prepareUniqueChanged = false;
  if (req.expireAfterSeconds !== undefined) {
    changes++;
    if (ix.isId) throw invalid('the _id field does not support TTL indexes');
    if (ix.spec.expireAfterSeconds === undefined && Object.keys(ix.spec.key).length !== 1) {
      throw invalid('TTL indexes are single-field indexes, compound indexes do not support TTL');
    }
    const n = toNumber(expireAfter(req.expireAfterSeconds, false));
    if (ix.spec.expireAfterSeconds !== undefined) reply.expireAfterSeconds_old = ix.spec.expireAfterSeconds;
    reply.expireAfterSeconds_new = n;
    spec.expireAfterSeconds = n;
  }
  if (req.hidden !== undefined) {
    changes++;
    if (typeof req.hidden !== 'boolean') throw invalid('hidden field must be a boolean');
    if (ix.isId)
      throw new MongoCommandError(
        'BadValue',
        ix.spec.clustered ? "The 'hidden' option is not supported for a clusteredIndex" : "can't hide _id index",
      );
    const was = ix.spec.hidden === true;
    if (was !== req.hidden) {
      reply.hidden_old = was;
      reply.hidden_new = req.hidden;
      if (req.hidden) spec.hidden = true;
      else delete spec.hidden;
    }
  }
  if (req.unique !== undefined) {
    changes++;
    if (req.unique !== true) throw new MongoCommandError('BadValue', 'Cannot make index non-unique');
    if (!ix.unique) {
      if (!ix.prepareUnique) throw invalid("Cannot make index unique with 'prepareUnique=false'. Run collMod to set it first.");
      spec.unique = true;
      delete spec.prepareUnique;
      reply.unique_new = true;
    }
  }
  if (req.prepareUnique !== undefined) {
    changes++;
    if (typeof req.prepareUnique !== 'boolean') throw invalid('prepareUnique field must be a boolean');
    if (ix.prepareUnique !== req.prepareUnique && !ix.unique) {
      prepareUniqueChanged = true;
      reply.prepareUnique_old = ix.prepareUnique;
      reply.prepareUnique_new = req.prepareUnique;
      if (req.prepareUnique) spec.prepareUnique = true;
      else delete spec.prepareUnique;
    }
  }
  if (req.forceNonUnique !== undefined) {
    changes++;
    if (req.forceNonUnique !== true) throw new MongoCommandError('BadValue', "'forceNonUnique: false' is not supported");
    if (ix.unique) {
      if (ix.isId) throw invalid('The _id index is always unique');
      delete spec.unique;
      reply.forceNonUnique_new = true;
    }
  }
  if (prepareUniqueChanged && changes > 1) throw invalid('prepareUnique cannot be combined with any other modification.');
  return keyString(spec) === keyString(ix.spec) ? undefined : spec;
}

function viewMod(ctx: CommandContext, coll: Collection, fields: Doc): Promise<Doc> {
  for (const k of Object.keys(fields)) {
    if (k !== 'viewOn' && k !== 'pipeline' && !IGNORED.has(k)) throw invalid(`option not supported on a view: ${k}`);
  }
  if (fields.viewOn === undefined && fields.pipeline === undefined) return Promise.resolve({ ok: 1 });
  if (fields.viewOn !== undefined && typeof fields.viewOn !== 'string') throw invalid("'viewOn' option must be a string");
  if (fields.pipeline !== undefined && !Array.isArray(fields.pipeline)) throw invalid('not a valid aggregation pipeline');
  const viewOn = fields.viewOn ?? coll.view!.viewOn;
  const pipeline = checkViewDefinition(ctx, coll.name, viewOn, fields.pipeline ?? coll.view!.pipeline);
  return durable(ctx, (unit) => {
    ctx.state.engine.collMod(unit, coll, { options: { ...coll.options, viewOn, pipeline } });
    return { ok: 1 };
  });
}

function timeseriesMod(ctx: CommandContext, coll: Collection, fields: Doc): Promise<Doc> {
  const next: Doc = { ...coll.options };
  for (const [k, v] of Object.entries(fields)) {
    if (IGNORED.has(k)) continue;
    if (VALIDATION.has(k) || k === 'changeStreamPreAndPostImages') throw invalid(`option not supported on a time-series collection: ${k}`);
    if (k === 'viewOn' || k === 'pipeline') throw invalid(`option only supported on a view: ${k}`);
    if (k === 'timeseries') {
      if (!isPlainObject(v) || Object.keys(v).some((f) => f !== 'granularity')) {
        throw catalogError('CommandNotSupported', 'the embedded server changes only timeseries.granularity');
      }
      const ts = next.timeseries as Doc;
      const from = GRANULARITIES.indexOf(String(ts.granularity));
      const to = GRANULARITIES.indexOf(String(v.granularity));
      if (to < 0)
        throw new MongoCommandError(
          'BadValue',
          `Enumeration value '${String(v.granularity)}' for field 'timeseries.granularity' is not a valid value.`,
        );
      if (from < 0 || to < from) {
        throw invalid(
          "Invalid transition for timeseries.granularity. Can only transition from 'seconds' to 'minutes' or 'minutes' to 'hours'.",
        );
      }
      next.timeseries = { ...ts, granularity: GRANULARITIES[to], bucketMaxSpanSeconds: [3600, 86400, 2592000][to] };
    } else if (k === 'expireAfterSeconds') {
      const e = expireAfter(v, true);
      if (e === 'off') delete next.expireAfterSeconds;
      else next.expireAfterSeconds = e;
    } else if (k === 'index') {
      throw catalogError('CommandNotSupported', 'collMod index on a time-series collection is not supported by the embedded server');
    } else throw invalid(`option not supported on a time-series collection: ${k}`);
  }
  return durable(ctx, (unit) => {
    const engine = ctx.state.engine;
    engine.collMod(unit, coll, { options: next });
    const buckets = engine.ensureCollection(unit, ctx.db, bucketsName(coll.name));
    if (buckets.indexes.has('_ttl')) engine.dropIndex(unit, buckets, '_ttl');
    if (next.expireAfterSeconds !== undefined) {
      engine.createIndex(unit, buckets, { key: { t: 1 }, name: '_ttl', expireAfterSeconds: toNumber(next.expireAfterSeconds) });
    }
    return { ok: 1 };
  });
}

function collectionMod(ctx: CommandContext, coll: Collection, fields: Doc): Promise<Doc> {
  const next: Doc = { ...coll.options };
  let changes = 0;
  for (const [k, v] of Object.entries(fields)) {
    if (IGNORED.has(k) || k === 'index') continue;
    changes++;
    if (VALIDATION.has(k)) next[k] = v;
    else if (k === 'viewOn' || k === 'pipeline') throw invalid(`option only supported on a view: ${k}`);
    else if (k === 'timeseries' || k === 'timeseriesBucketsMayHaveMixedSchemaData')
      throw invalid(`option only supported on a time-series collection: ${k}`);
    else if (k === 'expireAfterSeconds') {
      if (!coll.options.clusteredIndex) throw invalid("'expireAfterSeconds' option is only supported on collections clustered by _id");
      const e = expireAfter(v, true);
      if (e === 'off') delete next.expireAfterSeconds;
      else next.expireAfterSeconds = e;
    } else if (k === 'cappedSize' || k === 'cappedMax') {
      if (coll.options.capped !== true) throw invalid('Collection must be capped.');
      next[k === 'cappedSize' ? 'size' : 'max'] = v;
    } else if (k === 'changeStreamPreAndPostImages') {
      if (!isPlainObject(v) || typeof v.enabled !== 'boolean')
        throw new MongoCommandError(40414, "BSON field 'changeStreamPreAndPostImages.enabled' is missing but a required field");
      next[k] = v;
    } else throw invalid(`unknown option to collMod: ${k}`);
  }
  if (Object.keys(fields).some((k) => VALIDATION.has(k))) {
    if (['admin', 'local', 'config'].includes(ctx.db) || coll.name.startsWith('system.')) {
      throw invalid(`Document validators are not allowed on ${coll.ns}`);
    }
    parseValidation(next);
  }
  const reply: Doc = {};
  const index = fields.index === undefined ? undefined : indexChange(coll, fields.index, changes, reply);
  if (fields.dryRun === true) {
    if (!isPlainObject(fields.index) || fields.index.unique !== true)
      throw invalid('dry run mode requires an index modification with unique: true.');
    if (changes > 0) throw invalid('unique: true cannot be combined with any other modification in dry run mode.');
    if (index) coll.respecIndex(index.name, index, false);
    return Promise.resolve({ ok: 1 });
  }
  if (changes === 0 && !index) return Promise.resolve({ ...reply, ok: 1 });
  return durable(ctx, (unit) => {
    ctx.state.engine.collMod(unit, coll, { ...(changes > 0 ? { options: next } : {}), ...(index ? { index } : {}) });
    return { ...reply, ok: 1 };
  });
}

export function collMod(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'collMod');
  const coll = ctx.state.engine.visibleCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', 'ns does not exist');
  const fields = commandOptions(cmd);
  if (coll.timeseries) return timeseriesMod(ctx, coll, fields);
  if (coll.view) return viewMod(ctx, coll, fields);
  return collectionMod(ctx, coll, fields);
}
