/** Reads: find, getMore, killCursors, count, distinct, aggregate, explain. */
import { MongoCommandError, toCommandError } from '../errors';
import { distinctValues, parseCollation } from '../query/collation';
import { collectionlessInput } from '../query/collectionless';
import { countMatches, explainFind, findRecs, type DocSource, type FindOptions, type FindResult } from '../query/executor';
import { mingoOptions, newAggregator, type MingoExtra } from '../query/matcher';
import { nativeGroup } from '../query/group';
import { compileProjection } from '../query/projection';
import { resolveLet } from '../query/variables';
import { isPlainObject, toNumber, toView, toViewCopy, valuesAtPath, type Doc } from '../values';
import { collName, sourceOf, type CommandContext, type Handler } from './context';
import { aggregateOnView, countOnView, distinctOnView, findOnView, lookupDocs, viewNamed } from './views';
import { writeStageOutput } from './write';

export function optionalNumber(cmd: Doc, field: string, min = 0): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  const n = toNumber(v);
  if (!Number.isFinite(n)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
    );
  }
  if (n < min) throw new MongoCommandError(51024, `BSON field '${field}' value must be >= ${min}, actual value '${n}'`);
  return Math.trunc(n);
}

function optionalObject(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  }
  return v;
}

export function sourceFor(ctx: CommandContext, name: string): DocSource {
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (ctx.readAt) return ctx.state.engine.snapshots.source(coll, `${ctx.db}.${name}`, ctx.readAt);
  return sourceOf(ctx, coll);
}

function findOptions(cmd: Doc): FindOptions {
  const limit = cmd.limit === undefined ? undefined : Math.abs(toNumber(cmd.limit));
  const opts: FindOptions = { filter: optionalObject(cmd, 'filter') ?? {} };
  const sort = optionalObject(cmd, 'sort');
  if (sort) opts.sort = sort;
  const skip = optionalNumber(cmd, 'skip');
  if (skip) opts.skip = skip;
  if (limit) opts.limit = limit;
  if (cmd.hint !== undefined) opts.hint = cmd.hint;
  const collation = optionalObject(cmd, 'collation');
  if (collation) opts.collation = collation;
  const variables = resolveLet(cmd.let);
  if (variables) opts.variables = variables;
  return opts;
}

function runFind(cmd: Doc, ctx: CommandContext): { res: FindResult; opts: FindOptions; ns: string } {
  const name = collName(cmd, 'find');
  const opts = findOptions(cmd);
  return { res: findRecs(sourceFor(ctx, name), opts), opts, ns: `${ctx.db}.${name}` };
}

function find(cmd: Doc, ctx: CommandContext): Doc | Promise<Doc> {
  const view = viewNamed(ctx, cmd.find);
  if (view) return findOnView(cmd, ctx, view, aggregate);
  const { res, opts, ns } = runFind(cmd, ctx);
  const projector = compileProjection(optionalObject(cmd, 'projection'), opts.variables);
  const docs = projector ? res.recs.map((r) => projector.apply(r.doc, res.scores.get(r))) : res.recs.map((r) => r.doc);
  const single = cmd.singleBatch === true || (cmd.limit !== undefined && toNumber(cmd.limit) < 0);
  const batch = ctx.state.cursors.open(ns, docs, optionalNumber(cmd, 'batchSize'), single);
  return { cursor: { firstBatch: batch.batch, id: batch.id, ns }, ok: 1 };
}

function getMore(cmd: Doc, ctx: CommandContext): Doc {
  const name = collName(cmd, 'collection');
  const batch = ctx.state.cursors.getMore(cmd.getMore, `${ctx.db}.${name}`, optionalNumber(cmd, 'batchSize'));
  return { cursor: { nextBatch: batch.batch, id: batch.id, ns: batch.ns }, ok: 1 };
}

