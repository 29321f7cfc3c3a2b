/**
 * Query predicates: filters are run by mingo against the query form ("view") of documents.
 * `$text` is taken out here and answered by a text index; `$type` is ours so it can tell the
 * stored BSON types apart (mingo's view of a Long or an integral Double is a plain number).
 */
import { Aggregator } from 'mingo/aggregator';
import { Query } from 'mingo/query';
import { MongoCommandError, toCommandError } from '../errors';
import { parseSearch, type TextSearch } from '../storage/text-index';
import { compareValues, isPlainObject, toView, type Doc } from '../values';
import type { Collation } from './collation';
import { COMPARISONS, CONTEXT, leafCandidates, storedOf, type Predicate } from './operators';
import { checkVariables, DEFAULT_VARIABLES, expressionError } from './variables';

export function viewOf(doc: Doc): Doc {
  const view = toView(doc) as Doc;
  if (view !== doc) storedOf.set(view, doc);
  return view;
}

type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;

export function newQuery(condition: Doc, options: Options = mingoOptions()): Query {
  try {
    return new Query(condition, options);
  } catch (err) {
    throw toCommandError(err);
  }
}

/** A pipeline run by mingo, whose failures are MongoDB's errors; undefined `$$` names fail before it runs. */
export interface Pipeline {
  run(docs: Doc[]): Doc[];
}

export function newAggregator(pipeline: Doc[], options: Options = mingoOptions()): Pipeline {
  checkVariables(pipeline, options.variables as Doc | undefined);
  const agg = new Aggregator(pipeline, options);
  return {
    run: (docs) => {
      try {
        return agg.run(docs) as Doc[];
      } catch (err) {
        throw expressionError(err);
      }
    },
  };
}

/** Operators whose arguments keep their stored BSON types (ours compare them exactly). */
const EXACT_OPS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin']);

function isOperatorObject(v: unknown): v is Doc {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
}

function prepareOps(ops: Doc): Doc {
  const out: Doc = {};
  for (const [op, v] of Object.entries(ops)) {
    if (EXACT_OPS.has(op)) out[op] = v;
    else if (op === '$not') out[op] = isOperatorObject(v) ? prepareOps(v) : v;
    else if (op === '$elemMatch' && isPlainObject(v)) out[op] = isOperatorObject(v) ? prepareOps(v) : prepareFilter(v);
    else out[op] = toView(v);
  }
  return out;
}

/** Whether MongoDB reads a field's condition as operators: an object whose first field starts with `$`. */
function isOperatorDoc(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  for (const k in v) return k.startsWith('$');
  return false;
}

/**
 * A field's condition as MongoDB reads it: an object whose first field starts with `$` is
 * operators (each of its fields must be one: BadValue otherwise), any other value is an equality,
 * an object with `$` fields after a plain first field included. mingo would read any `$` field as
 * making the whole object operators.
 */
function fieldCondition(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  if (!isOperatorDoc(v)) return keys.some((k) => k.startsWith('$')) ? { $eq: v } : v;
  const plain = keys.find((k) => !k.startsWith('$'));
  if (plain !== undefined) throw new MongoCommandError('BadValue', `unknown operator: ${plain}`);
  return prepareOps(v);
}

/** The filter mingo runs: comparison values keep their stored types, the rest is in query form. */
function prepareFilter(filter: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(filter)) {
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) out[k] = v.map((x) => (isPlainObject(x) ? prepareFilter(x) : x));
    else if (k.startsWith('$')) out[k] = toView(v);
    else out[k] = fieldCondition(v);
  }
  return out;
}

/** One condition of a comparison filter: a path, an operator's predicate and its argument. */
interface Comparison {
  path: string;
  pred: Predicate;
  value: unknown;
}

/**
 * A filter made only of comparisons ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, or a plain value,
 * which mingo reads as $eq) on plain field paths, as a list; undefined for anything else. Such a
 * filter is tested without mingo, by the very predicates registered in mingo for those operators
 * (./operators.ts), so both answer alike: the commonest filters (by id, by company and contact,
 * by a field and a range) then cost a fraction of mingo's compilation and matching.
 */
function comparisonsOf(filter: Doc): Comparison[] | undefined {
  const out: Comparison[] = [];
  for (const path in filter) {
    if (path.includes('$')) return undefined;
    const cond = filter[path];
    if (cond instanceof RegExp) return undefined;
    if (isOperatorDoc(cond)) {
      for (const op in cond) {
        const pred = Object.hasOwn(COMPARISONS, op) ? COMPARISONS[op] : undefined;
        if (!pred || cond[op] instanceof RegExp) return undefined;
        out.push({ path, pred, value: cond[op] });
      }
    } else {
      out.push({ path, pred: COMPARISONS.$eq!, value: cond });
    }
  }
  return out;
}

const matchAll = (): boolean => true;

function comparisonTest(conds: Comparison[], collation: Collation | undefined): (view: Doc) => boolean {
  if (conds.length === 0) return matchAll;
  const cmp = collation?.compare ?? compareValues;
  return (view) => {
    const doc = storedOf.get(view) ?? view;
    for (const c of conds) if (!c.pred(leafCandidates(doc, c.path), c.value, cmp)) return false;
    return true;
  };
}

export interface CompiledFilter {
  test(view: Doc): boolean;
  /** The `$text` search, when the filter has one. */
  text?: TextSearch;
  /** The filter without `$text` (what the planner reads). */
  filter: Doc;
}

export interface MingoExtra {
  /** A command's resolved `let` (see resolveLet). */
  variables?: Doc | undefined;
  /** A non-simple collation; our operators read it (mingo's own ignore it: it has no `locale`). */
  collation?: Collation | undefined;
}

export function mingoOptions(extra: MingoExtra = {}): Options {
  return {
    context: CONTEXT,
    scriptEnabled: false,
    useStrictMode: true,
    variables: extra.variables ?? DEFAULT_VARIABLES,
    ...(extra.collation ? { collation: extra.collation as unknown as NonNullable<Options['collation']> } : {}),
  };
}

function extractText(filter: Doc): { rest: Doc; text?: TextSearch } {
  if (!('$text' in filter)) return { rest: filter };
  const spec = filter.$text;
  if (!isPlainObject(spec) || typeof spec.$search !== 'string') {
    throw new MongoCommandError('BadValue', '$search needs a String');
  }
  const { $text: _drop, ...rest } = filter;
  return { rest, text: parseSearch(spec.$search) };
}

export function compileFilter(filter: unknown, extra: MingoExtra = {}): CompiledFilter {
  if (filter === undefined || filter === null) filter = {};
  if (!isPlainObject(filter)) throw new MongoCommandError('TypeMismatch', 'filter must be an object');
  const { rest, text } = extractText(filter);
  // An empty filter is a list of no comparisons: it matches everything without mingo.
  const comparisons = comparisonsOf(rest);
  if (comparisons) return { test: comparisonTest(comparisons, extra.collation), ...(text ? { text } : {}), filter: rest };
  if ('$expr' in rest || '$and' in rest || '$or' in rest || '$nor' in rest) checkVariables(rest, extra.variables, 'filter');
  const query = newQuery(prepareFilter(rest), mingoOptions(extra));
  return {
    test: (doc: Doc) => {
      try {
        return query.test(doc);
      } catch (err) {
        throw expressionError(err);
      }
    },
    ...(text ? { text } : {}),
    filter: rest,
  };
}
