/**
 * Operators where mingo's semantics differ from MongoDB's, registered in place of mingo's:
 * comparisons ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin) and $type use BSON comparison on the
 * stored document (exact Long/Decimal128 values, field order in subdocuments, type brackets);
 * pipeline $sort uses BSON type order, $count emits nothing for no input, $bucket follows
 * MongoDB's [lower, upper) boundaries.
 */
import { Aggregator as BaseAggregator } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { MongoCommandError } from '../errors';
import { compareValues, isPlainObject, typeRank, type Doc } from '../values';
import { sortDocs, parseSort } from './sort';

/** View objects that differ from their stored document, so operators can see stored values. */
export const storedOf = new WeakMap<object, Doc>();

type Options = { collation?: { locale: string; strength?: number } };

/** The values a path names for comparison: the leaf, and a leaf array's elements. */
export function leafCandidates(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(v);
      if (Array.isArray(v)) out.push(...v);
      return;
    }
    const part = parts[i]!;
    if (Array.isArray(v)) {
      if (/^\d+$/.test(part) && Number(part) < v.length) walk(v[Number(part)], i + 1);
      let any = false;
      for (const e of v) {
        if (isPlainObject(e) || Array.isArray(e)) {
          any = true;
          walk(e, i);
        }
      }
      if (!any && !/^\d+$/.test(part)) out.push(undefined);
      return;
    }
    if (isPlainObject(v)) walk(v[part], i + 1);
    else out.push(undefined);
  };
  walk(doc, 0);
  return out;
}

function collatorFor(options: Options): Intl.Collator | undefined {
  const c = options.collation;
  if (!c) return undefined;
  const sensitivity = c.strength === 1 ? 'base' : c.strength === 2 ? 'accent' : 'variant';
  return new Intl.Collator(c.locale === 'simple' ? undefined : c.locale, { sensitivity });
}

function compareWith(collator: Intl.Collator | undefined): (a: unknown, b: unknown) => number {
  if (!collator) return compareValues;
  return (a, b) => (typeof a === 'string' && typeof b === 'string' ? collator.compare(a, b) : compareValues(a, b));
}

function regexTest(re: RegExp, v: unknown): boolean {
  re.lastIndex = 0;
  return typeof v === 'string' && re.test(v);
}

function equalsAny(cands: unknown[], value: unknown, cmp: (a: unknown, b: unknown) => number): boolean {
  if (value instanceof RegExp)
    return cands.some((c) => regexTest(value, c) || (c instanceof RegExp && c.source === value.source && c.flags === value.flags));
  if (value === null) return cands.some((c) => c === null || c === undefined);
  return cands.some((c) => c !== undefined && typeRank(c) === typeRank(value) && cmp(c, value) === 0);
}

type Predicate = (cands: unknown[], value: unknown, cmp: (a: unknown, b: unknown) => number) => boolean;

function rangeOp(test: (c: number) => boolean, nullMatches: boolean): Predicate {
  return (cands, value, cmp) => {
    if (value === null || value === undefined) return nullMatches && cands.some((c) => c === null || c === undefined);
    if (Array.isArray(value)) return cands.some((c) => Array.isArray(c) && test(cmp(c, value)));
    return cands.some((c) => c !== undefined && typeRank(c) === typeRank(value) && test(cmp(c, value)));
  };
}

function queryOp(pred: Predicate) {
  return (selector: string, value: unknown, options: Options) => {
    const cmp = compareWith(collatorFor(options));
    return (obj: Doc): boolean => pred(leafCandidates(storedOf.get(obj) ?? obj, selector), value, cmp);
  };
}

function inList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new MongoCommandError('BadValue', '$in needs an array');
  return value;
}

const eq: Predicate = (cands, value, cmp) => equalsAny(cands, value, cmp);
const comparisonOps = {
  $eq: queryOp(eq),
  $ne: queryOp((c, v, cmp) => !eq(c, v, cmp)),
  $gt: queryOp(rangeOp((c) => c > 0, false)),
  $gte: queryOp(rangeOp((c) => c >= 0, true)),
  $lt: queryOp(rangeOp((c) => c < 0, false)),
  $lte: queryOp(rangeOp((c) => c <= 0, true)),
  $in: queryOp((c, v, cmp) => inList(v).some((x) => eq(c, x, cmp))),
  $nin: queryOp((c, v, cmp) => !inList(v).some((x) => eq(c, x, cmp))),
};

