/**
 * The `$jsonSchema` keywords about objects (required, properties, additionalProperties,
 * patternProperties, dependencies, min/maxProperties) and arrays (items, additionalItems,
 * min/maxItems, uniqueItems), each applying only to a value of its kind.
 */
import { MongoCommandError } from '../errors';
import { compareValues, isPlainObject, toNumber, typeRank, type Doc } from '../values';

/** The failures of one schema for one value; empty when it passes. */
export type Check = (value: unknown) => Doc[];
type Compile = (schema: unknown) => Check;

export function bad(message: string): MongoCommandError {
  return new MongoCommandError('FailedToParse', message);
}

export function failure(keyword: string, spec: unknown, reason: string, extra: Doc = {}): Doc {
  return { operatorName: keyword, specifiedAs: { [keyword]: spec }, reason, ...extra };
}

export function equalValues(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b) && compareValues(a, b) === 0;
}

export function count(spec: unknown, keyword: string): number {
  const n = toNumber(spec);
  if (!Number.isInteger(n) || n < 0) throw bad(`$jsonSchema keyword '${keyword}' must be a non-negative integer`);
  return n;
}

/** A check that applies only to values passing `test`. */
export const onlyFor =
  (test: (v: unknown) => boolean, c: Check): Check =>
  (v) =>
    test(v) ? c(v) : [];

/**
 * The check for an object or array keyword; null for a keyword checked with another
 * (additionalItems with items, additionalProperties with properties); undefined when `keyword`
 * is none of these.
 */
export function structureKeyword(keyword: string, spec: unknown, schema: Doc, compile: Compile): Check | null | undefined {
  const checks: Check[] = [];
  const only = onlyFor;
  switch (keyword) {
    case 'required': {
      if (!Array.isArray(spec) || spec.length === 0 || !spec.every((s) => typeof s === 'string')) {
        throw bad("$jsonSchema keyword 'required' must be a non-empty array of strings");
      }
      checks.push(
        only(isPlainObject, (v) => {
          const missing = (spec as string[]).filter((p) => (v as Doc)[p] === undefined);
          return missing.length ? [{ operatorName: 'required', specifiedAs: { required: spec }, missingProperties: missing }] : [];
        }),
      );
      break;
    }
    case 'minProperties':
    case 'maxProperties': {
      const n = count(spec, keyword);
      checks.push(
        only(isPlainObject, (v) => {
          const k = Object.keys(v as Doc).length;
          const ok = keyword === 'minProperties' ? k >= n : k <= n;
          return ok ? [] : [failure(keyword, spec, 'specified number of properties was not satisfied', { numberOfProperties: k })];
        }),
      );
      break;
    }
    case 'properties': {
      if (!isPlainObject(spec)) throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'properties' must be an object");
      const props = Object.entries(spec).map(([name, s]) => ({ name, check: compile(s), description: (s as Doc).description }));
      checks.push(
        only(isPlainObject, (v) => {
          const failed: Doc[] = [];
          for (const p of props) {
            const value = (v as Doc)[p.name];
            if (value === undefined) continue;
            const details = p.check(value);
            if (details.length > 0) {
              failed.push({
                propertyName: p.name,
                ...(typeof p.description === 'string' ? { description: p.description } : {}),
                details,
              });
            }
          }
          return failed.length ? [{ operatorName: 'properties', propertiesNotSatisfied: failed }] : [];
        }),
      );
      break;
    }
    case 'patternProperties':
    case 'additionalProperties':
      // One check for both: a field either keyword covers is not an additional one.
      if (keyword === 'patternProperties' && 'additionalProperties' in schema) return null;
      checks.push(propertiesRule(schema, compile));
      break;
    case 'dependencies': {
      if (!isPlainObject(spec)) throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'dependencies' must be an object");
      const deps = Object.entries(spec).map(([name, d]) => ({
        name,
        fields: Array.isArray(d) ? (d as string[]) : null,
        check: Array.isArray(d) ? null : compile(d),
      }));
      checks.push(
        only(isPlainObject, (v) => {
          const failed: Doc[] = [];
          for (const d of deps) {
            if ((v as Doc)[d.name] === undefined) continue;
            if (d.fields) {
              const missing = d.fields.filter((f) => (v as Doc)[f] === undefined);
              if (missing.length) failed.push({ conditionalProperty: d.name, missingProperties: missing });
            } else {
              const details = d.check!(v);
              if (details.length) failed.push({ conditionalProperty: d.name, details });
            }
          }
          return failed.length ? [{ operatorName: 'dependencies', failingDependencies: failed }] : [];
        }),
      );
      break;
    }
    case 'items': {
      if (Array.isArray(spec)) {
        const tuple = spec.map((s) => compile(s));
        const extra = schema.additionalItems;
        const rest = isPlainObject(extra) ? compile(extra) : null;
        checks.push(
          only(Array.isArray, (v) => {
            const arr = v as unknown[];
            for (let i = 0; i < arr.length; i++) {
              if (i >= tuple.length && extra === false) {
                return [{ operatorName: 'additionalItems', specifiedAs: { additionalItems: false }, reason: 'found additional items' }];
              }
              const details = i < tuple.length ? tuple[i]!(arr[i]) : rest ? rest(arr[i]) : [];
              if (details.length)
                return [{ operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: i, details }];
            }
            return [];
          }),
        );
      } else {
        const each = compile(spec);
        checks.push(
          only(Array.isArray, (v) => {
            const arr = v as unknown[];
            for (let i = 0; i < arr.length; i++) {
              const details = each(arr[i]);
              if (details.length)
                return [{ operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: i, details }];
            }
            return [];
          }),
        );
      }
      break;
    }
    case 'additionalItems':
      if (typeof spec !== 'boolean' && !isPlainObject(spec)) {
        throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'additionalItems' must be either an object or a boolean");
      }
      break;
    case 'minItems':
    case 'maxItems': {
      const n = count(spec, keyword);
      checks.push(
        only(Array.isArray, (v) => {
          const len = (v as unknown[]).length;
          const ok = keyword === 'minItems' ? len >= n : len <= n;
          return ok ? [] : [failure(keyword, spec, 'array did not match specified length', { consideredValue: v })];
        }),
      );
      break;
    }
    case 'uniqueItems':
      if (typeof spec !== 'boolean') throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'uniqueItems' must be a boolean");
      if (spec) {
        checks.push(
          only(Array.isArray, (v) => {
            const arr = v as unknown[];
            for (let i = 1; i < arr.length; i++) {
              for (let j = 0; j < i; j++) {
                if (equalValues(arr[i], arr[j]))
                  return [failure(keyword, spec, 'found a duplicate item', { consideredValue: v, duplicatedValue: arr[i] })];
              }
            }
            return [];
          }),
        );
      }
      break;
    default:
      return undefined;
  }
  return checks[0] ?? null;
}

