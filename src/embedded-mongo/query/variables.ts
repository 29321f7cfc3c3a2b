/**
 * Aggregation variables: a command's `let` (each value an expression evaluated once), the system
 * variables mingo does not know ($$CLUSTER_TIME), MongoDB's rules for user variable names, and
 * the "Use of undefined variable" error MongoDB gives when a pipeline or `$expr` is parsed.
 */
import { Timestamp } from 'bson';
import { evalExpr } from 'mingo/core';
import { MongoCommandError, toCommandError } from '../errors';
import { isPlainObject, toView, type Doc } from '../values';
import { CONTEXT } from './operators';

const SYSTEM_VARIABLES = new Set([
  'ROOT',
  'CURRENT',
  'REMOVE',
  'NOW',
  'CLUSTER_TIME',
  'DESCEND',
  'PRUNE',
  'KEEP',
  'SEARCH_META',
  'USER_ROLES',
]);

function clusterTime(): Timestamp {
  return new Timestamp({ t: Math.floor(Date.now() / 1000), i: 1 });
}

/** The variables every expression sees when the command gave no `let` (read when a `$$` name is used). */
export const DEFAULT_VARIABLES: Doc = Object.defineProperty({}, 'CLUSTER_TIME', { enumerable: true, get: clusterTime });

export function undefinedVariable(name: string): MongoCommandError {
  return new MongoCommandError(17276, `Use of undefined variable: ${name}`);
}

/** Turns what mingo throws into MongoDB's error (its undefined-variable assertion becomes 17276). */
export function expressionError(err: unknown): MongoCommandError {
  const message = err instanceof Error ? err.message : '';
  const undefinedName = /^Use of undefined variable: (.*)$/.exec(message)?.[1];
  return undefinedName === undefined ? toCommandError(err) : undefinedVariable(undefinedName);
}

/** MongoDB's rule for a variable a user defines: a lowercase ASCII or non-ASCII first character, then letters, digits, `_`. */
export function checkVariableName(name: string): void {
  if (name === 'CURRENT') return;
  if (name.length === 0) throw new MongoCommandError(16866, 'empty variable names are not allowed');
  if (!/^[a-z\u0080-\uffff]/.test(name)) {
    throw new MongoCommandError(16867, `'${name}' starts with an invalid character for a user variable name`);
  }
  const bad = /[^A-Za-z0-9_\u0080-\uffff]/.exec(name.slice(1));
  if (bad) throw new MongoCommandError(16868, `'${name}' contains an invalid character for a variable name: '${bad[0]}'`);
}

/**
 * A command's `let`: each value evaluated once as an expression (earlier names visible to later
 * ones), in query form, with $$CLUSTER_TIME. Undefined when the command has none.
 */
export function resolveLet(raw: unknown): Doc | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'let' is the wrong type '${Array.isArray(raw) ? 'array' : typeof raw}', expected type 'object'`,
    );
  }
  const vars: Doc = { CLUSTER_TIME: clusterTime() };
  for (const [name, expr] of Object.entries(toView(raw) as Doc)) {
    checkVariableName(name);
    checkVariables(expr, vars);
    if (readsDocument(expr)) {
      throw new MongoCommandError(
        4890500,
        'Command let Expression tried to access a field, but this is not allowed because command let expressions run before the query examines any documents.',
      );
    }
    try {
      vars[name] = evalExpr({}, expr, { context: CONTEXT, variables: vars, scriptEnabled: false, useStrictMode: true } as never);
    } catch (err) {
      throw expressionError(err);
    }
  }
  return vars;
}

/** Whether an expression reads the document it runs on (a field path, $$ROOT, $$CURRENT). */
function readsDocument(expr: unknown): boolean {
  if (typeof expr === 'string') return /^\$(?!\$)|^\$\$(ROOT|CURRENT)\b/.test(expr);
  if (Array.isArray(expr)) return expr.some(readsDocument);
  if (!isPlainObject(expr)) return false;
  return Object.entries(expr).some(([k, v]) => k !== '$literal' && readsDocument(v));
}

interface Scan {
  used: Set<string>;
  bound: Set<string>;
}

/** Names a stage or operator binds for the expressions inside it (checked as MongoDB checks them). */
function bindings(op: string, arg: unknown, scan: Scan): void {
  const bind = (name: unknown): void => {
    if (typeof name !== 'string') return;
    checkVariableName(name);
    scan.bound.add(name);
  };
  if (!isPlainObject(arg)) {
    if (op === '$reduce') ['this', 'value'].forEach((n) => scan.bound.add(n));
    return;
  }
  switch (op) {
    case '$let':
      if (isPlainObject(arg.vars)) Object.keys(arg.vars).forEach(bind);
      return;
    case '$map':
    case '$filter':
      if (arg.as === undefined) scan.bound.add('this');
      else bind(arg.as);
      return;
    case '$reduce':
      ['this', 'value'].forEach((n) => scan.bound.add(n));
      return;
    case '$lookup':
    case '$merge':
      if (isPlainObject(arg.let)) Object.keys(arg.let).forEach(bind);
      if (op === '$merge') scan.bound.add('new');
      return;
    default:
      return;
  }
}

/** Walks a query filter: only `$expr` holds expressions (elsewhere "$$x" is a plain string). */
function scanFilter(filter: unknown, scan: Scan): void {
  if (Array.isArray(filter)) {
    for (const f of filter) scanFilter(f, scan);
    return;
  }
  if (!isPlainObject(filter)) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$expr') scanExpr(v, scan);
    else if (k === '$and' || k === '$or' || k === '$nor') scanFilter(v, scan);
  }
}

function scanExpr(node: unknown, scan: Scan): void {
  if (typeof node === 'string') {
    if (node.startsWith('$$') && node.length > 2) scan.used.add(node.slice(2).split('.')[0]!);
    return;
  }
  if (Array.isArray(node)) {
    for (const n of node) scanExpr(n, scan);
    return;
  }
  if (!isPlainObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$literal') continue;
    if (k === '$match' || k === 'restrictSearchWithMatch') {
      scanFilter(v, scan);
      continue;
    }
    if (k.startsWith('$')) bindings(k, v, scan);
    scanExpr(v, scan);
  }
}

/**
 * Throws MongoDB's 17276 for a `$$name` that nothing defines: not a system variable, not in
 * `defined`, and bound nowhere in the tree. (A name bound elsewhere in the tree but used out of
 * its scope is caught when evaluated.) Also checks the names the tree binds.
 */
export function checkVariables(tree: unknown, defined: Doc | undefined, kind: 'expression' | 'filter' = 'expression'): void {
  const scan: Scan = { used: new Set(), bound: new Set() };
  if (kind === 'filter') scanFilter(tree, scan);
  else scanExpr(tree, scan);
  for (const name of scan.used) {
    if (SYSTEM_VARIABLES.has(name) || scan.bound.has(name) || (defined !== undefined && name in defined)) continue;
    throw undefinedVariable(name);
  }
}
