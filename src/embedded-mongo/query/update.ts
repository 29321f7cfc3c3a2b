/**
 * Update documents: operator updates ($set, $inc, $push, ... with positional `$`, `$[]` and
 * `$[id]` paths), replacements and pipeline updates, plus the document an upsert inserts.
 * Stored documents are never mutated: the update works on a clone and returns it.
 */
import { Decimal128, Double, Long, ObjectId, Timestamp } from 'bson';
import { MongoCommandError } from '../errors';
import {
  cloneValue,
  compareValues,
  isNumeric,
  isPlainObject,
  keyString,
  parseDecimal,
  toNumber,
  toView,
  toViewCopy,
  type Doc,
} from '../values';
import { mingoOptions, newAggregator, newQuery } from './matcher';
import { expressionError } from './variables';

export type UpdateSpec = { kind: 'ops'; ops: Doc } | { kind: 'replace'; doc: Doc } | { kind: 'pipeline'; stages: Doc[] };

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$setOnInsert',
  '$bit',
]);

export function parseUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject)) throw new MongoCommandError('FailedToParse', 'Each element of the update pipeline must be an object');
    return { kind: 'pipeline', stages: u };
  }
  if (!isPlainObject(u)) throw new MongoCommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) return { kind: 'replace', doc: u };
  if (ops.length !== keys.length) {
    throw new MongoCommandError(
      'FailedToParse',
      `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  const targets: string[] = [];
  for (const op of ops) {
    if (!OPERATORS.has(op)) {
      throw new MongoCommandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    const args = u[op];
    if (!isPlainObject(args)) {
      throw new MongoCommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeof args} instead. For example: {$mod: {<field>: ...}} not {${op}: ${JSON.stringify(args)}}`,
      );
    }
    for (const path of Object.keys(args)) {
      targets.push(path);
      if (op === '$rename') targets.push(String(args[path]));
    }
  }
  const norm = targets.map((t) =>
    t
      .split('.')
      .filter((p) => !p.startsWith('$'))
      .join('.'),
  );
  for (let i = 0; i < norm.length; i++) {
    for (let j = 0; j < norm.length; j++) {
      if (i !== j && (norm[i] === norm[j] || norm[j]!.startsWith(norm[i] + '.'))) {
        throw new MongoCommandError(
          'ConflictingUpdateOperators',
          `Updating the path '${targets[j]}' would create a conflict at '${norm[i]}'`,
        );
      }
    }
  }
  return { kind: 'ops', ops: u };
}

export interface UpdateContext {
  /** The query filter in query form, for the positional `$` operator. */
  filter: Doc;
  arrayFilters?: Doc[];
  isInsert: boolean;
  /** The command's resolved `let`, for pipeline updates. */
  variables?: Doc | undefined;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isNumeric(v)) return 'number';
  if (typeof v === 'object') return (v as { _bsontype?: string })._bsontype?.toLowerCase() ?? 'object';
  return typeof v;
}

const isInt = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2147483647) || (v as { _bsontype?: string })?._bsontype === 'Int32';

function arith(a: unknown, b: unknown, op: '+' | '*'): unknown {
  const ta = (a as { _bsontype?: string })?._bsontype;
  const tb = (b as { _bsontype?: string })?._bsontype;
  if (ta === 'Decimal128' || tb === 'Decimal128') return decimalArith(a, b, op);
  if (ta === 'Long' || tb === 'Long' || (isInt(a) && isInt(b))) {
    if ((ta === 'Long' || isInt(a)) && (tb === 'Long' || isInt(b))) {
      const x = BigInt(ta === 'Long' ? (a as Long).toString() : toNumber(a));
      const y = BigInt(tb === 'Long' ? (b as Long).toString() : toNumber(b));
      const r = op === '+' ? x + y : x * y;
      if (ta !== 'Long' && tb !== 'Long' && r >= -2147483648n && r <= 2147483647n) return Number(r);
      return Long.fromBigInt(r);
    }
  }
  const r = op === '+' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
  return Number.isInteger(r) && Math.abs(r) <= 2147483647 ? new Double(r) : r;
}

