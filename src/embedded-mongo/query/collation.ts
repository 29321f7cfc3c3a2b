/**
 * Collation: MongoDB's collation documents parsed and checked as MongoDB 7 does, and compared with
 * ICU semantics through Intl.Collator (Node ships full ICU). One Collation per distinct document,
 * cached; the simple collation is `undefined`, so code without a collation pays nothing.
 */
import { MongoCommandError } from '../errors';
import { compareValues, isNumeric, isPlainObject, keyString, toNumber, typeRank, type Doc } from '../values';

/** The ICU version MongoDB 7.0 reports in a resolved collation. */
const ICU_VERSION = '57.1';

/** MongoDB's documented locales, each with its `@collation=` variants. */
const LOCALES: Record<string, string[]> = {
  af: [],
  am: [],
  ar: ['compat'],
  as: [],
  az: ['search'],
  be: [],
  bg: [],
  bn: ['traditional'],
  bo: [],
  bs: ['search'],
  bs_Cyrl: [],
  ca: ['search'],
  chr: [],
  cs: ['search'],
  cy: [],
  da: ['search'],
  de: ['search', 'eor', 'phonebook'],
  de_AT: ['phonebook'],
  dsb: [],
  dz: [],
  ee: [],
  el: [],
  en: [],
  en_US: [],
  en_US_POSIX: [],
  eo: [],
  es: ['search', 'traditional'],
  et: [],
  fa: [],
  fa_AF: [],
  fi: ['search', 'traditional'],
  fil: [],
  fo: [],
  fr: [],
  fr_CA: [],
  ga: [],
  gl: ['search'],
  gu: [],
  ha: [],
  haw: [],
  he: ['search'],
  hi: [],
  hr: ['search'],
  hsb: [],
  hu: [],
  hy: [],
  id: [],
  ig: [],
  is: ['search'],
  it: [],
  ja: ['unihan'],
  ka: [],
  kk: [],
  kl: ['search'],
  km: [],
  kn: ['traditional'],
  ko: ['search', 'searchjl', 'unihan'],
  kok: [],
  ky: [],
  lb: [],
  lkt: [],
  ln: ['phonetic'],
  lo: [],
  lt: [],
  lv: [],
  mk: [],
  ml: [],
  mn: [],
  mr: [],
  ms: [],
  mt: [],
  my: [],
  nb: ['search'],
  ne: [],
  nl: [],
  nn: ['search'],
  om: [],
  or: [],
  pa: [],
  pl: [],
  ps: [],
  pt: [],
  ro: [],
  ru: [],
  se: ['search'],
  si: ['dictionary'],
  sk: ['search'],
  sl: [],
  smn: ['search'],
  sq: [],
  sr: [],
  sr_Latn: ['search'],
  sv: ['search'],
  sw: [],
  ta: [],
  te: [],
  th: [],
  to: [],
  tr: ['search'],
  ug: [],
  uk: [],
  ur: [],
  vi: ['traditional'],
  wae: [],
  yi: ['search'],
  yo: [],
  zh: ['big5han', 'gb2312han', 'unihan', 'zhuyin'],
  zh_Hant: [],
  zu: [],
};

/** ICU variant names as BCP-47 `-u-co-` values. */
const VARIANT_TAGS: Record<string, string> = { phonebook: 'phonebk', traditional: 'trad', dictionary: 'dict' };

/** Variants Intl.Collator cannot express (ECMA-402 excludes `search`; Node's ICU lacks the others). */
const UNSUPPORTED_VARIANTS = new Set(['search', 'gb2312han', 'big5han']);

/** Defaults that differ from the common ones in ICU's tailoring of a locale (what MongoDB reports). */
const LOCALE_DEFAULTS: Record<string, Partial<Resolved>> = {
  fr_CA: { backwards: true },
  th: { alternate: 'shifted' },
  da: { caseFirst: 'upper' },
  mt: { caseFirst: 'upper' },
  as: { normalization: true },
  bn: { normalization: true },
  my: { normalization: true },
};

interface Resolved {
  locale: string;
  caseLevel: boolean;
  caseFirst: 'upper' | 'lower' | 'off';
  strength: number;
  numericOrdering: boolean;
  alternate: 'non-ignorable' | 'shifted';
  maxVariable: 'punct' | 'space';
  normalization: boolean;
  backwards: boolean;
  version: string;
}

