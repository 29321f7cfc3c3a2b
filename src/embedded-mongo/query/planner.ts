/**
 * Chooses how to find the documents of a query: a direct _id lookup, an index scan over the
 * bounds the filter implies (equality prefix, then one range), or a collection scan. Index scans
 * only narrow the candidates: every candidate is still tested against the whole filter.
 */
import { MongoCommandError } from '../errors';
import type { Collection } from '../storage/collection';
import type { Entry, Index } from '../storage/index-def';
import { compareValues, isPlainObject, keyString, toNumber, typeRank, type Doc } from '../values';
import { bsonTypeName } from './operators';
import type { SortKey } from './sort';

export interface Bound {
  rank: number;
  /** undefined: the start (lower bound) or end (upper bound) of the type bracket. */
  v?: unknown;
  incl: boolean;
}

export interface Range {
  lo?: Bound;
  hi?: Bound;
}

export interface Plan {
  kind: 'COLLSCAN' | 'IXSCAN' | 'IDHACK' | 'TEXT';
  index?: Index;
  /** Equality values for the index's leading fields, one tuple per combination. */
  combos: unknown[][];
  /** Range on the field after the equality prefix. */
  range?: Range;
  /** Scan direction relative to the index order (or natural order for COLLSCAN). */
  dir: 1 | -1;
  providesSort: boolean;
  /**
   * When the scan yields the sort's leading keys in order but not the rest (`{ created_at: -1,
   * _id: -1 }` on an index ending in `created_at`): those keys. The executor still sorts, but
   * stops reading once the page is full and nothing further can tie with its last document.
   */
  sortPrefix?: SortKey[];
  idValues?: unknown[];
}

interface FieldCond {
  points?: unknown[];
  range?: Range;
}

const MAX_COMBOS = 1000;

function indexablePoint(v: unknown): boolean {
  return !Array.isArray(v) && !(v instanceof RegExp) && !(isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$')));
}

function addCond(conds: Map<string, FieldCond>, path: string, cond: unknown): void {
  if (path.startsWith('$')) return;
  const fc: FieldCond = conds.get(path) ?? {};
  const isOpObject = isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
  if (!isOpObject) {
    if (indexablePoint(cond)) fc.points = [cond];
  } else {
    const ops = cond as Doc;
    if ('$eq' in ops && indexablePoint(ops.$eq)) fc.points = [ops.$eq];
    if (Array.isArray(ops.$in) && ops.$in.every(indexablePoint) && !fc.points) fc.points = ops.$in;
    const range: Range = fc.range ?? {};
    for (const [op, v] of Object.entries(ops)) {
      if (!['$gt', '$gte', '$lt', '$lte'].includes(op) || !indexablePoint(v) || v === null || v === undefined) continue;
      const b: Bound = { rank: typeRank(v), v, incl: op === '$gte' || op === '$lte' };
      if (op === '$gt' || op === '$gte') {
        if (!range.lo || compareValues(v, range.lo.v) > 0) range.lo = b;
        range.hi ??= { rank: b.rank, incl: true };
      } else {
        if (!range.hi || range.hi.v === undefined || compareValues(v, range.hi.v) < 0) range.hi = b;
        range.lo ??= { rank: b.rank, incl: true };
      }
    }
    if (range.lo || range.hi) fc.range = range;
  }
  if (fc.points || fc.range) conds.set(path, fc);
}

function collectConds(filter: Doc, conds = new Map<string, FieldCond>()): Map<string, FieldCond> {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) collectConds(sub, conds);
    } else addCond(conds, k, v);
  }
  return conds;
}

function boundCmp(x: unknown, b: Bound, side: 'lo' | 'hi'): number {
  const r = typeRank(x) - b.rank;
  if (r !== 0) return r < 0 ? -1 : 1;
  if (b.v === undefined) return side === 'lo' ? 1 : -1;
  return compareValues(x, b.v);
}