/** A decimal as coefficient x 10^exponent, exact. */
function toDecimalParts(v: unknown): { c: bigint; e: number } {
  const text = (v as { _bsontype?: string })?._bsontype === 'Decimal128' ? String(v) : String(toNumber(v));
  const parts = parseDecimal(text);
  if (!parts) throw new MongoCommandError('TypeMismatch', `cannot do decimal arithmetic on ${text}`);
  return parts;
}

function decimalArith(a: unknown, b: unknown, op: '+' | '*'): Decimal128 {
  const x = toDecimalParts(a);
  const y = toDecimalParts(b);
  let c: bigint;
  let e: number;
  if (op === '*') {
    c = x.c * y.c;
    e = x.e + y.e;
  } else {
    e = Math.min(x.e, y.e);
    c = x.c * 10n ** BigInt(x.e - e) + y.c * 10n ** BigInt(y.e - e);
  }
  return Decimal128.fromString(`${c}E${e}`);
}

type Container = Doc | unknown[];

class Updater {
  private positional: number | undefined;

  constructor(
    private readonly doc: Doc,
    private readonly ctx: UpdateContext,
  ) {}

  private idText(): string {
    return `{_id: ${JSON.stringify(toView(this.doc._id))}}`;
  }

  private positionalIndex(arrayPath: string, arr: unknown[]): number {
    if (this.positional !== undefined) return this.positional;
    const conds: Doc = {};
    const visit = (f: Doc): void => {
      for (const [k, v] of Object.entries(f)) {
        if (k === '$and' && Array.isArray(v)) v.forEach((s) => isPlainObject(s) && visit(s));
        else if (k === arrayPath || k.startsWith(arrayPath + '.')) conds[k] = v;
      }
    };
    visit(this.ctx.filter);
    if (Object.keys(conds).length > 0) {
      const q = newQuery(conds, mingoOptions());
      for (let i = 0; i < arr.length; i++) {
        const probe: Doc = {};
        let t = probe;
        const parts = arrayPath.split('.');
        parts.forEach((p, j) => {
          if (j === parts.length - 1) t[p] = [toView(arr[i])];
          else t = (t[p] = {}) as Doc;
        });
        if (q.test(probe)) return (this.positional = i);
      }
    }
    throw new MongoCommandError('BadValue', 'The positional operator did not find the match needed from the query.');
  }

  private filteredIndexes(id: string, arr: unknown[]): number[] {
    const spec = (this.ctx.arrayFilters ?? []).find((f) => Object.keys(f).some((k) => k === id || k.startsWith(id + '.')));
    if (!spec) throw new MongoCommandError('BadValue', `No array filter found for identifier '${id}' in path`);
    const renamed: Doc = {};
    for (const [k, v] of Object.entries(toView(spec) as Doc)) renamed['x' + k.slice(id.length)] = v;
    const q = newQuery(renamed, mingoOptions());
    const out: number[] = [];
    arr.forEach((e, i) => {
      if (q.test({ x: toView(e) })) out.push(i);
    });
    return out;
  }

  /** Calls `fn(container, key)` for every location `path` names, creating parents if `create`. */
  visit(path: string, create: boolean, fn: (c: Container, key: string) => void): void {
    const parts = path.split('.');
    const walk = (c: Container, i: number, prefix: string): void => {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      if (Array.isArray(c)) {
        let idxs: number[];
        if (part === '$') idxs = [this.positionalIndex(prefix, c)];
        else if (part === '$[]') idxs = c.map((_e, j) => j);
        else if (part.startsWith('$[') && part.endsWith(']')) idxs = this.filteredIndexes(part.slice(2, -1), c);
        else if (/^\d+$/.test(part)) idxs = [Number(part)];
        else
          throw new MongoCommandError(
            'PathNotViable',
            `Cannot create field '${part}' in element {${prefix}: ${JSON.stringify(toView(c))}}`,
          );
        for (const j of idxs) {
          if (last) fn(c, String(j));
          else this.descend(c, String(j), create, (child) => walk(child, i + 1, `${prefix}.${part}`));
        }
        return;
      }
      if (part.startsWith('$'))
        throw new MongoCommandError('BadValue', `The positional operator did not find the match needed from the query.`);
      if (last) fn(c, part);
      else this.descend(c, part, create, (child) => walk(child, i + 1, prefix ? `${prefix}.${part}` : part));
    };
    walk(this.doc, 0, '');
  }

