/**
 * Time-series collections, kept as MongoDB keeps them: the named collection is a view over
 * `system.buckets.<name>`, where each measurement is stored whole under a fresh bucket id (so
 * measurements may repeat an _id). Writes follow MongoDB 7.0's rules: inserts need a date in
 * the timeField; deletes take any filter; updates may only filter on and change the metaField.
 */
import { ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import { compileFilter } from '../query/matcher';
import { applyUpdate, type UpdateSpec } from '../query/update';
import { catalogError } from '../storage/codes';
import { bucketsName, MEASUREMENT, type Collection } from '../storage/collection';
import type { WriteUnit } from '../storage/engine';
import { defaultIndexName } from '../storage/index-def';
import { isPlainObject, keyString, toNumber, toView, type Doc } from '../values';
import { insertDoc, removeDoc, replaceDoc, type WriteCtx } from '../writes';
import type { CommandContext } from './context';

const SPANS: Record<string, number> = { seconds: 3600, minutes: 86400, hours: 2592000 };
const FIELDS = new Set(['timeField', 'metaField', 'granularity', 'bucketMaxSpanSeconds', 'bucketRoundingSeconds']);
/** Where a bucket document keeps its time (for expireAfterSeconds). */
const TIME = 't';

function fieldName(spec: Doc, field: string): string | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new MongoCommandError('TypeMismatch', `BSON field 'timeseries.${field}' is the wrong type, expected type 'string'`);
  if (v.length === 0 || v.startsWith('$') || v.includes('.')) {
    throw new MongoCommandError('InvalidOptions', `The '${field}' must be a top-level field name without '$' or '.'`);
  }
  return v;
}

/** Checks `create`'s timeseries option and returns it as listCollections shows it. */
export function timeseriesOptions(spec: unknown): Doc {
  if (!isPlainObject(spec))
    throw new MongoCommandError('TypeMismatch', "BSON field 'create.timeseries' is the wrong type, expected type 'object'");
  for (const k of Object.keys(spec)) {
    if (!FIELDS.has(k)) throw new MongoCommandError(40415, `BSON field 'timeseries.${k}' is an unknown field.`);
  }
  const timeField = fieldName(spec, 'timeField');
  if (!timeField) throw new MongoCommandError(40414, "BSON field 'timeseries.timeField' is missing but a required field");
  const metaField = fieldName(spec, 'metaField');
  if (metaField === '_id') throw new MongoCommandError('InvalidOptions', "The 'metaField' cannot be '_id'");
  if (metaField === timeField) throw new MongoCommandError('InvalidOptions', "The 'metaField' and 'timeField' cannot be the same");
  const out: Doc = { timeField, ...(metaField ? { metaField } : {}) };
  const span = spec.bucketMaxSpanSeconds;
  const rounding = spec.bucketRoundingSeconds;
  if (span !== undefined || rounding !== undefined) {
    if (spec.granularity !== undefined) {
      throw new MongoCommandError(
        'InvalidOptions',
        "Time-series 'bucketMaxSpanSeconds' and 'bucketRoundingSeconds' cannot be set with 'granularity'",
      );
    }
    if (span === undefined || rounding === undefined || toNumber(span) !== toNumber(rounding) || !(toNumber(span) >= 1)) {
      throw new MongoCommandError(
        'InvalidOptions',
        "Time-series 'bucketMaxSpanSeconds' and 'bucketRoundingSeconds' must be set together and equal",
      );
    }
    return { ...out, bucketRoundingSeconds: toNumber(rounding), bucketMaxSpanSeconds: toNumber(span) };
  }
  const granularity = spec.granularity ?? 'seconds';
  if (typeof granularity !== 'string' || !(granularity in SPANS)) {
    throw new MongoCommandError(
      'BadValue',
      `Enumeration value '${String(granularity)}' for field 'timeseries.granularity' is not a valid value.`,
    );
  }
  return { ...out, granularity, bucketMaxSpanSeconds: SPANS[granularity] };
}

function settings(coll: Collection): { timeField: string; metaField?: string } {
  return coll.options.timeseries as { timeField: string; metaField?: string };
}

function bucketsOf(ctx: CommandContext, unit: WriteUnit, coll: Collection): Collection {
  return ctx.state.engine.ensureCollection(unit, ctx.db, bucketsName(coll.name));
}

/** Creates the buckets collection with MongoDB's default index on metaField and timeField, and the TTL. */
export function createBuckets(ctx: CommandContext, unit: WriteUnit, coll: Collection): void {
  const engine = ctx.state.engine;
  const buckets = engine.createCollection(unit, ctx.db, bucketsName(coll.name));
  const { timeField, metaField } = settings(coll);
  if (metaField) {
    engine.createIndex(unit, buckets, {
      key: { [`${MEASUREMENT}.${metaField}`]: 1, [`${MEASUREMENT}.${timeField}`]: 1 },
      name: `${metaField}_1_${timeField}_1`,
    });
  }
  if (coll.options.expireAfterSeconds !== undefined) {
    engine.createIndex(unit, buckets, { key: { [TIME]: 1 }, name: '_ttl', expireAfterSeconds: toNumber(coll.options.expireAfterSeconds) });
  }
}

export function insertMeasurement(ctx: CommandContext, wctx: WriteCtx, coll: Collection, doc: Doc): void {
  refuseInTransaction(ctx, 'an insert');
  const { timeField } = settings(coll);
  const time = doc[timeField];
  if (!(time instanceof Date)) {
    throw new MongoCommandError('BadValue', `'${timeField}' must be present and contain a valid BSON UTC datetime value`);
  }
  insertDoc(wctx, bucketsOf(ctx, wctx.unit, coll), { _id: new ObjectId(), [TIME]: time, [MEASUREMENT]: doc });
}

