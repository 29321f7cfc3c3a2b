/**
 * Views: a view is a catalog entry whose reads run its pipeline over its source (a collection
 * or another view), followed by what the read asks, as MongoDB rewrites them; writes to it are
 * refused. Definitions are checked when created or changed (stages, cycles, depth).
 */
import { MongoCommandError } from '../errors';
import { findRecs } from '../query/executor';
import { mingoOptions, newAggregator } from '../query/matcher';
import { compileProjection } from '../query/projection';
import { catalogError } from '../storage/codes';
import type { Collection } from '../storage/collection';
import { compareValues, isPlainObject, keyString, toNumber, toView, toViewCopy, valuesAtPath, type Doc } from '../values';
import { sourceOf, type CommandContext } from './context';

/** MongoDB's limit on views defined on views. */
const MAX_VIEW_DEPTH = 20;

/** Runs an aggregate command (the read handler's), giving its reply. */
export type AggregateRunner = (cmd: Doc, ctx: CommandContext) => Promise<Doc>;

interface Resolved {
  /** The collection the chain of views ends at. */
  source: string;
  pipeline: Doc[];
  collation?: Doc;
}

/** The catalog entry `name` when it is a view (a time-series collection reads as one too). */
export function viewNamed(ctx: CommandContext, name: unknown): Collection | undefined {
  if (typeof name !== 'string') return undefined;
  const coll = ctx.state.engine.collection(ctx.db, name);
  return coll?.view ? coll : undefined;
}