  private descend(c: Container, key: string, create: boolean, next: (child: Container) => void): void {
    const holder = c as Record<string, unknown>;
    let child = holder[key];
    if (child === undefined || child === null) {
      if (!create) return;
      if (Array.isArray(c)) while (c.length < Number(key)) c.push(null);
      child = holder[key] = {};
    }
    if (!isPlainObject(child) && !Array.isArray(child)) {
      if (!create) return;
      throw new MongoCommandError('PathNotViable', `Cannot create field '${key}' in element {${key}: ${JSON.stringify(toView(child))}}`);
    }
    next(child as Container);
  }

  static setIn(c: Container, key: string, v: unknown): void {
    if (Array.isArray(c)) {
      const j = Number(key);
      while (c.length < j) c.push(null);
      c[j] = v;
    } else c[key] = v;
  }

  apply(ops: Doc): void {
    for (const [op, args] of Object.entries(ops)) {
      if (op === '$setOnInsert' && !this.ctx.isInsert) continue;
      for (const [path, arg] of Object.entries(args as Doc)) this.applyOne(op, path, arg);
    }
  }

  private applyOne(op: string, path: string, arg: unknown): void {
    switch (op) {
      case '$set':
      case '$setOnInsert':
        return this.visit(path, true, (c, k) => Updater.setIn(c, k, cloneValue(arg)));
      case '$unset':
        return this.visit(path, false, (c, k) => {
          if (Array.isArray(c)) {
            if (Number(k) < c.length) c[Number(k)] = null;
          } else delete c[k];
        });
      case '$inc':
      case '$mul':
        if (!isNumeric(arg)) {
          throw new MongoCommandError(
            'TypeMismatch',
            `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(toView(arg))}}`,
          );
        }
        return this.visit(path, true, (c, k) => {
          const cur = (c as Record<string, unknown>)[k];
          if (cur === undefined) return Updater.setIn(c, k, op === '$inc' ? arg : arith(arg, 0, '*'));
          if (!isNumeric(cur)) {
            throw new MongoCommandError(
              'TypeMismatch',
              `Cannot apply ${op} to a value of non-numeric type. ${this.idText()} has the field '${k}' of non-numeric type ${typeName(cur)}`,
            );
          }
          Updater.setIn(c, k, arith(cur, arg, op === '$inc' ? '+' : '*'));
        });
      case '$min':
      case '$max':
        return this.visit(path, true, (c, k) => {
          const cur = (c as Record<string, unknown>)[k];
          const cmp = compareValues(arg, cur);
          if (cur === undefined || (op === '$min' ? cmp < 0 : cmp > 0)) Updater.setIn(c, k, cloneValue(arg));
        });
      case '$currentDate': {
        const wantTs = isPlainObject(arg) && arg.$type === 'timestamp';
        const now = wantTs ? new Timestamp({ t: Math.floor(Date.now() / 1000), i: 1 }) : new Date();
        return this.visit(path, true, (c, k) => Updater.setIn(c, k, now));
      }
      case '$rename': {
        if (typeof arg !== 'string' || arg === path)
          throw new MongoCommandError('BadValue', `The 'to' field for $rename must be a string: ${path}: ${String(arg)}`);
        let moved: unknown;
        let found = false;
        this.visit(path, false, (c, k) => {
          if (Array.isArray(c))
            throw new MongoCommandError(
              'BadValue',
              `The source field cannot be an array element, '${path}' in doc with _id has an array field called '${k}'`,
            );
          if (k in c) {
            moved = c[k];
            found = true;
            delete c[k];
          }
        });
        if (found) this.visit(arg, true, (c, k) => Updater.setIn(c, k, moved));
        return;
      }
      case '$push':
      case '$addToSet':
        return this.visit(path, true, (c, k) => this.pushTo(op, c, k, path, arg));
      case '$pop':
        return this.visit(path, false, (c, k) => {
          const cur = (c as Record<string, unknown>)[k];
          if (cur === undefined) return;
          if (!Array.isArray(cur))
            throw new MongoCommandError('TypeMismatch', `Path '${path}' contains an element of non-array type '${typeName(cur)}'`);
          if (toNumber(arg) >= 0) cur.pop();
          else cur.shift();
        });
      case '$pull':
      case '$pullAll':
        return this.visit(path, false, (c, k) => {
          const cur = (c as Record<string, unknown>)[k];
          if (cur === undefined) return;
          if (!Array.isArray(cur)) throw new MongoCommandError('BadValue', 'Cannot apply $pull to a non-array value');
          const remove = op === '$pullAll' ? pullAllMatcher(arg) : pullMatcher(arg);
          Updater.setIn(
            c,
            k,
            cur.filter((e) => !remove(e)),
          );
        });
      case '$bit':
        return this.visit(path, true, (c, k) => {
          let cur = toNumber((c as Record<string, unknown>)[k] ?? 0);
          for (const [bop, v] of Object.entries(arg as Doc)) {
            const n = toNumber(v);
            if (bop === 'and') cur &= n;
            else if (bop === 'or') cur |= n;
            else if (bop === 'xor') cur ^= n;
            else throw new MongoCommandError('BadValue', `The $bit modifier only supports 'and', 'or', and 'xor', not '${bop}'`);
          }
          Updater.setIn(c, k, cur);
        });
      default:
        throw new MongoCommandError('FailedToParse', `Unknown modifier: ${op}`);
    }
  }