function matching(buckets: Collection, filter: Doc, limit: number): { id: string; rec: Doc }[] {
  const test = compileFilter(filter);
  const out: { id: string; rec: Doc }[] = [];
  for (const [id, rec] of buckets.docs) {
    if (!test.test((rec.view as Doc)[MEASUREMENT] as Doc)) continue;
    out.push({ id, rec: rec.doc });
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

/** MongoDB 7.0 reads time-series collections in transactions but writes them only outside. */
function refuseInTransaction(ctx: CommandContext, what: string): void {
  if (ctx.txn)
    throw new MongoCommandError(
      'OperationNotSupportedInTransaction',
      `Cannot perform ${what} on a time-series collection in a multi-document transaction.`,
    );
}

/** delete on a time-series collection: any filter (MongoDB 7.0), never in a transaction. */
export function deleteMeasurements(ctx: CommandContext, wctx: WriteCtx, coll: Collection, filter: Doc, limit: number): number {
  refuseInTransaction(ctx, 'a delete');
  const buckets = bucketsOf(ctx, wctx.unit, coll);
  const found = matching(buckets, filter, limit);
  for (const f of found) removeDoc(wctx, buckets, f.id, f.rec._id);
  return found.length;
}

/** Whether every path a filter names is the metaField or inside it. */
function onlyMeta(filter: unknown, meta: string | undefined): boolean {
  if (!isPlainObject(filter)) return false;
  return Object.entries(filter).every(([k, v]) => {
    if (k === '$and' || k === '$or' || k === '$nor') return Array.isArray(v) && v.every((x) => onlyMeta(x, meta));
    if (k === '$comment') return true;
    return meta !== undefined && (k === meta || k.startsWith(`${meta}.`));
  });
}

/** update on a time-series collection, within MongoDB 7.0's limits: metaField only, multi, no upsert. */
export function updateMeasurements(
  ctx: CommandContext,
  wctx: WriteCtx,
  coll: Collection,
  stmt: { q: Doc; spec: UpdateSpec; multi: boolean; upsert: boolean },
): { matched: number; modified: number } {
  refuseInTransaction(ctx, 'an update');
  const { metaField } = settings(coll);
  const invalid = (msg: string): MongoCommandError => new MongoCommandError('InvalidOptions', msg);
  if (!onlyMeta(stmt.q, metaField)) {
    throw invalid(
      `Cannot perform an update or delete on a time-series collection when querying on a field that is not the metaField '${metaField ?? ''}'`,
    );
  }
  if (stmt.spec.kind !== 'ops')
    throw invalid('Cannot perform an update on a time-series collection using a replacement document or a pipeline');
  const paths = Object.entries(stmt.spec.ops).flatMap(([op, args]) =>
    Object.entries(args as Doc).flatMap(([p, to]) => (op === '$rename' ? [p, String(to)] : [p])),
  );
  if (!paths.every((p) => metaField !== undefined && (p === metaField || p.startsWith(`${metaField}.`)))) {
    throw invalid(
      `Cannot perform an update on a time-series collection which updates a field that is not the metaField '${metaField ?? ''}'`,
    );
  }
  if (!stmt.multi) throw invalid('Cannot perform a non-multi update on a time-series collection');
  if (stmt.upsert) throw invalid('Cannot perform an upsert on a time-series collection');
  const buckets = bucketsOf(ctx, wctx.unit, coll);
  const found = matching(buckets, stmt.q, 0);
  let modified = 0;
  const filterView = toView(stmt.q) as Doc;
  for (const f of found) {
    const m = f.rec[MEASUREMENT] as Doc;
    const next = applyUpdate(m, stmt.spec, { filter: filterView, isInsert: false });
    if (keyString(next) === keyString(m)) continue;
    replaceDoc(wctx, buckets, f.id, { ...f.rec, [MEASUREMENT]: next });
    modified++;
  }
  return { matched: found.length, modified };
}

/** listIndexes of a time-series collection: the buckets' indexes on measurement fields, by those fields. */
export function measurementIndexes(buckets: Collection | undefined): Doc[] {
  if (!buckets) return [];
  const prefix = `${MEASUREMENT}.`;
  return buckets.indexSpecs().flatMap((spec) => {
    const keys = Object.entries(spec.key);
    if (spec.name === '_id_' || !keys.every(([k]) => k.startsWith(prefix))) return [];
    return [{ ...spec, key: Object.fromEntries(keys.map(([k, v]) => [k.slice(prefix.length), v])) }];
  });
}

/** createIndexes on a time-series collection: the spec on the buckets' measurement fields. */
export function bucketIndexSpec(spec: Doc): Doc {
  if (!isPlainObject(spec.key)) throw new MongoCommandError('CannotCreateIndex', 'Index keys cannot be an empty field.');
  for (const opt of Object.keys(spec)) {
    if (opt === 'unique' && spec.unique)
      throw new MongoCommandError('InvalidOptions', 'Unique indexes are not supported on time-series collections');
    if (opt === 'expireAfterSeconds') {
      throw new MongoCommandError(
        'InvalidOptions',
        "TTL indexes are not supported for time-series collections. Please use the top-level 'expireAfterSeconds' option instead",
      );
    }
    if (!['key', 'name', 'v', 'background', 'unique'].includes(opt)) {
      throw catalogError(
        'CommandNotSupported',
        `index option '${opt}' on a time-series collection is not supported by the embedded server`,
      );
    }
  }
  const key = spec.key as Doc;
  return {
    key: Object.fromEntries(Object.entries(key).map(([k, v]) => [`${MEASUREMENT}.${k}`, v])),
    name: typeof spec.name === 'string' ? spec.name : defaultIndexName(key),
  };
}