export function satisfiesLo(x: unknown, b: Bound | undefined): boolean {
  if (!b) return true;
  const c = boundCmp(x, b, 'lo');
  return c > 0 || (c === 0 && b.incl);
}

export function satisfiesHi(x: unknown, b: Bound | undefined): boolean {
  if (!b) return true;
  const c = boundCmp(x, b, 'hi');
  return c < 0 || (c === 0 && b.incl);
}

/**
 * How scanning `index` after `eqPrefix` equality fields orders `sort`: the direction (1 or -1, or 0
 * when it orders none of it) and how many of the sort's keys (other than the equality fields,
 * which are constant) it orders, leading ones first.
 */
function sortDirection(index: Index, eqPrefix: number, sort: SortKey[]): { dir: 1 | -1 | 0; rest: SortKey[]; ordered: number } {
  if (sort.length === 0 || sort.some((s) => s.meta) || index.multikey) return { dir: 0, rest: sort, ordered: 0 };
  const rest = sort.filter((s) => !index.fields.slice(0, eqPrefix).some((f) => f.path === s.path));
  if (rest.length === 0) return { dir: 1, rest, ordered: 0 };
  let dir: 1 | -1 | 0 = 0;
  let ordered = 0;
  for (; ordered < rest.length && eqPrefix + ordered < index.fields.length; ordered++) {
    const f = index.fields[eqPrefix + ordered]!;
    if (f.path !== rest[ordered]!.path) break;
    const d = (f.dir === rest[ordered]!.dir ? 1 : -1) as 1 | -1;
    if (dir !== 0 && d !== dir) break;
    dir = d;
  }
  return { dir: ordered === 0 ? 0 : dir, rest, ordered };
}

function indexPlan(index: Index, conds: Map<string, FieldCond>, sort: SortKey[]): { plan: Plan; score: number } {
  let combos: unknown[][] = [[]];
  let eq = 0;
  let range: Range | undefined;
  for (const f of index.fields) {
    const c = conds.get(f.path);
    if (c?.points && !(index.sparse && c.points.some((p) => p === null))) {
      if (combos.length * c.points.length > MAX_COMBOS) break;
      combos = combos.flatMap((t) => c.points!.map((p) => [...t, p]));
      eq++;
      continue;
    }
    if (c?.range) {
      range = c.range;
      // Bounds of one array element cannot be intersected: keep only the lower one.
      if (index.multikey && range.lo?.v !== undefined && range.hi?.v !== undefined) {
        range = { lo: range.lo, hi: { rank: range.lo.rank, incl: true } };
      }
    }
    break;
  }
  const order = combos.length === 1 ? sortDirection(index, eq, sort) : { dir: 0 as const, rest: sort, ordered: 0 };
  const providesSort = order.dir !== 0 && order.ordered === order.rest.length;
  // A scan that orders only the sort's leading keys still saves reading past the page, but it
  // keeps the plan (and the direction, so ties come in the same order) chosen without it.
  const sortPrefix = !providesSort && order.dir === 1 && order.ordered > 0 ? order.rest.slice(0, order.ordered) : undefined;
  const score = eq * 4 + (range ? 2 : 0) + (providesSort ? 1 : 0) + (index.unique && eq === index.fields.length ? 3 : 0);
  return {
    plan: {
      kind: 'IXSCAN',
      index,
      combos,
      ...(range ? { range } : {}),
      dir: providesSort && order.dir === -1 ? -1 : 1,
      providesSort,
      ...(sortPrefix ? { sortPrefix } : {}),
    },
    score,
  };
}

function hintedIndex(coll: Collection, hint: unknown): Index | 'natural' | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint === 'string') {
    const ix = coll.indexes.get(hint);
    if (ix) return ix;
  } else if (isPlainObject(hint)) {
    if (Object.keys(hint).length === 0) return undefined;
    if ('$natural' in hint) return 'natural';
    for (const ix of coll.indexes.values()) if (keyString(ix.spec.key) === keyString(hint)) return ix;
  }
  throw new MongoCommandError(
    'BadValue',
    'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
  );
}

