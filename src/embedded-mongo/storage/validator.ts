/**
 * Collection validators (`validator`, `validationLevel`, `validationAction`): parsed once when a
 * collection is created or changed, then asked about each written document. A failing document
 * is described the way MongoDB fills `errInfo.details` (operator, what was specified, why).
 */
import { MongoCommandError } from '../errors';
import { compileFilter, viewOf } from '../query/matcher';
import { bsonTypeName } from '../query/operators';
import { isPlainObject, valuesAtPath, type Doc } from '../values';
import { catalogError } from './codes';
import { compileSchema } from './json-schema';

export type ValidationLevel = 'strict' | 'moderate' | 'off';
export type ValidationAction = 'error' | 'warn';

/** What enforcing a validator needs; absent when writes are never refused (no validator, level off, action warn). */
export interface Enforcement {
  level: 'strict' | 'moderate';
  /** The errInfo details of a document that fails, or null when it passes. */
  failure(doc: Doc): Doc | null;
}

/** Clause tester: details of a failure, or null. */
type Clause = (doc: Doc, view: Doc) => Doc | null;

const FORBIDDEN = new Set(['$near', '$nearSphere', '$text', '$where', '$geoNear']);

function forbid(v: unknown): void {
  if (Array.isArray(v)) v.forEach(forbid);
  else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN.has(k)) throw catalogError('QueryFeatureNotAllowed', `${k} is not allowed in collection validators`);
      if (k !== '$jsonSchema') forbid(x);
    }
  }
}

const REASONS: Record<string, string> = {
  $eq: 'comparison failed',
  $ne: 'comparison succeeded',
  $gt: 'comparison failed',
  $gte: 'comparison failed',
  $lt: 'comparison failed',
  $lte: 'comparison failed',
  $in: 'no matching value found in array',
  $nin: 'matching value found in array',
  $type: 'type did not match',
  $regex: 'regular expression did not match',
  $size: 'array length was not equal to given size',
  $all: 'array did not contain all specified values',
  $elemMatch: 'array did not satisfy the child predicate',
  $mod: 'remainder did not match',
};

function fieldClause(path: string, op: string, spec: Doc): Clause {
  const filter = compileFilter(spec);
  return (doc, view) => {
    if (filter.test(view)) return null;
    const { values } = valuesAtPath(doc, path);
    const present = values.filter((v) => v !== undefined);
    if (op === '$exists')
      return { operatorName: '$exists', specifiedAs: spec, reason: present.length ? 'field was present' : 'field was missing' };
    if (present.length === 0 && op !== '$ne' && op !== '$nin' && op !== '$not') {
      return { operatorName: op, specifiedAs: spec, reason: 'field was missing' };
    }
    const considered = present.length === 1 ? present[0] : present;
    const details: Doc = {
      operatorName: op,
      specifiedAs: spec,
      reason: REASONS[op] ?? 'expression did not match',
      consideredValue: considered,
    };
    if (op === '$type') details.consideredType = bsonTypeName(considered);
    return details;
  };
}

function andOf(clauses: Clause[], operatorName = '$and'): Clause {
  if (clauses.length === 1 && operatorName === '$and') return clauses[0]!;
  return (doc, view) => {
    const failed: Doc[] = [];
    clauses.forEach((c, index) => {
      const details = c(doc, view);
      if (details) failed.push({ index, details });
    });
    return failed.length ? { operatorName, clausesNotSatisfied: failed } : null;
  };
}

function clauseList(v: unknown, op: string): Clause[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every(isPlainObject)) {
    throw new MongoCommandError('BadValue', `${op} must be a nonempty array`);
  }
  return v.map((c) => compileClauses(c));
}

