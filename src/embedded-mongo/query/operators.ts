/**
 * Operators where mingo's semantics differ from MongoDB's, registered in place of mingo's:
 * comparisons ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin) and $type use BSON comparison on the
 * stored document (exact Long/Decimal128 values, field order in subdocuments, type brackets);
 * pipeline $sort uses BSON type order, $count emits nothing for no input, $bucket follows
 * MongoDB's [lower, upper) boundaries. Under a collation (see ./collation.ts), comparisons, $sort,
 * $group keys, $addToSet and the comparison expressions compare strings by it.
 */
import { Aggregator as BaseAggregator } from 'mingo/aggregator';
import { Context, evalExpr } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { MongoCommandError } from '../errors';
import { compareValues, isPlainObject, typeRank, valuesAtPath, type Doc } from '../values';
import { collationOf } from './collation';
import { sortDocs, parseSort } from './sort';

/** View objects that differ from their stored document, so operators can see stored values. */
export const storedOf = new WeakMap<object, Doc>();

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

export type Predicate = (cands: unknown[], value: unknown, cmp: (a: unknown, b: unknown) => number) => boolean;

function rangeOp(test: (c: number) => boolean, nullMatches: boolean): Predicate {
  return (cands, value, cmp) => {
    if (value === null || value === undefined) return nullMatches && cands.some((c) => c === null || c === undefined);
    if (Array.isArray(value)) return cands.some((c) => Array.isArray(c) && test(cmp(c, value)));
    return cands.some((c) => c !== undefined && typeRank(c) === typeRank(value) && test(cmp(c, value)));
  };
}

function queryOp(pred: Predicate) {
  return (selector: string, value: unknown, options: unknown) => {
    const cmp = collationOf(options)?.compare ?? compareValues;
    return (obj: Doc): boolean => pred(leafCandidates(storedOf.get(obj) ?? obj, selector), value, cmp);
  };
}

function inList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new MongoCommandError('BadValue', '$in needs an array');
  return value;
}

const eq: Predicate = (cands, value, cmp) => equalsAny(cands, value, cmp);

/**
 * What each comparison operator tests against the candidates of its path (see leafCandidates).
 * Registered with mingo below; matcher.ts also runs filters made only of these without mingo.
 */
export const COMPARISONS: Readonly<Record<string, Predicate>> = {
  $eq: eq,
  $ne: (c, v, cmp) => !eq(c, v, cmp),
  $gt: rangeOp((c) => c > 0, false),
  $gte: rangeOp((c) => c >= 0, true),
  $lt: rangeOp((c) => c < 0, false),
  $lte: rangeOp((c) => c <= 0, true),
  $in: (c, v, cmp) => inList(v).some((x) => eq(c, x, cmp)),
  $nin: (c, v, cmp) => !inList(v).some((x) => eq(c, x, cmp)),
};

const comparisonOps = Object.fromEntries(Object.entries(COMPARISONS).map(([op, pred]) => [op, queryOp(pred)]));

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

function sortStage(coll: Iterator, spec: Doc, options: unknown): Iterator {
  const keys = parseSort(spec);
  const cmp = collationOf(options)?.compare;
  return coll.transform((xs: unknown[]) => Lazy(sortDocs(xs as Doc[], keys, (d) => d, undefined, cmp)));
}

/** Under a collation, group keys are replaced by the first key seen that the collation finds equal. */
const groupKeys: ((v: unknown) => unknown)[] = [];

function groupStage(coll: Iterator, spec: Doc, options: unknown): Iterator {
  const collation = collationOf(options);
  if (!collation || !isPlainObject(spec) || !('_id' in spec)) return pipelineOperators.$group(coll, spec as never, options as never);
  const keyed = { ...spec, _id: { $__collatedGroupKey: spec._id } };
  return coll.transform((xs: unknown[]) => {
    groupKeys.push(collation.canonicalizer());
    try {
      return Lazy(pipelineOperators.$group(Lazy(xs), keyed as never, options as never).collect());
    } finally {
      groupKeys.pop();
    }
  });
}

function collatedGroupKey(obj: unknown, expr: unknown, options: unknown): unknown {
  const canon = groupKeys[groupKeys.length - 1];
  if (!canon)
    throw new MongoCommandError(168, "Unrecognized expression '$__collatedGroupKey'", { extra: { codeName: 'InvalidPipelineOperator' } });
  return canon(evalExpr(obj, expr, options as never));
}

function addToSet(coll: unknown[], expr: unknown, options: unknown): unknown[] {
  const collation = collationOf(options);
  if (!collation) return accumulatorOperators.$addToSet(coll as never, expr, options as never);
  const canon = collation.canonicalizer();
  const out = new Set<unknown>();
  for (const v of accumulatorOperators.$push(coll as never, expr, options as never)) out.add(canon(v));
  return [...out];
}