function resolve(ctx: CommandContext, view: Collection): Resolved {
  const pipeline: Doc[] = [];
  let current: Collection | undefined = view;
  let source = view.name;
  for (let depth = 0; current?.view; depth++) {
    if (depth >= MAX_VIEW_DEPTH) {
      throw catalogError('ViewDepthLimitExceeded', `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
    }
    pipeline.unshift(...current.view.pipeline);
    source = current.view.viewOn;
    current = ctx.state.engine.collection(ctx.db, source);
  }
  const collation = isPlainObject(view.options.collation) ? view.options.collation : undefined;
  return { source, pipeline, ...(collation ? { collation } : {}) };
}

/** A read may name a collation only when it is the view's own (simple when the view has none). */
function checkCollation(resolved: Resolved, cmd: Doc): void {
  const asked = cmd.collation;
  if (!isPlainObject(asked)) return;
  const own = resolved.collation ?? { locale: 'simple' };
  const same = asked.locale === own.locale && (asked.strength ?? own.strength) === own.strength;
  if (!same) throw catalogError('OptionNotSupportedOnView', "Cannot override a view's default collation");
}

/** The documents of view + stages, read through the aggregate handler on the source collection. */
async function runOnSource(ctx: CommandContext, view: Collection, stages: Doc[], cmd: Doc, run: AggregateRunner): Promise<Doc[]> {
  const resolved = resolve(ctx, view);
  checkCollation(resolved, cmd);
  const inner: Doc = { aggregate: resolved.source, pipeline: [...resolved.pipeline, ...stages], cursor: {}, $db: ctx.db };
  if (resolved.collation) inner.collation = resolved.collation;
  if (cmd.let !== undefined) inner.let = cmd.let;
  const reply = await run(inner, ctx);
  const cursor = reply.cursor as { firstBatch: Doc[]; id: unknown; ns: string };
  const docs = [...cursor.firstBatch];
  for (let id = cursor.id; String(id) !== '0';) {
    const more = ctx.state.cursors.getMore(id, cursor.ns, undefined);
    docs.push(...more.batch);
    id = more.id;
  }
  return docs;
}

function optionalDoc(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object'`);
  return v;
}

function matchStages(filter: Doc | undefined, sort?: Doc, skip?: unknown, limit?: unknown): Doc[] {
  const stages: Doc[] = [];
  if (filter && Object.keys(filter).length > 0) stages.push({ $match: filter });
  if (sort && Object.keys(sort).length > 0) stages.push({ $sort: sort });
  const s = skip === undefined || skip === null ? 0 : toNumber(skip);
  if (s > 0) stages.push({ $skip: s });
  const l = limit === undefined || limit === null ? 0 : Math.abs(toNumber(limit));
  if (l > 0) stages.push({ $limit: l });
  return stages;
}

function batchSizeOf(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : toNumber(v);
}

/** find on a view: the view's pipeline, then $match, $sort, $skip, $limit, then the projection. */
export async function findOnView(cmd: Doc, ctx: CommandContext, view: Collection, run: AggregateRunner): Promise<Doc> {
  const stages = matchStages(optionalDoc(cmd, 'filter'), optionalDoc(cmd, 'sort'), cmd.skip, cmd.limit);
  let docs = await runOnSource(ctx, view, stages, cmd, run);
  const projector = compileProjection(optionalDoc(cmd, 'projection'));
  if (projector) docs = docs.map((d) => projector.apply(d));
  const ns = view.ns;
  const single = cmd.singleBatch === true || (cmd.limit !== undefined && toNumber(cmd.limit) < 0);
  const batch = ctx.state.cursors.open(ns, docs, batchSizeOf(cmd.batchSize), single);
  return { cursor: { firstBatch: batch.batch, id: batch.id, ns }, ok: 1 };
}

export async function countOnView(cmd: Doc, ctx: CommandContext, view: Collection, run: AggregateRunner): Promise<Doc> {
  const stages = [...matchStages(optionalDoc(cmd, 'query'), undefined, cmd.skip, cmd.limit), { $count: 'n' }];
  const docs = await runOnSource(ctx, view, stages, cmd, run);
  return { n: toNumber(docs[0]?.n ?? 0), ok: 1 };
}

export async function distinctOnView(cmd: Doc, ctx: CommandContext, view: Collection, run: AggregateRunner): Promise<Doc> {
  if (typeof cmd.key !== 'string') throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  const docs = await runOnSource(ctx, view, matchStages(optionalDoc(cmd, 'query')), cmd, run);
  const seen = new Map<string, unknown>();
  for (const d of docs) {
    for (const v of valuesAtPath(d, cmd.key).values) {
      if (v !== undefined && !seen.has(keyString(v))) seen.set(keyString(v), v);
    }
  }
  return { values: [...seen.values()].sort(compareValues), ok: 1 };
}

export async function aggregateOnView(cmd: Doc, ctx: CommandContext, view: Collection, run: AggregateRunner): Promise<Doc> {
  if (!Array.isArray(cmd.pipeline)) throw new MongoCommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  if (cmd.explain === true) {
    const resolved = resolve(ctx, view);
    return run({ ...cmd, aggregate: resolved.source, pipeline: [...resolved.pipeline, ...(cmd.pipeline as Doc[])] }, ctx);
  }
  const docs = await runOnSource(ctx, view, cmd.pipeline as Doc[], cmd, run);
  const batchSize = isPlainObject(cmd.cursor) ? batchSizeOf(cmd.cursor.batchSize) : undefined;
  const batch = ctx.state.cursors.open(view.ns, docs, batchSize);
  return { cursor: { firstBatch: batch.batch, id: batch.id, ns: view.ns }, ok: 1 };
}

/** A view's documents for $lookup, $graphLookup and $unionWith (query form); undefined for a collection. */
export function lookupDocs(ctx: CommandContext, name: string): Doc[] | undefined {
  const view = viewNamed(ctx, name);
  if (!view) return undefined;
  const resolved = resolve(ctx, view);
  const docs = findRecs(sourceOf(ctx, ctx.state.engine.collection(ctx.db, resolved.source)), {}).recs.map((r) => toViewCopy(r.doc) as Doc);
  const resolver = (other: string): Doc[] =>
    lookupDocs(ctx, other) ??
    findRecs(sourceOf(ctx, ctx.state.engine.collection(ctx.db, other)), {}).recs.map((r) => toViewCopy(r.doc) as Doc);
  return newAggregator(toView(resolved.pipeline) as Doc[], { ...mingoOptions(), collectionResolver: resolver }).run(docs);
}

/** The error every write to a view gets. */
export function viewWriteError(ns: string): MongoCommandError {
  return catalogError('CommandNotSupportedOnView', `Namespace ${ns} is a view, not a collection`);
}

// ------------------------------------------------------------------------------ definitions

/** Collections a pipeline reads besides its source: $lookup, $graphLookup, $unionWith, also inside $facet and sub-pipelines. */
function involved(pipeline: unknown, out: Set<string>): Set<string> {
  if (!Array.isArray(pipeline)) return out;
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) continue;
    for (const [name, spec] of Object.entries(stage)) {
      if ((name === '$lookup' || name === '$graphLookup') && isPlainObject(spec)) {
        if (typeof spec.from === 'string') out.add(spec.from);
        involved(spec.pipeline, out);
      } else if (name === '$unionWith') {
        if (typeof spec === 'string') out.add(spec);
        else if (isPlainObject(spec)) {
          if (typeof spec.coll === 'string') out.add(spec.coll);
          involved(spec.pipeline, out);
        }
      } else if (name === '$facet' && isPlainObject(spec)) {
        for (const sub of Object.values(spec)) involved(sub, out);
      }
    }
  }
  return out;
}