// ---------------------------------------------------------------------------------- $type

const TYPE_ALIASES: Record<string, string> = {
  '1': 'double',
  '2': 'string',
  '3': 'object',
  '4': 'array',
  '5': 'binData',
  '6': 'undefined',
  '7': 'objectId',
  '8': 'bool',
  '9': 'date',
  '10': 'null',
  '11': 'regex',
  '13': 'javascript',
  '16': 'int',
  '17': 'timestamp',
  '18': 'long',
  '19': 'decimal',
  '-1': 'minKey',
  '127': 'maxKey',
};
const TYPE_NAMES = new Set([...Object.values(TYPE_ALIASES), 'number', 'symbol']);

export function bsonTypeName(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? 'int' : 'double';
  }
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const names: Record<string, string> = {
    Double: 'double',
    Int32: 'int',
    Long: 'long',
    Decimal128: 'decimal',
    ObjectId: 'objectId',
    Binary: 'binData',
    Timestamp: 'timestamp',
    BSONRegExp: 'regex',
    Code: 'javascript',
    MinKey: 'minKey',
    MaxKey: 'maxKey',
    BSONSymbol: 'symbol',
  };
  return names[(v as { _bsontype?: string })._bsontype ?? ''] ?? 'object';
}

function typeOp(selector: string, value: unknown): (obj: Doc) => boolean {
  const wanted = (Array.isArray(value) ? value : [value]).map((w) => {
    const name = TYPE_ALIASES[String(w)] ?? String(w);
    if (!TYPE_NAMES.has(name)) throw new MongoCommandError('BadValue', `Unknown type name alias: ${String(w)}`);
    return name;
  });
  return (obj: Doc) =>
    leafCandidates(storedOf.get(obj) ?? obj, selector).some(
      (v) => v !== undefined && wanted.some((w) => (w === 'number' ? typeRank(v) === 3 : bsonTypeName(v) === w)),
    );
}

// ------------------------------------------------------------------------------- pipeline

function sortStage(coll: Iterator, spec: Doc): Iterator {
  const keys = parseSort(spec);
  return coll.transform((xs: unknown[]) => Lazy(sortDocs(xs as Doc[], keys, (d) => d)));
}

function countStage(coll: Iterator, field: string): Iterator {
  if (typeof field !== 'string' || field.length === 0 || field.startsWith('$') || field.includes('.')) {
    throw new MongoCommandError(40156, 'the count field must be a non-empty string without $ or .');
  }
  return coll.transform((xs: unknown[]) => Lazy(xs.length === 0 ? [] : [{ [field]: xs.length }]));
}

function bucketStage(coll: Iterator, spec: Doc, options: unknown): Iterator {
  const boundaries = spec.boundaries;
  if (!Array.isArray(boundaries) || boundaries.length < 2) {
    throw new MongoCommandError(40192, "The $bucket 'boundaries' field must have at least 2 values");
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (compareValues(boundaries[i - 1], boundaries[i]) >= 0) {
      throw new MongoCommandError(40194, "The 'boundaries' option to $bucket must be sorted in ascending order");
    }
  }
  const branches = boundaries.slice(0, -1).map((lo, i) => ({
    case: { $and: [{ $gte: [spec.groupBy, lo] }, { $lt: [spec.groupBy, boundaries[i + 1]] }] },
    then: lo,
  }));
  const fallback = 'default' in spec ? spec.default : { $literal: '__petbuddy_no_bucket__' };
  const output = isPlainObject(spec.output) ? spec.output : { count: { $sum: 1 } };
  const group = new BaseAggregator(
    [{ $group: { _id: { $switch: { branches, default: fallback } }, ...output } }, { $sort: { _id: 1 } }],
    options as never,
  );
  return coll.transform((xs: unknown[]) => {
    const out = group.run(xs as Doc[]);
    if (!('default' in spec) && out.some((d) => d._id === '__petbuddy_no_bucket__')) {
      throw new MongoCommandError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
    }
    return Lazy(out);
  });
}

export const CONTEXT: Context = Context.init({
  accumulator: accumulatorOperators as never,
  expression: expressionOperators as never,
  projection: projectionOperators as never,
  window: windowOperators as never,
  query: { ...(queryOperators as object), ...comparisonOps, $type: typeOp } as never,
  pipeline: { ...(pipelineOperators as object), $sort: sortStage, $count: countStage, $bucket: bucketStage } as never,
});
