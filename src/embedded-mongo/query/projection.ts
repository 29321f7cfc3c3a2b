/**
 * find/findAndModify projections on stored documents: inclusion or exclusion of (dotted) fields,
 * `$slice`, `$elemMatch` and `{ $meta: 'textScore' }`. Projections with aggregation expressions
 * are handed to mingo's `$project`.
 */
import { MongoCommandError } from '../errors';
import { isPlainObject, toNumber, toView, toViewCopy, type Doc } from '../values';
import { mingoOptions, newAggregator, newQuery } from './matcher';

type Tree = { [k: string]: true | Tree };

interface Special {
  path: string;
  slice?: [number, number | undefined];
  elemMatch?: ReturnType<typeof newQuery>;
  meta?: boolean;
}

export interface Projector {
  apply(doc: Doc, textScore?: number): Doc;
}

function addPath(tree: Tree, path: string): void {
  const parts = path.split('.');
  let t = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const cur = t[parts[i]!];
    if (cur === true) return;
    t = t[parts[i]!] = cur ?? {};
  }
  t[parts[parts.length - 1]!] = true;
}

function include(v: unknown, tree: Tree): unknown {
  if (Array.isArray(v)) return v.filter((e) => isPlainObject(e) || Array.isArray(e)).map((e) => include(e, tree));
  if (!isPlainObject(v)) return undefined;
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    const t = tree[k];
    if (t === true) out[k] = v[k];
    else if (t) {
      const sub = include(v[k], t);
      if (sub !== undefined) out[k] = sub;
    }
  }
  return out;
}

function exclude(v: unknown, tree: Tree): unknown {
  if (Array.isArray(v)) return v.map((e) => (isPlainObject(e) || Array.isArray(e) ? exclude(e, tree) : e));
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    const t = tree[k];
    if (t === true) continue;
    out[k] = t ? exclude(v[k], t) : v[k];
  }
  return out;
}

function isExpression(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return !(keys.length === 1 && ['$slice', '$elemMatch', '$meta'].includes(keys[0]!));
}

/** `variables`: the command's resolved `let`, which projection expressions may use. */
export function compileProjection(spec: unknown, variables?: Doc): Projector | null {
  if (spec === undefined || spec === null) return null;
  if (!isPlainObject(spec)) throw new MongoCommandError('TypeMismatch', 'projection must be an object');
  const entries = Object.entries(spec);
  if (entries.length === 0) return null;
  if (entries.some(([, v]) => isExpression(v))) {
    const agg = newAggregator([{ $project: toView(spec) }], mingoOptions({ variables }));
    return { apply: (doc) => agg.run([toViewCopy(doc) as Doc])[0] ?? {} };
  }
  const tree: Tree = {};
  const specials: Special[] = [];
  let inclusion: boolean | undefined;
  let idOff = false;
  for (const [path, v] of entries) {
    if (isPlainObject(v)) {
      if ('$slice' in v) {
        const s = v.$slice;
        const slice: [number, number | undefined] = Array.isArray(s) ? [toNumber(s[0]), toNumber(s[1])] : [toNumber(s), undefined];
        specials.push({ path, slice });
      } else if ('$elemMatch' in v) {
        specials.push({ path, elemMatch: newQuery(toView(v.$elemMatch) as Doc, mingoOptions()) });
        inclusion ??= true;
      } else if (v.$meta === 'textScore') {
        specials.push({ path, meta: true });
      } else {
        throw new MongoCommandError('BadValue', `Unsupported projection option: ${path}: ${JSON.stringify(v)}`);
      }
      continue;
    }
    const on = typeof v === 'boolean' ? v : toNumber(v) !== 0;
    if (path === '_id') {
      idOff = !on;
      if (on) addPath(tree, '_id');
      continue;
    }
    const p = path.endsWith('.$') ? path.slice(0, -2) : path;
    if (inclusion !== undefined && inclusion !== on) {
      throw new MongoCommandError(
        on ? 31253 : 31254,
        on
          ? `Cannot do inclusion on field ${path} in exclusion projection`
          : `Cannot do exclusion on field ${path} in inclusion projection`,
      );
    }
    inclusion = on;
    addPath(tree, p);
  }
  if (inclusion === undefined) inclusion = !idOff && Object.keys(tree).length > 0 && specials.every((s) => !s.slice);
  if (inclusion) {
    if (idOff) delete tree._id;
    else tree._id = true;
    for (const s of specials) if (s.elemMatch || s.slice) addPath(tree, s.path);
  } else if (idOff) tree._id = true;
  const isInclusion = inclusion;

  return {
    apply: (doc, textScore) => {
      const out = (isInclusion ? include(doc, tree) : exclude(doc, tree)) as Doc;
      for (const s of specials) {
        if (s.meta) {
          out[s.path] = textScore ?? 0;
        } else if (s.elemMatch) {
          const arr = doc[s.path];
          const hit = Array.isArray(arr) ? arr.find((e) => s.elemMatch!.test(toView(e) as Doc)) : undefined;
          if (hit === undefined) delete out[s.path];
          else out[s.path] = [hit];
        } else if (s.slice) {
          const arr = out[s.path];
          if (!Array.isArray(arr)) continue;
          const [a, b] = s.slice;
          if (b === undefined) out[s.path] = a >= 0 ? arr.slice(0, a) : arr.slice(a);
          else {
            const start = a >= 0 ? a : Math.max(arr.length + a, 0);
            out[s.path] = arr.slice(start, start + b);
          }
        }
      }
      return out;
    },
  };
}