  private pushTo(op: string, c: Container, k: string, path: string, arg: unknown): void {
    const holder = c as Record<string, unknown>;
    let cur = holder[k];
    if (cur === undefined) cur = [];
    if (!Array.isArray(cur)) {
      throw new MongoCommandError(
        'BadValue',
        `The field '${path}' must be an array but is of type ${typeName(cur)} in document ${this.idText()}`,
      );
    }
    const hasEach = isPlainObject(arg) && '$each' in arg;
    const items = hasEach ? ((arg as Doc).$each as unknown[]) : [arg];
    if (!Array.isArray(items)) throw new MongoCommandError('BadValue', `The argument to $each in ${op} must be an array`);
    const arr = [...cur];
    if (op === '$addToSet') {
      for (const it of items) if (!arr.some((e) => compareValues(e, it) === 0)) arr.push(cloneValue(it));
    } else {
      const opts = hasEach ? (arg as Doc) : {};
      const pos = opts.$position === undefined ? arr.length : toNumber(opts.$position);
      const at = pos < 0 ? Math.max(arr.length + pos, 0) : Math.min(pos, arr.length);
      arr.splice(at, 0, ...items.map(cloneValue));
      if (opts.$sort !== undefined) sortArray(arr, opts.$sort);
      if (opts.$slice !== undefined) {
        const n = toNumber(opts.$slice);
        const sliced = n >= 0 ? arr.slice(0, n) : arr.slice(n);
        arr.length = 0;
        arr.push(...sliced);
      }
    }
    Updater.setIn(c, k, arr);
  }
}