type StringCompare = (a: string, b: string) => number;

export class Collation {
  /** The resolved collation document, as MongoDB lists it. */
  readonly spec: Doc;

  constructor(
    resolved: Resolved,
    readonly compareStrings: StringCompare,
  ) {
    this.spec = { ...resolved };
  }

  /** MongoDB's BSON order, with strings (also inside documents and arrays) compared by this collation. */
  readonly compare = (a: unknown, b: unknown): number => {
    if (typeof a === 'string' && typeof b === 'string') return this.compareStrings(a, b);
    const ra = typeRank(a);
    const rb = typeRank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra === 4) return this.compareStrings(String(a), String(b));
    if (ra === 5 && isPlainObject(a) && isPlainObject(b)) return this.compareObjects(a, b);
    if (ra === 6) {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = this.compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    return compareValues(a, b);
  };

  private compareObjects(a: Doc, b: Doc): number {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const r = typeRank(a[ka[i]!]) - typeRank(b[kb[i]!]);
      if (r !== 0) return r < 0 ? -1 : 1;
      // Field names are compared as binary strings, whatever the collation.
      if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
      const c = this.compare(a[ka[i]!], b[kb[i]!]);
      if (c !== 0) return c;
    }
    return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
  }

  /**
   * A function that maps each value to the first value seen that this collation finds equal to it
   * (a group key, a distinct value). Intl has no sort keys, so representatives are kept sorted.
   */
  canonicalizer(): (v: unknown) => unknown {
    const reps: unknown[] = [];
    return (v) => {
      let lo = 0;
      let hi = reps.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const c = this.compare(reps[mid], v);
        if (c === 0) return reps[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
      }
      reps.splice(lo, 0, v);
      return v;
    };
  }
}

// ------------------------------------------------------------------------------- parsing

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isNumeric(v)) return Number.isInteger(toNumber(v)) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'object';
}

function shown(spec: Doc): string {
  const value = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : isNumeric(v) ? String(toNumber(v)) : String(v));
  const parts = Object.entries(spec).map(([k, v]) => `${k}: ${value(v)}`);
  return `{ ${parts.join(', ')} }`;
}

function boolField(spec: Doc, field: string): boolean | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    throw new MongoCommandError('TypeMismatch', `"${field}" had the wrong type. Expected bool, found ${bsonTypeName(v)}`);
  }
  return v;
}

function enumField<T extends string>(spec: Doc, field: string, allowed: readonly T[]): T | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new MongoCommandError('TypeMismatch', `"${field}" had the wrong type. Expected string, found ${bsonTypeName(v)}`);
  }
  if (!(allowed as readonly string[]).includes(v)) {
    const quoted = allowed.map((a) => `'${a}'`);
    const list = `${quoted.slice(0, -1).join(', ')}${allowed.length > 2 ? ',' : ''} or ${quoted[quoted.length - 1]}`;
    throw new MongoCommandError('FailedToParse', `Field '${field}' must be ${list}. Got: ${v}`);
  }
  return v as T;
}

function strengthField(spec: Doc): number | undefined {
  const v = spec.strength;
  if (v === undefined) return undefined;
  if (!isNumeric(v)) {
    throw new MongoCommandError('TypeMismatch', `Expected field "strength" to have numeric type, but found ${bsonTypeName(v)}`);
  }
  const n = toNumber(v);
  if (!Number.isInteger(n)) {
    throw new MongoCommandError(
      'BadValue',
      `Expected field "strength" to have a value exactly representable as a 64-bit integer, but found strength: ${n}`,
    );
  }
  if (n < 1 || n > 5) throw new MongoCommandError('FailedToParse', `Field 'strength' must be an integer 1 through 5. Got: ${n}`);
  return n;
}

