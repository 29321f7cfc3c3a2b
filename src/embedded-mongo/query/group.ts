/**
 * `$group` without mingo for its commonest shape, as a pipeline's first stage after the find:
 * the key is a top-level field or a constant, and the accumulators are `$sum` (of a field or a
 * number), `$avg` (of a field) and `$count`. It reads the stored documents' query form (see
 * viewOf) without copying them, and answers as mingo's `$group` does (which answers as MongoDB
 * does for these): null and missing keys form one group, numbers equal across types form one
 * group, non-numeric values are left out of sums and averages, an average of no number is null,
 * groups come out in the order their first document was read. Anything else (nested or computed
 * keys, other accumulators, keys that are documents or arrays, a collation) is left to mingo.
 */
import { ObjectId } from 'bson';
import { isPlainObject, keyString, type Doc } from '../values';

type Accumulator =
  | { kind: 'count'; field: string }
  | { kind: 'sumConst'; field: string; value: number }
  | { kind: 'sum'; field: string; path: string }
  | { kind: 'avg'; field: string; path: string };

interface Spec {
  /** The key's top-level field, or undefined for a constant key. */
  keyPath: string | undefined;
  keyConst: unknown;
  accumulators: Accumulator[];
}

/** A `$field` naming a top-level field (no `$$` variables, no dotted paths). */
function topLevelPath(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length < 2 || v[0] !== '$' || v[1] === '$' || v.includes('.')) return undefined;
  return v.slice(1);
}

function parseSpec(spec: unknown): Spec | undefined {
  if (!isPlainObject(spec) || !('_id' in spec)) return undefined;
  const id = spec._id;
  const keyPath = topLevelPath(id);
  const constant = id === null || typeof id === 'number' || typeof id === 'boolean' || (typeof id === 'string' && id[0] !== '$');
  if (keyPath === undefined && !constant) return undefined;
  const accumulators: Accumulator[] = [];
  for (const field of Object.keys(spec)) {
    if (field === '_id') continue;
    if (field.length === 0 || field.includes('.') || field[0] === '$') return undefined;
    const acc = spec[field];
    if (!isPlainObject(acc)) return undefined;
    const ops = Object.keys(acc);
    if (ops.length !== 1) return undefined;
    const arg = acc[ops[0]!];
    const path = topLevelPath(arg);
    if (ops[0] === '$count' && isPlainObject(arg) && Object.keys(arg).length === 0) accumulators.push({ kind: 'count', field });
    else if (ops[0] === '$sum' && typeof arg === 'number' && Number.isFinite(arg))
      accumulators.push({ kind: 'sumConst', field, value: arg });
    else if (ops[0] === '$sum' && path !== undefined) accumulators.push({ kind: 'sum', field, path });
    else if (ops[0] === '$avg' && path !== undefined) accumulators.push({ kind: 'avg', field, path });
    else return undefined;
  }
  return { keyPath, keyConst: id, accumulators };
}

/** What keyOf answers for a key this path leaves to mingo. */
const NOT_A_KEY = Symbol('not a key');

/** A key this path may keep: one that is not shared mutable state of a stored document. */
function keyOf(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof ObjectId) return v;
  return NOT_A_KEY;
}

interface Group {
  key: unknown;
  /** Per accumulator: the running sum (or count). */
  sums: number[];
  /** Per accumulator: how many numbers an average has taken. */
  counts: number[];
}

/**
 * The grouping `stage` describes, as a function of the input documents' query forms, when it is
 * of the shape above; the function answers undefined when a key turns out not to be (the caller
 * then runs the stage through mingo).
 */
export function nativeGroup(stage: Doc): ((views: Doc[]) => Doc[] | undefined) | undefined {
  if (Object.keys(stage).length !== 1 || !('$group' in stage)) return undefined;
  const spec = parseSpec(stage.$group);
  if (!spec) return undefined;
  const { keyPath, keyConst, accumulators } = spec;
  return (views) => {
    const groups = new Map<string, Group>();
    for (const view of views) {
      const key = keyOf(keyPath === undefined ? keyConst : view[keyPath]);
      if (key === NOT_A_KEY) return undefined;
      const k = keyString(key);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { key, sums: accumulators.map(() => 0), counts: accumulators.map(() => 0) }));
      for (let i = 0; i < accumulators.length; i++) {
        const acc = accumulators[i]!;
        if (acc.kind === 'count') g.sums[i] = g.sums[i]! + 1;
        else if (acc.kind === 'sumConst') g.sums[i] = g.sums[i]! + acc.value;
        else {
          const v = view[acc.path];
          if (typeof v !== 'number') continue;
          g.sums[i] = g.sums[i]! + v;
          g.counts[i] = g.counts[i]! + 1;
        }
      }
    }
    return [...groups.values()].map((g) => {
      const out: Doc = { _id: g.key };
      accumulators.forEach((acc, i) => {
        out[acc.field] = acc.kind === 'avg' ? (g.counts[i] === 0 ? null : g.sums[i]! / g.counts[i]!) : g.sums[i]!;
      });
      return out;
    });
  };
}