/** `additionalProperties` and `patternProperties`: which fields the other two keywords leave. */
function propertiesRule(schema: Doc, compile: Compile): Check {
  const known = new Set(isPlainObject(schema.properties) ? Object.keys(schema.properties) : []);
  const patterns = schema.patternProperties;
  if (patterns !== undefined && !isPlainObject(patterns)) {
    throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'patternProperties' must be an object");
  }
  const byPattern = Object.entries(patterns ?? {}).map(([p, s]) => ({ re: new RegExp(p, 'u'), check: compile(s) }));
  const extra = schema.additionalProperties;
  if (extra !== undefined && typeof extra !== 'boolean' && !isPlainObject(extra)) {
    throw new MongoCommandError('TypeMismatch', "$jsonSchema keyword 'additionalProperties' must be either an object or a boolean");
  }
  const extraCheck = isPlainObject(extra) ? compile(extra) : null;
  return (v) => {
    if (!isPlainObject(v)) return [];
    const out: Doc[] = [];
    const unexpected: string[] = [];
    for (const [field, value] of Object.entries(v)) {
      const matching = byPattern.filter((p) => p.re.test(field));
      for (const p of matching) {
        const details = p.check(value);
        if (details.length) out.push({ operatorName: 'patternProperties', propertiesNotSatisfied: [{ propertyName: field, details }] });
      }
      if (known.has(field) || matching.length > 0) continue;
      if (extra === false) unexpected.push(field);
      else if (extraCheck) {
        const details = extraCheck(value);
        if (details.length) out.push({ operatorName: 'additionalProperties', propertiesNotSatisfied: [{ propertyName: field, details }] });
      }
    }
    if (unexpected.length)
      out.push({ operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: unexpected });
    return out;
  };
}
