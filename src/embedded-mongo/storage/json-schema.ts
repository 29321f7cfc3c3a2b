/**
 * `$jsonSchema` as MongoDB runs it in validators and queries: draft 4 keywords plus `bsonType`,
 * checked on the stored BSON values. A failing document gets the rule failures MongoDB reports
 * in `errInfo.details.schemaRulesNotSatisfied`.
 */
import { MongoCommandError } from '../errors';
import { bsonTypeName } from '../query/operators';
import { compareValues, isNumeric, isPlainObject, toNumber } from '../values';
import { bad, count, equalValues, failure, onlyFor, structureKeyword, type Check } from './json-schema-structure';

const BSON_TYPES = new Set([
  'double',
  'string',
  'object',
  'array',
  'binData',
  'undefined',
  'objectId',
  'bool',
  'date',
  'null',
  'regex',
  'dbPointer',
  'javascript',
  'symbol',
  'javascriptWithScope',
  'int',
  'timestamp',
  'long',
  'decimal',
  'minKey',
  'maxKey',
  'number',
]);
const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => isPlainObject(v),
  array: Array.isArray,
  number: isNumeric,
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  null: (v) => v === null,
};
const UNSUPPORTED = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);
const ANNOTATIONS = new Set(['title', 'description']);

function names(spec: unknown, keyword: string): string[] {
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0 || !list.every((t) => typeof t === 'string')) {
    throw new MongoCommandError('TypeMismatch', `$jsonSchema keyword '${keyword}' must be a string or an array of strings`);
  }
  return list as string[];
}

function typeMatcher(keyword: 'type' | 'bsonType', spec: unknown): (v: unknown) => boolean {
  const wanted = names(spec, keyword);
  const tests = wanted.map((t) => {
    if (keyword === 'type') {
      if (t === 'integer') throw bad(`$jsonSchema type '${t}' is not currently supported.`);
      const test = JSON_TYPES[t];
      if (!test) throw new MongoCommandError('BadValue', `Unknown type name alias: ${t}`);
      return test;
    }
    if (!BSON_TYPES.has(t)) throw new MongoCommandError('BadValue', `Unknown type name alias: ${t}`);
    return t === 'number' ? isNumeric : (v: unknown) => bsonTypeName(v) === t;
  });
  return (v) => tests.some((test) => test(v));
}

function schemaList(spec: unknown, keyword: string): Check[] {
  if (!Array.isArray(spec) || spec.length === 0) throw bad(`$jsonSchema keyword '${keyword}' must be a non-empty array`);
  return spec.map((s) => compileSchema(s));
}

/** Compiles a schema object; throws MongoDB's parse error for anything it would refuse. */
export function compileSchema(schema: unknown): Check {
  if (!isPlainObject(schema)) throw new MongoCommandError('TypeMismatch', '$jsonSchema must be an object');
  const checks: Check[] = [];
  const add = (c: Check): number => checks.push(c);
  const only = onlyFor;
  for (const [keyword, spec] of Object.entries(schema)) {
    if (UNSUPPORTED.has(keyword)) throw bad(`$jsonSchema keyword '${keyword}' is not currently supported`);
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case 'type':
      case 'bsonType': {
        const matches = typeMatcher(keyword, spec);
        add((v) =>
          v !== undefined && !matches(v)
            ? [failure(keyword, spec, 'type did not match', { consideredValue: v, consideredType: bsonTypeName(v) })]
            : [],
        );
        break;
      }
      case 'enum': {
        if (!Array.isArray(spec) || spec.length === 0) throw bad("$jsonSchema keyword 'enum' must be a non-empty array");
        add((v) =>
          v !== undefined && !spec.some((e) => equalValues(e, v))
            ? [failure(keyword, spec, 'value was not found in enum', { consideredValue: v })]
            : [],
        );
        break;
      }
      case 'minimum':
      case 'maximum': {
        if (!isNumeric(spec)) throw new MongoCommandError('TypeMismatch', `$jsonSchema keyword '${keyword}' must be a number`);
        const exclusive = schema[keyword === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] === true;
        const sign = keyword === 'minimum' ? 1 : -1;
        add(
          only(isNumeric, (v) => {
            const c = compareValues(v, spec) * sign;
            return c < 0 || (exclusive && c === 0) ? [failure(keyword, spec, 'comparison failed', { consideredValue: v })] : [];
          }),
        );
        break;
      }
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof spec !== 'boolean') throw new MongoCommandError('TypeMismatch', `$jsonSchema keyword '${keyword}' must be a boolean`);
        if (!((keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum') in schema)) {
          throw bad(
            `$jsonSchema keyword '${keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum'}' must be a present if ${keyword} is present`,
          );
        }
        break;
      case 'multipleOf': {
        const m = toNumber(spec);
        if (!(m > 0)) throw bad("$jsonSchema keyword 'multipleOf' must have a positive value");
        add(
          only(isNumeric, (v) =>
            toNumber(v) % m !== 0
              ? [failure(keyword, spec, 'considered value is not a multiple of the specified value', { consideredValue: v })]
              : [],
          ),
        );
        break;
      }
      case 'minLength':
      case 'maxLength': {
        const n = count(spec, keyword);
        add(
          only(
            (v) => typeof v === 'string',
            (v) => {
              const len = [...(v as string)].length;
              const ok = keyword === 'minLength' ? len >= n : len <= n;
              return ok ? [] : [failure(keyword, spec, 'specified string length was not satisfied', { consideredValue: v })];
            },
          ),
        );
        break;
      }
      case 'pattern': {
        if (typeof spec !== 'string') throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'pattern' must be a string");
        let re: RegExp;
        try {
          re = new RegExp(spec, 'u');
        } catch {
          throw new MongoCommandError(51091, `Regular expression is invalid: ${spec}`);
        }
        add(
          only(
            (v) => typeof v === 'string',
            (v) => (re.test(v as string) ? [] : [failure(keyword, spec, 'regular expression did not match', { consideredValue: v })]),
          ),
        );
        break;
      }
      default: {
        const check = structureKeyword(keyword, spec, schema, compileSchema);
        if (check === undefined) throw bad(`Unknown $jsonSchema keyword: ${keyword}`);
        if (check) add(check);
        break;
      }
      case 'allOf':
      case 'anyOf':
      case 'oneOf': {
        const subs = schemaList(spec, keyword);
        add((v) => {
          if (v === undefined) return [];
          const results = subs.map((s) => s(v));
          const passed = results.filter((r) => r.length === 0).length;
          const ok = keyword === 'allOf' ? passed === subs.length : keyword === 'anyOf' ? passed > 0 : passed === 1;
          if (ok) return [];
          if (keyword === 'oneOf' && passed > 1) {
            return [
              {
                operatorName: keyword,
                specifiedAs: { [keyword]: spec },
                reason: 'more than one subschema matched',
                matchingSchemaIndexes: results.flatMap((r, i) => (r.length ? [] : [i])),
              },
            ];
          }
          const failed = results.flatMap((r, index) => (r.length ? [{ index, details: r }] : []));
          return [{ operatorName: keyword, schemasNotSatisfied: failed }];
        });
        break;
      }
      case 'not': {
        const sub = compileSchema(spec);
        add((v) =>
          v !== undefined && sub(v).length === 0
            ? [{ operatorName: 'not', specifiedAs: { not: spec }, reason: 'child expression matched' }]
            : [],
        );
        break;
      }
    }
  }
  return (value) => checks.flatMap((c) => c(value));
}