/** The BCP-47 tag for a MongoDB (ICU) locale id, or a BadValue error when MongoDB refuses the id. */
function localeTag(spec: Doc, id: string): string {
  const [base = '', keywords, ...extra] = id.split('@');
  const invalid = (): MongoCommandError => {
    const language = base.split('_')[0] ?? '';
    const hint = language !== base && language in LOCALES ? `. Did you mean '${language}'?` : '';
    return new MongoCommandError('BadValue', `Field 'locale' is invalid in: ${shown(spec)}${hint}`);
  };
  const variants = Object.prototype.hasOwnProperty.call(LOCALES, base) ? LOCALES[base]! : undefined;
  if (!variants || extra.length > 0) throw invalid();
  let tag = base === 'en_US_POSIX' ? 'en-US-u-va-posix' : base.replace(/_/g, '-');
  if (keywords !== undefined) {
    const m = /^collation=([a-z0-9]+)$/.exec(keywords);
    if (!m || !variants.includes(m[1]!)) throw invalid();
    if (UNSUPPORTED_VARIANTS.has(m[1]!)) {
      throw new MongoCommandError('BadValue', `The embedded server cannot compare strings by the '${m[1]}' variant of '${base}'`);
    }
    tag += `-u-co-${VARIANT_TAGS[m[1]!] ?? m[1]}`;
  }
  return tag;
}

const KNOWN_FIELDS = new Set([
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

/** Graphemes (a base character with its combining marks) in reverse order: French secondary order. */
function reversedGraphemes(s: string): string {
  return (s.normalize('NFD').match(/\P{M}\p{M}*|\p{M}+/gu) ?? []).reverse().join('');
}

const SPACES = /[\p{Z}\t\n\v\f\r]/gu;

/**
 * The string comparison for a resolved collation. Intl's sensitivities are ICU strengths 1-3
 * (base, accent, variant; `case` is strength 1 with caseLevel); the quaternary and identical
 * levels, caseLevel at strength 2 and backwards secondary order are added as tie-breaks.
 */
function stringCompare(r: Resolved, tag: string, caseFirstGiven: boolean): StringCompare {
  const shifted = r.alternate === 'shifted';
  const make = (sensitivity: Intl.CollatorOptions['sensitivity'], ignorePunctuation = shifted && r.maxVariable === 'punct') =>
    new Intl.Collator(tag, {
      usage: 'sort',
      sensitivity,
      numeric: r.numericOrdering,
      ignorePunctuation,
      ...(caseFirstGiven ? { caseFirst: r.caseFirst === 'off' ? 'false' : r.caseFirst } : {}),
    }).compare;
  const base = make('base');
  const accent = make('accent');
  const withCase = make('case');
  const variant = make('variant');
  const stripSpaces = shifted && r.maxVariable === 'space';
  // The locale's own backwards setting is part of its Intl data; ours is applied by hand.
  const backwards = r.backwards && tag.split('-u-')[0] !== 'fr-CA';
  const secondary: StringCompare = backwards ? (a, b) => base(a, b) || accent(reversedGraphemes(a), reversedGraphemes(b)) : accent;
  const upToStrength: StringCompare = (a, b) => {
    if (r.strength === 1) return (r.caseLevel ? withCase : base)(a, b);
    const c = secondary(a, b) || (r.caseLevel ? withCase(a, b) : 0);
    return c !== 0 || r.strength === 2 ? c : variant(a, b);
  };
  const nonIgnorable = make('variant', false);
  return (a, b) => {
    if (r.normalization) {
      a = a.normalize('NFD');
      b = b.normalize('NFD');
    }
    const c = stripSpaces ? upToStrength(a.replace(SPACES, ''), b.replace(SPACES, '')) : upToStrength(a, b);
    if (c !== 0 || r.strength < 4) return c;
    const q = shifted ? nonIgnorable(a, b) : 0;
    if (q !== 0 || r.strength === 4) return q;
    const x = a.normalize('NFD');
    const y = b.normalize('NFD');
    return x === y ? 0 : x < y ? -1 : 1;
  };
}

function build(spec: Doc): Collation | undefined {
  const locale = spec.locale;
  if (locale === undefined) throw new MongoCommandError('NoSuchKey', 'Missing expected field "locale"');
  if (typeof locale !== 'string') {
    throw new MongoCommandError('TypeMismatch', `"locale" had the wrong type. Expected string, found ${bsonTypeName(locale)}`);
  }
  if (locale === 'simple') {
    if (Object.keys(spec).length > 1) {
      throw new MongoCommandError('FailedToParse', `If locale=simple, no other fields should be present in: ${shown(spec)}`);
    }
    return undefined;
  }
  if (locale === '') throw new MongoCommandError('BadValue', `Field 'locale' cannot be the empty string in: ${shown(spec)}`);
  const tag = localeTag(spec, locale);
  const defaults = LOCALE_DEFAULTS[locale] ?? {};
  const caseFirst = enumField(spec, 'caseFirst', ['upper', 'lower', 'off'] as const);
  const resolved: Resolved = {
    locale,
    caseLevel: boolField(spec, 'caseLevel') ?? false,
    caseFirst: caseFirst ?? defaults.caseFirst ?? 'off',
    strength: strengthField(spec) ?? 3,
    numericOrdering: boolField(spec, 'numericOrdering') ?? false,
    alternate: enumField(spec, 'alternate', ['non-ignorable', 'shifted'] as const) ?? defaults.alternate ?? 'non-ignorable',
    maxVariable: enumField(spec, 'maxVariable', ['punct', 'space'] as const) ?? 'punct',
    normalization: boolField(spec, 'normalization') ?? defaults.normalization ?? false,
    backwards: boolField(spec, 'backwards') ?? defaults.backwards ?? false,
    version: ICU_VERSION,
  };
  if (spec.version !== undefined) {
    if (typeof spec.version !== 'string') {
      throw new MongoCommandError('TypeMismatch', `"version" had the wrong type. Expected string, found ${bsonTypeName(spec.version)}`);
    }
    if (spec.version !== ICU_VERSION) {
      throw new MongoCommandError(
        237,
        `Requested collation version ${spec.version} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${shown(spec)}`,
        { extra: { codeName: 'IncompatibleCollationVersion' } },
      );
    }
  }
  if (Object.keys(spec).some((k) => !KNOWN_FIELDS.has(k))) {
    throw new MongoCommandError('FailedToParse', `Collation spec contains unknown field. Collation spec: ${shown(spec)}`);
  }
  if (resolved.backwards && resolved.strength === 1) {
    throw new MongoCommandError('BadValue', `'backwards' is invalid with 'strength' of 1 in: ${shown(resolved as unknown as Doc)}`);
  }
  if (resolved.caseFirst !== 'off' && !resolved.caseLevel && resolved.strength < 3) {
    throw new MongoCommandError(
      'BadValue',
      `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${shown(resolved as unknown as Doc)}`,
    );
  }
  // fr_CA's Intl data sorts accents backwards; asked not to, it is plain French.
  const effectiveTag = locale === 'fr_CA' && !resolved.backwards ? 'fr' : tag;
  return new Collation(resolved, stringCompare(resolved, effectiveTag, caseFirst !== undefined));
}

const cache = new Map<string, Collation | null>();
const CACHE_LIMIT = 256;

/** The collation a collation document names (undefined: simple binary comparison); throws MongoDB's errors. */
export function parseCollation(spec: unknown): Collation | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) {
    throw new MongoCommandError('TypeMismatch', `BSON field 'collation' is the wrong type '${bsonTypeName(spec)}', expected type 'object'`);
  }
  const key = keyString(spec);
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const built = build(spec);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, built ?? null);
  return built;
}