function compileClauses(filter: Doc): Clause {
  const clauses: Clause[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$jsonSchema') {
      const schema = compileSchema(value);
      clauses.push((doc) => {
        const failed = schema(doc);
        return failed.length ? { operatorName: '$jsonSchema', schemaRulesNotSatisfied: failed } : null;
      });
    } else if (key === '$and') {
      clauses.push(andOf(clauseList(value, key), '$and'));
    } else if (key === '$or') {
      const subs = clauseList(value, key);
      clauses.push((doc, view) => {
        const failed = subs.map((c, index) => ({ index, details: c(doc, view) }));
        return failed.every((f) => f.details) ? { operatorName: '$or', clausesNotSatisfied: failed } : null;
      });
    } else if (key === '$nor') {
      const subs = clauseList(value, key);
      clauses.push((doc, view) => {
        const satisfied = subs.flatMap((c, index) =>
          c(doc, view) ? [] : [{ index, details: { operatorName: '$nor', reason: 'child expression matched' } }],
        );
        return satisfied.length ? { operatorName: '$nor', clausesNotSatisfied: satisfied } : null;
      });
    } else if (key === '$expr') {
      const filter = compileFilter({ $expr: value });
      clauses.push((_doc, view) =>
        filter.test(view)
          ? null
          : { operatorName: '$expr', specifiedAs: { $expr: value }, reason: 'expression did not match', expressionResult: false },
      );
    } else if (key === '$comment') {
      continue;
    } else if (key.startsWith('$')) {
      const filter = compileFilter({ [key]: value });
      clauses.push((_doc, view) =>
        filter.test(view) ? null : { operatorName: key, specifiedAs: { [key]: value }, reason: 'expression did not match' },
      );
    } else if (isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'))) {
      // Each operator is a clause of the implicit $and, as MongoDB parses {a: {$gt: 1, $lt: 5}}.
      for (const op of Object.keys(value).filter((o) => o !== '$options')) {
        const cond: Doc = { [op]: value[op] };
        if (op === '$regex' && '$options' in value) cond.$options = value.$options;
        clauses.push(fieldClause(key, op, { [key]: cond }));
      }
    } else {
      clauses.push(fieldClause(key, '$eq', { [key]: value }));
    }
  }
  return clauses.length === 0 ? () => null : andOf(clauses);
}

function oneOf<T extends string>(options: Doc, field: string, allowed: readonly T[]): T | undefined {
  const v = options[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is the wrong type '${typeof v}', expected type 'string'`);
  }
  if (!allowed.includes(v as T)) {
    throw new MongoCommandError('BadValue', `Enumeration value '${v}' for field '${field}' is not a valid value.`);
  }
  return v as T;
}

/**
 * Checks a collection's validation options (throwing MongoDB's error for a bad one) and returns
 * what enforcing them takes, or null when no write can be refused.
 */
export function parseValidation(options: Doc): Enforcement | null {
  const level = oneOf(options, 'validationLevel', ['strict', 'moderate', 'off'] as const) ?? 'strict';
  const action = oneOf(options, 'validationAction', ['error', 'warn'] as const) ?? 'error';
  const spec = options.validator;
  if (spec === undefined) return null;
  if (!isPlainObject(spec)) {
    throw new MongoCommandError('TypeMismatch', `BSON field 'validator' is the wrong type '${typeof spec}', expected type 'object'`);
  }
  forbid(spec);
  const check = compileClauses(spec);
  if (level === 'off' || action === 'warn' || Object.keys(spec).length === 0) return null;
  return { level, failure: (doc) => check(doc, viewOf(doc)) };
}

/** The write error MongoDB answers for a document its collection's validator refuses. */
export function validationError(doc: Doc, details: Doc): MongoCommandError {
  return catalogError('DocumentValidationFailure', 'Document failed validation', { errInfo: { failingDocumentId: doc._id, details } });
}

/**
 * Refuses `doc` (DocumentValidationFailure) when the validator fails it. `before` is the version
 * an update replaces: at level moderate, a document that already failed may go on failing.
 */
export function checkDocument(enforcement: Enforcement, doc: Doc, before?: Doc): void {
  if (before && enforcement.level === 'moderate' && enforcement.failure(before)) return;
  const details = enforcement.failure(doc);
  if (details) throw validationError(doc, details);
}
