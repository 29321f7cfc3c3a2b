/** Reads: find, getMore, killCursors, count, distinct, aggregate, explain. */
import { MongoCommandError, toCommandError } from '../errors';
import { countMatches, explainFind, findRecs, type DocSource, type FindOptions, type FindResult } from '../query/executor';
import { mingoOptions, newAggregator } from '../query/matcher';
import { compileProjection } from '../query/projection';
import { compareValues, isPlainObject, keyString, toNumber, toView, toViewCopy, valuesAtPath, type Doc } from '../values';
import { collName, sourceOf, type CommandContext, type Handler } from './context';
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
  return sourceOf(ctx, ctx.state.engine.collection(ctx.db, name));
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
  const vars = optionalObject(cmd, 'let');
  if (vars) opts.variables = toView(vars) as Doc;
  return opts;
}

function runFind(cmd: Doc, ctx: CommandContext): { res: FindResult; opts: FindOptions; ns: string } {
  const name = collName(cmd, 'find');
  const opts = findOptions(cmd);
  return { res: findRecs(sourceFor(ctx, name), opts), opts, ns: `${ctx.db}.${name}` };
}

function find(cmd: Doc, ctx: CommandContext): Doc {
  const { res, ns } = runFind(cmd, ctx);
  const projector = compileProjection(optionalObject(cmd, 'projection'));
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

function count(cmd: Doc, ctx: CommandContext): Doc {
  const name = collName(cmd, 'count');
  const opts: FindOptions = { filter: optionalObject(cmd, 'query') ?? {} };
  const skip = optionalNumber(cmd, 'skip');
  const limit = cmd.limit === undefined ? undefined : Math.abs(toNumber(cmd.limit));
  if (skip) opts.skip = skip;
  if (limit) opts.limit = limit;
  if (cmd.hint !== undefined) opts.hint = cmd.hint;
  const src = sourceFor(ctx, name);
  if (isPlainObject(opts.filter) && Object.keys(opts.filter).length === 0 && !skip && !limit && !ctx.txn) {
    return { n: src.coll?.docs.size ?? 0, ok: 1 };
  }
  return { n: countMatches(src, opts), ok: 1 };
}

function distinct(cmd: Doc, ctx: CommandContext): Doc {
  const name = collName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  const opts: FindOptions = { filter: optionalObject(cmd, 'query') ?? {} };
  const collation = optionalObject(cmd, 'collation');
  if (collation) opts.collation = collation;
  const res = findRecs(sourceFor(ctx, name), opts);
  const seen = new Map<string, unknown>();
  for (const r of res.recs) {
    for (const v of valuesAtPath(r.doc, cmd.key).values) {
      if (v === undefined) continue;
      const k = keyString(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()].sort(compareValues), ok: 1 };
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
  let rest = pipeline.slice(i);
  let out: Doc | undefined;
  const last = rest[rest.length - 1];
  if (last && ('$out' in last || '$merge' in last)) {
    out = last;
    rest = rest.slice(0, -1);
  }
  return { find, rest, ...(out ? { out } : {}) };
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
  if (typeof cmd.aggregate !== 'string') {
    throw new MongoCommandError('InvalidNamespace', "{aggregate: 1} is not valid for '$match'; a collection is required.");
  }
  const name = cmd.aggregate;
  const ns = `${ctx.db}.${name}`;
  const plan = splitPipeline(pipeline);
  const vars = optionalObject(cmd, 'let');
  if (vars) plan.find.variables = toView(vars) as Doc;
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
    if (plan.rest.length === 0) {
      docs = res.recs.map((r) => r.doc);
    } else {
      const cache = new Map<string, Doc[]>();
      const resolver = (other: string): Doc[] => {
        let list = cache.get(other);
        if (!list) {
          list = findRecs(sourceFor(ctx, other), {}).recs.map((r) => toViewCopy(r.doc) as Doc);
          cache.set(other, list);
        }
        return list;
      };
      try {
        const agg = newAggregator(toView(plan.rest) as Doc[], {
          ...mingoOptions(plan.find.variables ? { variables: plan.find.variables } : {}),
          collectionResolver: resolver,
        });
        docs = agg.run(res.recs.map((r) => toViewCopy(r.doc) as Doc));
      } catch (err) {
        throw toCommandError(err);
      }
    }
  }
  if (plan.out) {
    await writeStageOutput(ctx, plan.out, docs);
    docs = [];
  }
  const batchSize = isPlainObject(cmd.cursor) ? optionalNumber(cmd.cursor, 'batchSize') : undefined;
  const batch = ctx.state.cursors.open(ns, docs, batchSize);
  return { cursor: { firstBatch: batch.batch, id: batch.id, ns }, ok: 1 };
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
