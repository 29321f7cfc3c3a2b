/** Sort specifications and MongoDB's document ordering (arrays sort by their min or max element). */
import { MongoCommandError } from '../errors';
import { compareValues, isPlainObject, toNumber, valuesAtPath, type Doc } from '../values';

export interface SortKey {
  path: string;
  dir: 1 | -1;
  /** `{ $meta: 'textScore' }`: ordered by the text score, highest first. */
  meta?: 'textScore';
}

export function parseSort(spec: unknown): SortKey[] {
  if (spec === undefined || spec === null) return [];
  if (!isPlainObject(spec)) throw new MongoCommandError('TypeMismatch', 'Expected field sort to be of type object');
  return Object.entries(spec).map(([path, v]) => {
    if (isPlainObject(v)) {
      if (v.$meta === 'textScore') return { path, dir: -1 as const, meta: 'textScore' as const };
      throw new MongoCommandError('BadValue', `Illegal key in $sort specification: ${path}: ${JSON.stringify(v)}`);
    }
    const n = toNumber(v);
    if (n !== 1 && n !== -1) {
      throw new MongoCommandError('BadValue', '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    return { path, dir: n as 1 | -1 };
  });
}

type Compare = (a: unknown, b: unknown) => number;

/** The value a document sorts by on `path`; `cmp` is a collation's comparison, when there is one. */
export function sortValue(doc: Doc, path: string, dir: 1 | -1, cmp: Compare = compareValues): unknown {
  const { values } = valuesAtPath(doc, path);
  let best: unknown = values[0] ?? null;
  for (let i = 1; i < values.length; i++) {
    const c = cmp(values[i], best);
    if ((dir === 1 && c < 0) || (dir === -1 && c > 0)) best = values[i];
  }
  return best === undefined ? null : best;
}

/** Sorts stored documents in place; `score` supplies text scores for `$meta` keys, `cmp` a collation's order. */
export function sortDocs<T>(
  items: T[],
  keys: SortKey[],
  docOf: (t: T) => Doc,
  score?: (t: T) => number,
  cmp: Compare = compareValues,
): T[] {
  if (keys.length === 0) return items;
  const decorated = items.map((item) => ({
    item,
    k: keys.map((k) => (k.meta ? (score?.(item) ?? 0) : sortValue(docOf(item), k.path, k.dir, cmp))),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = cmp(a.k[i], b.k[i]);
      if (c !== 0) return c * keys[i]!.dir;
    }
    return 0;
  });
  for (let i = 0; i < items.length; i++) items[i] = decorated[i]!.item;
  return items;
}