function killCursors(cmd: Doc, ctx: CommandContext): Doc {
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors : [];
  const { killed, notFound } = ctx.state.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

function count(cmd: Doc, ctx: CommandContext): Doc | Promise<Doc> {
  const view = viewNamed(ctx, cmd.count);
  if (view) return countOnView(cmd, ctx, view, aggregate);
  const name = collName(cmd, 'count');
  const opts: FindOptions = { filter: optionalObject(cmd, 'query') ?? {} };
  const skip = optionalNumber(cmd, 'skip');
  const limit = cmd.limit === undefined ? undefined : Math.abs(toNumber(cmd.limit));
  if (skip) opts.skip = skip;
  if (limit) opts.limit = limit;
  if (cmd.hint !== undefined) opts.hint = cmd.hint;
  const collation = optionalObject(cmd, 'collation');
  if (collation) opts.collation = collation;
  const src = sourceFor(ctx, name);
  if (isPlainObject(opts.filter) && Object.keys(opts.filter).length === 0 && !skip && !limit && !ctx.txn) {
    return { n: src.coll?.docs.size ?? 0, ok: 1 };
  }
  return { n: countMatches(src, opts), ok: 1 };
}

function distinct(cmd: Doc, ctx: CommandContext): Doc | Promise<Doc> {
  const view = viewNamed(ctx, cmd.distinct);
  if (view) return distinctOnView(cmd, ctx, view, aggregate);
  const name = collName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  const opts: FindOptions = { filter: optionalObject(cmd, 'query') ?? {} };
  const collation = optionalObject(cmd, 'collation');
  if (collation) opts.collation = collation;
  const res = findRecs(sourceFor(ctx, name), opts);
  const key = cmd.key;
  const values = res.recs.flatMap((r) => valuesAtPath(r.doc, key).values.filter((v) => v !== undefined));
  return { values: distinctValues(values, res.collation), ok: 1 };
}

// ------------------------------------------------------------------------------- aggregate

interface PipelinePlan {
  find: FindOptions;
  rest: Doc[];
  out?: Doc;
}

/** Takes the leading $match, $sort, $skip and $limit stages, which run through the planner. */
function splitPipeline(pipeline: Doc[]): PipelinePlan {
  const find: FindOptions = { filter: {} };
  let i = 0;
  const stage = (name: string): unknown => (pipeline[i] && name in pipeline[i]! ? pipeline[i]![name] : undefined);
  if (stage('$match') !== undefined) {
    if (!isPlainObject(stage('$match'))) throw new MongoCommandError(15959, 'the match filter must be an expression in an object');
    find.filter = stage('$match');
    i++;
  }
  if (stage('$sort') !== undefined) {
    find.sort = stage('$sort');
    i++;
  }
  if (stage('$skip') !== undefined) {
    find.skip = toNumber(stage('$skip'));
    i++;
  }
  if (stage('$limit') !== undefined) {
    find.limit = toNumber(stage('$limit'));
    i++;
  }
  return { find, ...splitOutput(pipeline.slice(i)) };
}

/** Takes a trailing $out or $merge, which writes the results instead of returning them. */
function splitOutput(stages: Doc[]): { rest: Doc[]; out?: Doc } {
  const last = stages[stages.length - 1];
  if (last && ('$out' in last || '$merge' in last)) return { rest: stages.slice(0, -1), out: last };
  return { rest: stages };
}

/**
 * For a pipeline that is a single `$group` on a constant `_id` whose accumulators are all
 * `{ $sum: <number> }` (a count), the group's output from the number of matching documents.
 */
function constantGroup(rest: Doc[]): ((n: number) => Doc) | undefined {
  if (rest.length !== 1 || !isPlainObject(rest[0]!.$group) || Object.keys(rest[0]!).length !== 1) return undefined;
  const group = rest[0]!.$group as Doc;
  const id = group._id;
  const constantId = id === null || typeof id === 'number' || typeof id === 'boolean' || (typeof id === 'string' && !id.startsWith('$'));
  if (!constantId) return undefined;
  const sums: [string, number][] = [];
  for (const [field, acc] of Object.entries(group)) {
    if (field === '_id') continue;
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1 || typeof (acc as Doc).$sum !== 'number') return undefined;
    sums.push([field, (acc as Doc).$sum as number]);
  }
  return (n) => ({ _id: id, ...Object.fromEntries(sums.map(([f, k]) => [f, n * k])) });
}