function collscan(dir: 1 | -1 = 1): Plan {
  return { kind: 'COLLSCAN', combos: [[]], dir, providesSort: false };
}

export function planQuery(
  coll: Collection | undefined,
  filter: Doc,
  sort: SortKey[],
  opts: { hint?: unknown; text?: boolean; collation?: unknown },
): Plan {
  if (!coll) return collscan();
  if (opts.text) {
    if (!coll.textIndex()) throw new MongoCommandError('IndexNotFound', 'text index required for $text query');
    return { kind: 'TEXT', index: coll.textIndex()!, combos: [[]], dir: 1, providesSort: false };
  }
  const hinted = hintedIndex(coll, opts.hint);
  if (hinted === 'natural') {
    const dir = isPlainObject(opts.hint) && toNumber(opts.hint.$natural) < 0 ? -1 : 1;
    return collscan(dir);
  }
  const conds = collectConds(filter);
  const idCond = conds.get('_id');
  if (!hinted && idCond?.points && Object.keys(filter).length === 1 && !opts.collation) {
    return { kind: 'IDHACK', combos: [[]], dir: 1, providesSort: sort.length === 0, idValues: idCond.points };
  }
  if (hinted) return indexPlan(hinted, opts.collation ? new Map() : conds, sort).plan;
  if (opts.collation) return collscan();
  let best: { plan: Plan; score: number } | undefined;
  for (const ix of coll.indexes.values()) {
    if (!ix.orderable || ix.spec.hidden === true) continue;
    if (ix.spec.partialFilterExpression && !partialImplied(ix.spec.partialFilterExpression, conds, filter)) continue;
    const candidate = indexPlan(ix, conds, sort);
    if (candidate.score > 0 && (!best || candidate.score > best.score)) best = candidate;
  }
  return best?.plan ?? collscan();
}

/**
 * Whether every document the query can match is in the partial index: each condition of the
 * index's filter must follow from the query's equality points (an equal value, or a value that
 * satisfies $exists: true / $type / a comparison). Anything else: the index is not used.
 */
function partialImplied(partial: Doc, conds: Map<string, FieldCond>, filter: Doc): boolean {
  return Object.entries(partial).every(([path, cond]) => {
    // The query states the index's own condition (e.g. `{ field: { $exists: true } }`).
    if (path in filter && sameCondition(filter[path], cond)) return true;
    const points = conds.get(path)?.points;
    if (!points || points.length === 0) return false;
    return points.every((v) => {
      if (!isPlainObject(cond) || Object.keys(cond).every((k) => !k.startsWith('$'))) return keyString(v) === keyString(cond);
      return Object.entries(cond).every(([op, arg]) => {
        switch (op) {
          case '$eq':
            return keyString(v) === keyString(arg);
          case '$exists':
            return arg === true ? v !== null && v !== undefined : v === null || v === undefined;
          case '$type':
            return (Array.isArray(arg) ? arg : [arg]).some((t) => typeMatches(v, t));
          case '$gt':
            return typeRank(v) === typeRank(arg) && compareValues(v, arg) > 0;
          case '$gte':
            return typeRank(v) === typeRank(arg) && compareValues(v, arg) >= 0;
          case '$lt':
            return typeRank(v) === typeRank(arg) && compareValues(v, arg) < 0;
          case '$lte':
            return typeRank(v) === typeRank(arg) && compareValues(v, arg) <= 0;
          default:
            return false;
        }
      });
    });
  });
}

function sameCondition(a: unknown, b: unknown): boolean {
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameCondition(a[k], b[k]));
  }
  return !isPlainObject(a) && !isPlainObject(b) && keyString(a) === keyString(b);
}

const scalar = (v: unknown): boolean => v !== null && v !== undefined && !Array.isArray(v) && !isPlainObject(v) && !(v instanceof RegExp);