/** The collation a command runs with: its own, else the collection's default. */
export function resolveCollation(spec: unknown, coll: { options: Doc } | undefined): Collation | undefined {
  if (spec !== undefined && spec !== null) return parseCollation(spec);
  const fallback = coll?.options.collation;
  return fallback === undefined ? undefined : parseCollation(fallback);
}

/** The collation a set of mingo options carries (see mingoOptions), if any. */
export function collationOf(options: unknown): Collation | undefined {
  const c = (options as { collation?: unknown } | undefined)?.collation;
  return c instanceof Collation ? c : undefined;
}

/** Distinct values, in MongoDB's order: equal under the collation (or exactly, without one) count once. */
export function distinctValues(values: Iterable<unknown>, collation: Collation | undefined): unknown[] {
  if (!collation) {
    const seen = new Map<string, unknown>();
    for (const v of values) {
      const k = keyString(v);
      if (!seen.has(k)) seen.set(k, v);
    }
    return [...seen.values()].sort(compareValues);
  }
  const canon = collation.canonicalizer();
  const reps = new Set<unknown>();
  for (const v of values) reps.add(canon(v));
  return [...reps].sort(collation.compare);
}

/**
 * Collection options with their `collation` checked and stored as MongoDB lists it: resolved in
 * full, or left out when it is the simple collation.
 */
export function withResolvedCollation(options: Doc): Doc {
  if (options.collation === undefined) return options;
  const { collation: raw, ...rest } = options;
  const collation = parseCollation(raw);
  return collation ? { ...rest, collation: collation.spec } : rest;
}