function checkStages(ns: string, pipeline: Doc[]): void {
  pipeline.forEach((stage, i) => {
    const keys = Object.keys(stage);
    if (keys.length !== 1) throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    const name = keys[0]!;
    if (name === '$out' || name === '$merge') {
      throw catalogError(
        'OptionNotSupportedOnView',
        `The aggregation stage ${name} in location ${i} of the pipeline cannot be used in the view definition of ${ns} because it writes to disk`,
      );
    }
    if (name === '$changeStream') throw catalogError('OptionNotSupportedOnView', '$changeStream cannot be used in a view definition');
  });
  try {
    newAggregator(toView(pipeline) as Doc[], mingoOptions()).run([]);
  } catch (err) {
    const stage = /unregistered pipeline operator (\$\w+)/.exec((err as Error).message)?.[1];
    if (stage) throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${stage}'`);
  }
}

/**
 * Checks a view definition for `db.name` before it is stored: the pipeline's stages, and that
 * following it (its source and every collection its stages read) never leads back to the view.
 */
export function checkViewDefinition(ctx: CommandContext, name: string, viewOn: unknown, pipeline: unknown): Doc[] {
  if (typeof viewOn !== 'string') {
    throw new MongoCommandError('TypeMismatch', `BSON field 'viewOn' is the wrong type '${typeof viewOn}', expected type 'string'`);
  }
  if (viewOn.length === 0) throw new MongoCommandError('BadValue', "'viewOn' cannot be empty");
  const stages = pipeline === undefined ? [] : pipeline;
  if (!Array.isArray(stages) || !stages.every(isPlainObject)) {
    throw new MongoCommandError('TypeMismatch', "BSON field 'pipeline' is the wrong type, expected type 'array' of objects");
  }
  const ns = `${ctx.db}.${name}`;
  checkStages(ns, stages);
  const childrenOf = (n: string): string[] => {
    if (n === name) return [viewOn, ...involved(stages, new Set())];
    const coll = ctx.state.engine.collection(ctx.db, n);
    return coll?.view ? [coll.view.viewOn, ...involved(coll.view.pipeline, new Set())] : [];
  };
  const walk = (n: string, path: string[]): void => {
    if (path.length > MAX_VIEW_DEPTH)
      throw catalogError('ViewDepthLimitExceeded', `View depth limit exceeded; maximum depth is ${MAX_VIEW_DEPTH}`);
    for (const child of childrenOf(n)) {
      if (child === name) {
        throw catalogError('GraphContainsCycle', `View cycle detected: ${[...path, n, name].map((x) => `${ctx.db}.${x}`).join(' => ')}`);
      }
      walk(child, [...path, n]);
    }
  };
  walk(name, []);
  return stages;
}
