/**
 * What catalog commands share: journalling a catalog change, a command's own fields, and the
 * options `create` accepts (views, validators, clustered and time-series collections) checked
 * and stored in the form listCollections shows them.
 */
import { Long } from 'bson';
import { MongoCommandError } from '../errors';
import { catalogError } from '../storage/codes';
import type { WriteUnit } from '../storage/engine';
import { parseValidation } from '../storage/validator';
import { isPlainObject, keyString, toNumber, type Doc } from '../values';
import type { CommandContext } from './context';
import { isGenericArgument } from './fields';
import { timeseriesOptions } from './timeseries';
import { checkViewDefinition } from './views';

/** Runs a catalog change and journals whatever it applied, even when it then failed. */
export async function durable(ctx: CommandContext, fn: (unit: WriteUnit) => Doc): Promise<Doc> {
  const unit: WriteUnit = { ops: [] };
  try {
    return fn(unit);
  } finally {
    await ctx.state.engine.commit(unit);
  }
}

/** A command's own fields: everything after its name that is not a generic argument. */
export function commandOptions(cmd: Doc): Doc {
  return Object.fromEntries(Object.entries(cmd).filter(([k], i) => i > 0 && !isGenericArgument(k)));
}

const VIEW_OPTIONS = new Set(['viewOn', 'pipeline', 'collation']);
const VALIDATION_OPTIONS = ['validator', 'validationLevel', 'validationAction'];

function invalid(message: string): MongoCommandError {
  return new MongoCommandError('InvalidOptions', message);
}

function viewOptions(ctx: CommandContext, name: string, raw: Doc): Doc {
  if (raw.viewOn === undefined) throw invalid("'pipeline' requires 'viewOn' to also be specified");
  for (const k of Object.keys(raw)) if (!VIEW_OPTIONS.has(k)) throw invalid(`option not supported on a view: ${k}`);
  if (typeof raw.viewOn === 'string' && raw.viewOn.startsWith('system.buckets.')) {
    throw new MongoCommandError(
      'InvalidNamespace',
      'Cannot create view on a system.buckets namespace except by creating a time-series collection',
    );
  }
  const pipeline = checkViewDefinition(ctx, name, raw.viewOn, raw.pipeline);
  if (raw.collation !== undefined && !isPlainObject(raw.collation)) {
    throw new MongoCommandError('TypeMismatch', "BSON field 'create.collation' is the wrong type, expected type 'object'");
  }
  return { viewOn: raw.viewOn, pipeline, ...(raw.collation !== undefined ? { collation: raw.collation } : {}) };
}

/** `clusteredIndex` as MongoDB stores it: only `{_id: 1}`, unique, named `_id_` unless named. */
function clusteredOptions(spec: unknown): Doc {
  if (typeof spec === 'boolean') {
    throw new MongoCommandError(
      5979703,
      "The 'clusteredIndex' legacy format {clusteredIndex: <bool>} is only supported for specific internal collections and vice versa",
    );
  }
  if (!isPlainObject(spec)) throw new MongoCommandError(5979702, "'clusteredIndex' has to be a boolean or object.");
  for (const k of Object.keys(spec)) {
    if (!['key', 'unique', 'name', 'v'].includes(k))
      throw new MongoCommandError(40415, `BSON field 'clusteredIndex.${k}' is an unknown field.`);
  }
  for (const k of ['key', 'unique']) {
    if (spec[k] === undefined) throw new MongoCommandError(40414, `BSON field 'clusteredIndex.${k}' is missing but a required field`);
  }
  if (spec.unique !== true) throw new MongoCommandError(5979700, 'The clusteredIndex option requires unique: true to be specified');
  if (!isPlainObject(spec.key) || keyString(Object.keys(spec.key)) !== keyString(['_id']) || toNumber(spec.key._id) !== 1) {
    throw catalogError('InvalidIndexSpecificationOption', 'The clusteredIndex option is only supported for key: {_id: 1}');
  }
  if (spec.v !== undefined && toNumber(spec.v) !== 2) {
    throw new MongoCommandError(5979704, `Invalid clusteredIndex specification; cannot create a clusteredIndex with v=${String(spec.v)}`);
  }
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length === 0)) {
    throw new MongoCommandError('TypeMismatch', "BSON field 'clusteredIndex.name' must be a non-empty string");
  }
  return { v: 2, key: { _id: 1 }, name: spec.name ?? '_id_', unique: true };
}

/** Checks `create`'s options, throwing MongoDB's error for one it refuses, and returns what the catalog keeps. */
export function createOptions(ctx: CommandContext, name: string, raw: Doc): Doc {
  if (raw.viewOn !== undefined || raw.pipeline !== undefined) return viewOptions(ctx, name, raw);
  const out: Doc = { ...raw };
  if (raw.timeseries !== undefined) {
    for (const k of ['capped', 'clusteredIndex', ...VALIDATION_OPTIONS]) {
      if (raw[k] !== undefined) throw invalid(`option not supported on a time-series collection: ${k}`);
    }
    out.timeseries = timeseriesOptions(raw.timeseries);
  }
  if (raw.clusteredIndex !== undefined) out.clusteredIndex = clusteredOptions(raw.clusteredIndex);
  if (raw.expireAfterSeconds !== undefined) {
    if (!out.timeseries && !out.clusteredIndex) throw invalid("'expireAfterSeconds' requires clustering to be enabled");
    const n = toNumber(raw.expireAfterSeconds);
    if (!Number.isInteger(n) || n < 0) throw invalid("'expireAfterSeconds' must be a non-negative whole number of seconds");
    out.expireAfterSeconds = Long.fromNumber(n);
  }
  if (VALIDATION_OPTIONS.some((k) => raw[k] !== undefined)) {
    if (['admin', 'local', 'config'].includes(ctx.db) || name.startsWith('system.')) {
      throw invalid(`Document validators are not allowed on ${ctx.db}.${name}`);
    }
    parseValidation(out);
  }
  return out;
}
