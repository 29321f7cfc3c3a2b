/**
 * Query predicates: filters are run by mingo against the query form ("view") of documents.
 * `$text` is taken out here and answered by a text index; `$type` is ours so it can tell the
 * stored BSON types apart (mingo's view of a Long or an integral Double is a plain number).
 */
import { Context, Query } from 'mingo';
import { MongoCommandError, toCommandError } from '../errors';
import { parseSearch, type TextSearch } from '../storage/text-index';
import { isPlainObject, toView, typeRank, valuesAtPath, type Doc } from '../values';

/** View objects that differ from their stored document, so `$type` can see the stored types. */
const storedOf = new WeakMap<object, Doc>();

export function viewOf(doc: Doc): Doc {
  const view = toView(doc) as Doc;
  if (view !== doc) storedOf.set(view, doc);
  return view;
}

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
  const t = (v as { _bsontype?: string })._bsontype;
  switch (t) {
    case 'Double':
      return 'double';
    case 'Int32':
      return 'int';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return 'javascript';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    default:
      return 'object';
  }
}

function typeMatches(v: unknown, wanted: string): boolean {
  const name = bsonTypeName(v);
  if (wanted === 'number') return typeRank(v) === 3;
  return name === wanted;
}

const typeOperator = (selector: string, value: unknown): ((obj: Doc) => boolean) => {
  const wanted = (Array.isArray(value) ? value : [value]).map((w) => {
    const name = TYPE_ALIASES[String(w)] ?? String(w);
    if (!Object.values(TYPE_ALIASES).includes(name) && name !== 'number') {
      throw new MongoCommandError('BadValue', `Unknown type name alias: ${String(w)}`);
    }
    return name;
  });
  return (obj: Doc) => {
    const source = storedOf.get(obj) ?? obj;
    const parts = selector.split('.');
    const direct = parts.reduce<unknown>((o, p) => (isPlainObject(o) ? o[p] : undefined), source);
    if (Array.isArray(direct) && wanted.includes('array')) return true;
    const { values } = valuesAtPath(source, selector);
    return values.some((v) => v !== undefined && wanted.some((w) => typeMatches(v, w)));
  };
};

const CONTEXT = Context.init({
  query: { $type: typeOperator as never },
});

export interface CompiledFilter {
  test(view: Doc): boolean;
  /** The `$text` search, when the filter has one. */
  text?: TextSearch;
  /** The filter without `$text`, in query form (what the planner reads). */
  filter: Doc;
  matchesAll: boolean;
}

type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;

export function mingoOptions(extra: { variables?: Doc; collation?: Doc } = {}): Options {
  return {
    context: CONTEXT,
    scriptEnabled: false,
    useStrictMode: true,
    ...(extra.variables ? { variables: extra.variables } : {}),
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

export function compileFilter(filter: unknown, extra: { variables?: Doc; collation?: Doc } = {}): CompiledFilter {
  if (filter === undefined || filter === null) filter = {};
  if (!isPlainObject(filter)) throw new MongoCommandError('TypeMismatch', 'filter must be an object');
  const view = toView(filter) as Doc;
  const { rest, text } = extractText(view);
  let query: Query;
  try {
    query = new Query(rest, mingoOptions(extra));
  } catch (err) {
    throw toCommandError(err);
  }
  const matchesAll = Object.keys(rest).length === 0;
  return {
    test: (doc: Doc) => {
      if (matchesAll) return true;
      try {
        return query.test(doc);
      } catch (err) {
        throw toCommandError(err);
      }
    },
    ...(text ? { text } : {}),
    filter: rest,
    matchesAll,
  };
}
