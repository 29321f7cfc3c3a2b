/**
 * BSON values as the embedded server keeps them, and MongoDB's rules for comparing them.
 *
 * Stored form: numbers that BSON would serialise back with the same type are plain JS numbers
 * (int32 values, non-integral doubles, doubles outside the int32 range); an integral double inside
 * the int32 range stays a `Double` so it is not re-serialised as int32; `Long` and `Decimal128`
 * stay as they are. Everything else is what `bson.deserialize` produces.
 *
 * Query form ("view"): mingo compares JS numbers only, so numeric wrappers become numbers.
 */
import type { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';

export type Doc = Record<string, unknown>;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? undefined) : undefined;
}

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  const t = bsontype(v);
  return t === 'Double' || t === 'Int32' || t === 'Long' || t === 'Decimal128';
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  switch (bsontype(v)) {
    case 'Double':
    case 'Int32':
      return (v as Double).value;
    case 'Long':
      return (v as Long).toNumber();
    case 'Decimal128':
      return Number((v as Decimal128).toString());
    default:
      return NaN;
  }
}

/** Converts a freshly deserialised (promoteValues: false) value into the stored form, in place. */
export function fromWire(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromWire(v[i]);
    return v;
  }
  switch (bsontype(v)) {
    case 'Int32':
      return (v as Int32).value;
    case 'Double': {
      const n = (v as Double).value;
      return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0) ? v : n;
    }
    case undefined:
      break;
    default:
      return v;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) v[k] = fromWire(v[k]);
  }
  return v;
}

/** Query form of a value: numeric wrappers become numbers. Shares unchanged sub-trees. */
export function toView(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = toView(v[i]);
      if (c !== v[i] && !out) out = v.slice(0, i);
      if (out) out.push(c);
    }
    return out ?? v;
  }
  if (isNumeric(v)) return toNumber(v);
  if (!isPlainObject(v)) return v;
  let out: Doc | undefined;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const c = toView(v[k]);
    if (c !== v[k] && !out) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = v[keys[j]!];
    }
    if (out) out[k] = c;
  }
  return out ?? v;
}

/** Query form with fresh containers, for code (mingo's pipeline stages) that may mutate its input. */
export function toViewCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toViewCopy);
  if (isNumeric(v)) return toNumber(v);
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = toViewCopy(v[k]);
  return out;
}

/** Deep copy of plain containers; BSON value objects are immutable and shared. */
export function cloneValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = cloneValue(v[k]);
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// BSON type order: MinKey, null, numbers, strings, objects, arrays, binary, ObjectId, booleans,
// dates, timestamps, regular expressions, code, MaxKey.

export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    default:
      break;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  switch (bsontype(v)) {
    case 'MinKey':
      return 1;
    case 'Double':
    case 'Int32':
    case 'Long':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'Code':
      return 13;
    case 'MaxKey':
      return 14;
    default:
      return 5;
  }
}

function cmpPrim(a: number | string | bigint, b: number | string | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A Long as a bigint; bson's own toBigInt formats the number as text first, which costs more than the rest of a small command. */
export function longToBigInt(v: Long): bigint {
  const n = v.toNumber();
  return Number.isSafeInteger(n) ? BigInt(n) : v.toBigInt();
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (bsontype(v) === 'Long') return longToBigInt(v as Long);
  if (bsontype(v) === 'Int32') return BigInt((v as Int32).value);
  if (bsontype(v) === 'Double') {
    const n = (v as Double).value;
    return Number.isSafeInteger(n) ? BigInt(n) : undefined;
  }
  return undefined;
}

/** A decimal's text (`-12.5`, `1E+3`) as coefficient x 10^exponent, exactly; undefined if it is not one. */
export function parseDecimal(text: string): { c: bigint; e: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:E([+-]?\d+))?$/i.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  return { c: BigInt((m[1] === '-' ? '-' : '') + ((m[2] ?? '') + frac || '0')), e: Number(m[4] ?? 0) - frac.length };
}

/** The exact value of a finite number as coefficient x 10^exponent (doubles expanded exactly). */
function exactDecimal(v: unknown): { c: bigint; e: number } | undefined {
  if (bsontype(v) === 'Decimal128') return parseDecimal(String(v));
  const big = asBigInt(v);
  if (big !== undefined) return { c: big, e: 0 };
  const n = toNumber(v);
  if (!Number.isFinite(n)) return undefined;
  // n = mantissa * 2^exp exactly; 2^-k = 5^k / 10^k.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, n);
  const bits = buf.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const rawExp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp: number;
  if (rawExp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = rawExp - 1075;
  }
  if (exp >= 0) return { c: sign * mant * (1n << BigInt(exp)), e: 0 };
  return { c: sign * mant * 5n ** BigInt(-exp), e: exp };
}

function compareExact(a: { c: bigint; e: number }, b: { c: bigint; e: number }): number {
  const e = Math.min(a.e, b.e);
  return cmpPrim(a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e));
}

function compareNumbers(a: unknown, b: unknown): number {
  if (bsontype(a) === 'Decimal128' || bsontype(b) === 'Decimal128') {
    const x = exactDecimal(a);
    const y = exactDecimal(b);
    if (x && y) return compareExact(x, y);
  }
  const ba = asBigInt(a);
  const bb = ba === undefined ? undefined : asBigInt(b);
  if (ba !== undefined && bb !== undefined) return cmpPrim(ba, bb);
  const x = toNumber(a);
  const y = toNumber(b);
  // MongoDB orders NaN below every other number.
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return cmpPrim(x, y);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return cmpPrim(a.length, b.length);
}