function sortArray(arr: unknown[], spec: unknown): void {
  if (isPlainObject(spec)) {
    const keys = Object.entries(spec).map(([p, d]) => [p, toNumber(d)] as const);
    arr.sort((a, b) => {
      for (const [p, d] of keys) {
        const c = compareValues(isPlainObject(a) ? a[p] : undefined, isPlainObject(b) ? b[p] : undefined);
        if (c !== 0) return c * d;
      }
      return 0;
    });
  } else {
    const d = toNumber(spec);
    arr.sort((a, b) => compareValues(a, b) * d);
  }
}

function pullAllMatcher(arg: unknown): (e: unknown) => boolean {
  if (!Array.isArray(arg)) throw new MongoCommandError('BadValue', '$pullAll requires an array argument');
  return (e) => arg.some((v) => compareValues(e, v) === 0);
}

function pullMatcher(arg: unknown): (e: unknown) => boolean {
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const view = toView(arg) as Doc;
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
      const q = newQuery({ v: view }, mingoOptions());
      return (e) => q.test({ v: toView(e) });
    }
    const q = newQuery(view, mingoOptions());
    return (e) => isPlainObject(e) && q.test(toView(e) as Doc);
  }
  return (e) => compareValues(e, arg) === 0;
}

/**
 * A pipeline's output for `doc`: like MongoDB, one without _id (a `$replaceRoot` to a subdocument)
 * keeps the document's _id, first; an unchanged _id keeps its stored type.
 */
function keepId(doc: Doc, out: Doc): Doc {
  if (doc._id === undefined) return out;
  if (out._id === undefined) return { _id: doc._id, ...out };
  if (keyString(out._id) === keyString(doc._id)) out._id = doc._id;
  return out;
}

/** Applies `spec` to a stored document; returns the new document (a fresh object). */
export function applyUpdate(doc: Doc, spec: UpdateSpec, ctx: UpdateContext): Doc {
  let out: Doc;
  try {
    if (spec.kind === 'replace') {
      out = { _id: doc._id, ...cloneValue(spec.doc) };
      if (spec.doc._id === undefined) out._id = doc._id;
    } else if (spec.kind === 'pipeline') {
      const agg = newAggregator(toView(spec.stages) as Doc[], mingoOptions({ variables: ctx.variables }));
      out = keepId(doc, agg.run([toViewCopy(doc) as Doc])[0] ?? {});
    } else {
      out = cloneValue(doc);
      new Updater(out, ctx).apply(spec.ops);
    }
  } catch (err) {
    throw expressionError(err);
  }
  if (doc._id !== undefined && keyString(out._id) !== keyString(doc._id)) {
    throw new MongoCommandError('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
  return out;
}

/** The document an upsert starts from: the filter's equality fields (with their stored types). */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  const visit = (f: Doc): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        v.forEach((s) => isPlainObject(s) && visit(s));
        continue;
      }
      if (k.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
        if (!('$eq' in v)) continue;
        value = v.$eq;
      } else value = v;
      const parts = k.split('.');
      let t = seed;
      for (let i = 0; i < parts.length - 1; i++) {
        const next = t[parts[i]!];
        if (!isPlainObject(next)) t[parts[i]!] = {};
        t = t[parts[i]!] as Doc;
      }
      t[parts[parts.length - 1]!] = cloneValue(value);
    }
  };
  visit(filter);
  return seed;
}

/** The document an upsert inserts when nothing matched. */
export function buildUpsert(filter: Doc, filterView: Doc, spec: UpdateSpec, arrayFilters?: Doc[], variables?: Doc): Doc {
  let doc: Doc;
  if (spec.kind === 'replace') {
    doc = cloneValue(spec.doc);
    const seedId = upsertSeed(filter)._id;
    if (doc._id === undefined && seedId !== undefined) doc = { _id: seedId, ...doc };
  } else {
    doc = applyUpdate(upsertSeed(filter), spec, {
      filter: filterView,
      isInsert: true,
      variables,
      ...(arrayFilters ? { arrayFilters } : {}),
    });
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  return doc;
}