async function aggregate(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) {
    throw new MongoCommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  }
  if (typeof cmd.aggregate !== 'string') return aggregateDatabase(cmd, ctx, pipeline);
  const view = viewNamed(ctx, cmd.aggregate);
  if (view) return aggregateOnView(cmd, ctx, view, aggregate);
  const name = cmd.aggregate;
  const ns = `${ctx.db}.${name}`;
  const plan = splitPipeline(pipeline);
  const variables = resolveLet(cmd.let);
  if (variables) plan.find.variables = variables;
  const collation = optionalObject(cmd, 'collation');
  if (collation) plan.find.collation = collation;
  if (cmd.hint !== undefined) plan.find.hint = cmd.hint;
  const counted = cmd.explain !== true && plan.find.sort === undefined && !plan.out ? constantGroup(plan.rest) : undefined;
  let docs: Doc[];
  if (counted) {
    // A count (what countDocuments sends): from the index alone where it decides, and never
    // copying the documents for the aggregator.
    const n = countMatches(sourceFor(ctx, name), plan.find);
    docs = n === 0 ? [] : [counted(n)];
  } else {
    const res = findRecs(sourceFor(ctx, name), plan.find);
    if (cmd.explain === true) return { ...explainFind(ns, res, plan.find), ok: 1 };
    // A leading $group of the common shape reads the stored documents' query forms directly.
    const grouped = plan.rest.length > 0 && !res.collation ? nativeGroup(plan.rest[0]!)?.(res.recs.map((r) => r.view)) : undefined;
    if (plan.rest.length === 0) {
      docs = res.recs.map((r) => r.doc);
    } else if (grouped) {
      docs = plan.rest.length === 1 ? grouped : runStages(ctx, plan.rest.slice(1), grouped, { variables, collation: res.collation });
    } else {
      docs = runStages(
        ctx,
        plan.rest,
        res.recs.map((r) => toViewCopy(r.doc) as Doc),
        { variables, collation: res.collation },
      );
    }
  }
  return finishAggregate(cmd, ctx, ns, docs, plan.out);
}

/** Runs pipeline stages through mingo; $lookup, $graphLookup and $unionWith read other collections. */
function runStages(ctx: CommandContext, stages: Doc[], input: Doc[], extra: MingoExtra): Doc[] {
  const cache = new Map<string, Doc[]>();
  const resolver = (other: string): Doc[] => {
    let list = cache.get(other);
    if (!list) {
      list = lookupDocs(ctx, other) ?? findRecs(sourceFor(ctx, other), {}).recs.map((r) => toViewCopy(r.doc) as Doc);
      cache.set(other, list);
    }
    return list;
  };
  try {
    const agg = newAggregator(toView(stages) as Doc[], { ...mingoOptions(extra), collectionResolver: resolver });
    return agg.run(input);
  } catch (err) {
    throw toCommandError(err);
  }
}

/** Writes a trailing $out/$merge, or opens the cursor over the results. */
async function finishAggregate(cmd: Doc, ctx: CommandContext, ns: string, docs: Doc[], out: Doc | undefined): Promise<Doc> {
  if (out) {
    await writeStageOutput(ctx, out, docs, cmd.bypassDocumentValidation === true);
    docs = [];
  }
  const batchSize = isPlainObject(cmd.cursor) ? optionalNumber(cmd.cursor, 'batchSize') : undefined;
  const batch = ctx.state.cursors.open(ns, docs, batchSize);
  return { cursor: { firstBatch: batch.batch, id: batch.id, ns }, ok: 1 };
}

/** `{aggregate: 1}`: a pipeline whose first stage ($documents, $listLocalSessions) reads no collection. */
async function aggregateDatabase(cmd: Doc, ctx: CommandContext, pipeline: Doc[]): Promise<Doc> {
  if (cmd.aggregate !== 1) {
    throw new MongoCommandError('FailedToParse', "Invalid command format: the 'aggregate' field must specify a collection name or 1");
  }
  const ns = `${ctx.db}.$cmd.aggregate`;
  const variables = resolveLet(cmd.let);
  const collation = parseCollation(optionalObject(cmd, 'collation'));
  const input = collectionlessInput(pipeline, { variables, sessions: ctx.state.sessions.all() });
  if (cmd.explain === true) {
    return { explainVersion: '1', queryPlanner: { namespace: ns, winningPlan: { stage: 'QUEUED_DATA' } }, command: cmd, ok: 1 };
  }
  const { rest, out } = splitOutput(pipeline.slice(1));
  const docs = rest.length === 0 ? input : runStages(ctx, rest, input, { variables, collation });
  return finishAggregate(cmd, ctx, ns, docs, out);
}

async function explain(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const inner = cmd.explain;
  if (!isPlainObject(inner)) throw new MongoCommandError('BadValue', 'explain command requires a nested object');
  if ('find' in inner) {
    const { res, opts, ns } = runFind(inner, ctx);
    return { ...explainFind(ns, res, opts), command: inner, ok: 1 };
  }
  if ('aggregate' in inner) return aggregate({ ...inner, explain: true }, ctx);
  if ('count' in inner || 'distinct' in inner) {
    const name = String(inner.count ?? inner.distinct);
    const opts: FindOptions = { filter: optionalObject(inner, 'query') ?? {} };
    return { ...explainFind(`${ctx.db}.${name}`, findRecs(sourceFor(ctx, name), opts), opts), ok: 1 };
  }
  throw new MongoCommandError('CommandNotFound', `Explain is not supported for this command`);
}

export const readCommands: Record<string, Handler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
  explain,
};