/** Compares two values the way MongoDB orders them (no collation). */
export function compareValues(a: unknown, b: unknown): number {
  // Index scans and sorts compare ids, strings, dates and numbers of one type far more than
  // anything else: those pairs are answered before ranking the types (same result).
  const t = typeof a;
  if (t === typeof b) {
    if (t === 'string') return cmpPrim(a as string, b as string);
    if (t === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return cmpPrim(a as number, b as number);
    if (t === 'object' && a !== null && b !== null) {
      if ((a as ObjectId)._bsontype === 'ObjectId' && (b as ObjectId)._bsontype === 'ObjectId') {
        return compareBytes((a as ObjectId).id, (b as ObjectId).id);
      }
      if (a instanceof Date && b instanceof Date) return cmpPrim(a.getTime(), b.getTime());
    }
  }
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 14:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return cmpPrim(String(a), String(b));
    case 5:
      return compareObjects(a as Doc, b as Doc);
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return cmpPrim(x.length, y.length);
    }
    case 7: {
      const x = a as Binary;
      const y = b as Binary;
      if (x.position !== y.position) return cmpPrim(x.position, y.position);
      if (x.sub_type !== y.sub_type) return cmpPrim(x.sub_type, y.sub_type);
      return compareBytes(x.buffer.subarray(0, x.position), y.buffer.subarray(0, y.position));
    }
    case 8:
      // Byte order is hex order, without building two strings per comparison.
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case 9:
      return cmpPrim(Number(a), Number(b));
    case 10:
      return cmpPrim((a as Date).getTime(), (b as Date).getTime());
    case 11: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      return cmpPrim(x.getHighBitsUnsigned(), y.getHighBitsUnsigned()) || cmpPrim(x.getLowBitsUnsigned(), y.getLowBitsUnsigned());
    }
    case 12: {
      const x = regexParts(a);
      const y = regexParts(b);
      return cmpPrim(x[0], y[0]) || cmpPrim(x[1], y[1]);
    }
    default:
      return cmpPrim(String(a), String(b));
  }
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as { pattern: string; options: string };
  return [r.pattern, r.options];
}

function compareObjects(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]!];
    const vb = b[kb[i]!];
    const r = typeRank(va) - typeRank(vb);
    if (r !== 0) return r < 0 ? -1 : 1;
    const c = cmpPrim(ka[i]!, kb[i]!) || compareValues(va, vb);
    if (c !== 0) return c;
  }
  return cmpPrim(ka.length, kb.length);
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal
 * (1, 1.0, Long(1) and Decimal128("1.0") share a key). Used for _id lookup and unique keys.
 */
export function keyString(v: unknown): string {
  switch (typeRank(v)) {
    case 1:
      return 'm';
    case 2:
      return 'N';
    case 3: {
      const big = asBigInt(v);
      if (big !== undefined) return 'D' + big.toString();
      const exact = exactDecimal(v);
      if (!exact) return 'D' + String(toNumber(v));
      let { c, e } = exact;
      if (c === 0n) return 'D0';
      while (c % 10n === 0n) {
        c /= 10n;
        e++;
      }
      return e === 0 ? 'D' + c.toString() : `D${c}E${e}`;
    }
    case 4:
      return 'S' + String(v);
    case 5: {
      const o = v as Doc;
      return 'M' + JSON.stringify(Object.keys(o).map((k) => [k, keyString(o[k])]));
    }
    case 6:
      return 'A' + JSON.stringify((v as unknown[]).map(keyString));
    case 7: {
      const b = v as Binary;
      return 'X' + String(b.sub_type) + ':' + Buffer.from(b.buffer.subarray(0, b.position)).toString('base64');
    }
    case 8:
      return 'O' + (v as ObjectId).toHexString();
    case 9:
      return v ? 'B1' : 'B0';
    case 10:
      return 'T' + String((v as Date).getTime());
    case 11:
      return 'Z' + (v as Timestamp).toString();
    case 12:
      return 'R' + regexParts(v).join('/');
    case 14:
      return 'x';
    default:
      return 'U' + String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Values at a dotted path, descending into arrays as MongoDB does for queries and index keys. */
export function valuesAtPath(doc: unknown, path: string): { values: unknown[]; isArrayPath: boolean } {
  const walk: PathWalk = { parts: path.split('.'), out: [], arrayPath: false };
  walkPath(walk, doc, 0);
  return { values: walk.out, isArrayPath: walk.arrayPath };
}

interface PathWalk {
  parts: string[];
  out: unknown[];
  arrayPath: boolean;
}

function walkPath(w: PathWalk, v: unknown, i: number): void {
  if (i === w.parts.length) {
    if (Array.isArray(v)) {
      w.arrayPath = true;
      if (v.length === 0) w.out.push(undefined);
      else for (const e of v) w.out.push(e);
    } else w.out.push(v);
    return;
  }
  if (Array.isArray(v)) {
    w.arrayPath = true;
    const part = w.parts[i]!;
    if (/^\d+$/.test(part)) {
      walkPath(w, v[Number(part)], i + 1);
      return;
    }
    for (const e of v) if (isPlainObject(e)) walkPath(w, e[part], i + 1);
    return;
  }
  if (isPlainObject(v)) {
    walkPath(w, v[w.parts[i]!], i + 1);
    return;
  }
  w.out.push(undefined);
}