/** $min and $max accumulators: under a collation, strings are ordered by it (null and missing are skipped). */
function collatedExtreme(name: '$min' | '$max'): (coll: unknown[], expr: unknown, options: unknown) => unknown {
  const plain = accumulatorOperators[name] as unknown as (coll: unknown[], expr: unknown, options: unknown) => unknown;
  return (coll, expr, options) => {
    const collation = collationOf(options);
    if (!collation) return plain(coll, expr, options);
    let best: unknown = null;
    for (const v of accumulatorOperators.$push(coll as never, expr, options as never) as unknown[]) {
      if (v === null || v === undefined) continue;
      const c = best === null ? 0 : collation.compare(v, best);
      if (best === null || (name === '$min' ? c < 0 : c > 0)) best = v;
    }
    return best;
  };
}

/** A path's values in a joined document as $lookup matches them: missing is null. */
function joinValues(doc: unknown, path: string): unknown[] {
  const { values } = valuesAtPath(doc, path);
  return values.length === 0 ? [null] : values.map((v) => (v === undefined ? null : v));
}

/**
 * $lookup by localField/foreignField under a collation: values equal under it join (mingo's own
 * join compares exactly). Joined documents come in the foreign collection's order, as MongoDB's
 * query of the foreign collection returns them. Any other $lookup is mingo's.
 */
function lookupStage(coll: Iterator, spec: Doc, options: unknown): Iterator {
  const collation = collationOf(options);
  const plain = (): Iterator => pipelineOperators.$lookup(coll, spec as never, options as never);
  if (!collation || !isPlainObject(spec) || spec.pipeline !== undefined || spec.let !== undefined) return plain();
  const { from, localField, foreignField, as } = spec;
  if (typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string' || typeof as !== 'string') {
    return plain();
  }
  const resolver = (options as { collectionResolver?: (name: string) => Doc[] }).collectionResolver;
  if (!resolver) return plain();
  const foreign = resolver(from);
  const canon = collation.canonicalizer();
  const byValue = new Map<unknown, Set<number>>();
  foreign.forEach((doc, i) => {
    for (const v of joinValues(doc, foreignField)) {
      const key = canon(v);
      let at = byValue.get(key);
      if (!at) byValue.set(key, (at = new Set()));
      at.add(i);
    }
  });
  return coll.map((obj: unknown) => {
    const hits = new Set<number>();
    for (const v of joinValues(obj, localField)) for (const i of byValue.get(canon(v)) ?? []) hits.add(i);
    return { ...(obj as Doc), [as]: [...hits].sort((a, b) => a - b).map((i) => foreign[i]) };
  });
}

type ExpressionOp = (obj: unknown, expr: unknown, options: unknown) => unknown;

/** A comparison expression ($eq, $lt, $cmp, $in...) that compares by the collation when there is one. */
function collatedExpression(name: keyof typeof expressionOperators, answer: (c: number) => unknown): ExpressionOp {
  const plain = expressionOperators[name] as unknown as ExpressionOp;
  return (obj, expr, options) => {
    const collation = collationOf(options);
    if (!collation) return plain(obj, expr, options);
    const args = evalExpr(obj, expr, options as never) as unknown[];
    if (!Array.isArray(args) || args.length !== 2) return plain(obj, expr, options);
    return answer(collation.compare(args[0], args[1]));
  };
}

function collatedIn(obj: unknown, expr: unknown, options: unknown): unknown {
  const collation = collationOf(options);
  const plain = expressionOperators.$in as unknown as ExpressionOp;
  if (!collation) return plain(obj, expr, options);
  const args = evalExpr(obj, expr, options as never) as unknown[];
  if (!Array.isArray(args) || !Array.isArray(args[1])) return plain(obj, expr, options);
  return args[1].some((v) => collation.compare(args[0], v) === 0);
}

const collatedExpressions = {
  $eq: collatedExpression('$eq', (c) => c === 0),
  $ne: collatedExpression('$ne', (c) => c !== 0),
  $gt: collatedExpression('$gt', (c) => c > 0),
  $gte: collatedExpression('$gte', (c) => c >= 0),
  $lt: collatedExpression('$lt', (c) => c < 0),
  $lte: collatedExpression('$lte', (c) => c <= 0),
  $cmp: collatedExpression('$cmp', (c) => Math.sign(c)),
  $in: collatedIn,
  $__collatedGroupKey: collatedGroupKey,
};

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
  accumulator: {
    ...(accumulatorOperators as object),
    $addToSet: addToSet,
    $min: collatedExtreme('$min'),
    $max: collatedExtreme('$max'),
  } as never,
  expression: { ...(expressionOperators as object), ...collatedExpressions } as never,
  projection: projectionOperators as never,
  window: windowOperators as never,
  query: { ...(queryOperators as object), ...comparisonOps, $type: typeOp } as never,
  pipeline: {
    ...(pipelineOperators as object),
    $sort: sortStage,
    $group: groupStage,
    $count: countStage,
    $bucket: bucketStage,
    $lookup: lookupStage,
  } as never,
});