/**
 * The values of a plain scalar, `{ $eq: scalar }` or `{ $in: [scalars] }` condition (what an
 * index point answers exactly); undefined for any other condition.
 */
export function pointsOf(v: unknown): unknown[] | undefined {
  if (scalar(v)) return [v];
  if (!isPlainObject(v) || Object.keys(v).length !== 1) return undefined;
  if ('$eq' in v) return scalar(v.$eq) ? [v.$eq] : undefined;
  return Array.isArray(v.$in) && v.$in.every(scalar) ? v.$in : undefined;
}

const isPointCondition = (v: unknown): boolean => pointsOf(v) !== undefined;

/**
 * Whether every key an index scan of `plan` yields belongs to a document that matches `filter`,
 * so the documents need not be read to count them, nor tested to return them: a single-valued
 * (not multikey) index whose equality prefix is exactly the filter's fields, each a plain scalar
 * (or `$in` of scalars), and any other filter field is the partial index's own condition; or an
 * _id lookup by such values.
 */
export function scanIsExact(plan: Plan, filter: Doc): boolean {
  if (plan.kind === 'IDHACK') return Object.keys(filter).length === 1 && isPointCondition(filter._id);
  const index = plan.index;
  if (plan.kind !== 'IXSCAN' || !index || index.multikey || index.sparse || plan.range) return false;
  const prefix = new Set(index.fields.slice(0, plan.combos[0]?.length ?? 0).map((f) => f.path));
  const partial = index.spec.partialFilterExpression;
  return Object.entries(filter).every(([k, v]) => {
    if (k.startsWith('$')) return false;
    if (prefix.has(k)) return isPointCondition(v);
    return partial !== undefined && k in partial && sameCondition(v, partial[k]);
  });
}

const TYPE_NUMBERS: Record<string, string> = {
  '1': 'double',
  '2': 'string',
  '3': 'object',
  '7': 'objectId',
  '8': 'bool',
  '9': 'date',
  '16': 'int',
  '18': 'long',
};

function typeMatches(v: unknown, t: unknown): boolean {
  const name = TYPE_NUMBERS[String(t)] ?? String(t);
  if (name === 'number') return typeRank(v) === 3;
  return bsonTypeName(v) === name || (name === 'double' && typeof v === 'number' && !Number.isInteger(v));
}

/** Ids (possibly repeated, for multikey indexes) produced by an index scan, in plan order. */
export function* scanIndex(plan: Plan, stats: { keys: number }): Generator<string> {
  const index = plan.index!;
  // An empty $in on an indexed field leaves no combination to scan: nothing matches.
  const p = plan.combos[0]?.length ?? 0;
  const fieldDir = index.fields[p]?.dir ?? 1;
  const range = plan.range;
  // In index order, the bound met first when scanning ascending:
  const [firstSat, lastSat] =
    fieldDir === 1
      ? [(x: unknown) => satisfiesLo(x, range?.lo), (x: unknown) => satisfiesHi(x, range?.hi)]
      : [(x: unknown) => satisfiesHi(x, range?.hi), (x: unknown) => satisfiesLo(x, range?.lo)];
  for (const combo of plan.combos) {
    if (plan.dir === 1) {
      for (const e of index.entries.ascending((x: Entry) => index.compareKey(x.k, combo) || (range && !firstSat(x.k[p]) ? -1 : 0))) {
        stats.keys++;
        if (index.compareKey(e.k, combo) !== 0) break;
        if (range && !lastSat(e.k[p])) break;
        if (range && !firstSat(e.k[p])) continue;
        yield e.id;
      }
    } else {
      for (const e of index.entries.descending((x: Entry) => index.compareKey(x.k, combo) || (range && !lastSat(x.k[p]) ? 1 : 0))) {
        stats.keys++;
        if (index.compareKey(e.k, combo) !== 0) break;
        if (range && !firstSat(e.k[p])) break;
        if (range && !lastSat(e.k[p])) continue;
        yield e.id;
      }
    }
  }
}
