/** Writes: insert, update, delete, findAndModify, and the output of $out / $merge. */
import { calculateObjectSize, ObjectId, UUID } from 'bson';
import { MongoCommandError, toCommandError } from '../errors';
import { committedSource, findRecs, type FindOptions } from '../query/executor';
import { compileProjection } from '../query/projection';
import { applyUpdate, buildUpsert, parseUpdate, type UpdateSpec } from '../query/update';
import { resolveLet } from '../query/variables';
import type { Rec } from '../storage/collection';
import type { WriteUnit } from '../storage/engine';
import { isPlainObject, keyString, toNumber, toView, type Doc } from '../values';
import { assertUnlocked, insertDoc, removeDoc, replaceDoc, retryWhileBlocked, type WriteCtx } from '../writes';
import { checkDocument } from '../storage/validator';
import { collName, sourceOf, type CommandContext, type Handler } from './context';
import { deleteMeasurements, insertMeasurement, updateMeasurements } from './timeseries';
import { viewWriteError } from './views';

const MAX_DOC_BYTES = 16 * 1024 * 1024;

/** Gives a new document its _id (first, as MongoDB does) and checks what MongoDB checks. */
export function prepareInsert(raw: unknown): Doc {
  if (!isPlainObject(raw)) throw new MongoCommandError('TypeMismatch', 'document to insert must be an object');
  // MongoDB stores _id as the first field, whatever order the client sent.
  const { _id, ...rest } = raw;
  const doc: Doc = { _id: _id === undefined ? new ObjectId() : _id, ...rest };
  if (Array.isArray(doc._id)) throw new MongoCommandError('BadValue', `can't use an array for _id`);
  if (doc._id instanceof RegExp) throw new MongoCommandError('BadValue', `can't use a regex for _id`);
  if (isPlainObject(doc._id) && Object.keys(doc._id).some((k) => k.startsWith('$'))) {
    throw new MongoCommandError('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields`);
  }
  const size = calculateObjectSize(doc);
  if (size > MAX_DOC_BYTES)
    throw new MongoCommandError('BSONObjectTooLarge', `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOC_BYTES}`);
  return doc;
}

interface WriteErrorDoc extends Doc {
  index: number;
  code: number;
  errmsg: string;
}

function writeError(index: number, err: MongoCommandError): WriteErrorDoc {
  return { index, code: err.code, errmsg: err.message, ...err.extra };
}

/**
 * Runs the statements of a write command. A failing statement becomes a writeError (ordered
 * batches stop there); WriteConflict inside a transaction is a command error, as in MongoDB.
 * Whatever was applied is journalled before the reply.
 */
async function runStatements(
  ctx: CommandContext,
  name: string,
  statements: unknown,
  field: string,
  ordered: boolean,
  run: (stmt: Doc, index: number, wctx: WriteCtx) => Promise<void>,
): Promise<WriteErrorDoc[]> {
  if (!Array.isArray(statements)) throw new MongoCommandError('TypeMismatch', `BSON field '${field}' is missing but a required field`);
  if (statements.length > 100_000) throw new MongoCommandError('InvalidLength', 'Write batch sizes must be between 1 and 100000');
  const engine = ctx.state.engine;
  const unit: WriteUnit = { ops: [] };
  const wctx: WriteCtx = { engine, txn: ctx.txn, unit };
  const errors: WriteErrorDoc[] = [];
  try {
    const target = engine.ensureCollection(unit, ctx.db, name);
    if (target.view && !target.timeseries) throw viewWriteError(target.ns);
    for (let i = 0; i < statements.length; i++) {
      try {
        const stmt = statements[i];
        if (!isPlainObject(stmt)) throw new MongoCommandError('TypeMismatch', `${field}.${i} must be an object`);
        await run(stmt, i, wctx);
      } catch (e) {
        const err = toCommandError(e);
        if (ctx.txn && err.code === 112) throw err;
        errors.push(writeError(i, err));
        if (ordered || ctx.txn) break;
      }
    }
  } finally {
    await engine.commit(unit);
  }
  return errors;
}

function withErrors(reply: Doc, errors: WriteErrorDoc[]): Doc {
  if (errors.length > 0) reply.writeErrors = errors;
  return reply;
}

async function insert(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'insert');
  const bypass = cmd.bypassDocumentValidation === true;
  let n = 0;
  const errors = await runStatements(ctx, name, cmd.documents, 'documents', cmd.ordered !== false, async (raw, _i, wctx) => {
    const doc = prepareInsert(raw);
    const coll = ctx.state.engine.collection(ctx.db, name)!;
    if (coll.validation && !bypass) checkDocument(coll.validation, doc);
    if (coll.view) await retryWhileBlocked(() => insertMeasurement(ctx, wctx, coll, doc));
    else await retryWhileBlocked(() => insertDoc(wctx, coll, doc));
    n++;
  });
  return withErrors({ n, ok: 1 }, errors);
}

function sameDoc(a: Doc, b: Doc): boolean {
  return keyString(a) === keyString(b);
}

interface UpdateResult {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before?: Rec;
  after?: Doc;
}

/** One update statement: find, compute every new version, wait for locks, then apply. */
function updateStatement(
  ctx: CommandContext,
  wctx: WriteCtx,
  name: string,
  stmt: { q: Doc; spec: UpdateSpec; multi: boolean; upsert: boolean; arrayFilters?: Doc[]; find: FindOptions; bypass: boolean },
): UpdateResult {
  const coll = ctx.state.engine.collection(ctx.db, name)!;
  const src = sourceOf(ctx, coll);
  const found = findRecs(src, { ...stmt.find, filter: stmt.q, ...(stmt.multi ? {} : { limit: 1 }) });
  const filterView = toView(stmt.q) as Doc;
  const updates = found.recs.map((rec) => ({
    rec,
    next: applyUpdate(rec.doc, stmt.spec, {
      filter: filterView,
      isInsert: false,
      variables: stmt.find.variables,
      ...(stmt.arrayFilters ? { arrayFilters: stmt.arrayFilters } : {}),
    }),
  }));
  const changed = updates.filter((u) => !sameDoc(u.rec.doc, u.next));
  if (coll.validation && !stmt.bypass) for (const u of changed) checkDocument(coll.validation, u.next, u.rec.doc);
  if (updates.length === 0 && stmt.upsert) {
    const doc = buildUpsert(stmt.q, filterView, stmt.spec, stmt.arrayFilters, stmt.find.variables);
    if (coll.validation && !stmt.bypass) checkDocument(coll.validation, doc);
    insertDoc(wctx, coll, doc);
    return { matched: 0, modified: 0, upsertedId: doc._id, after: doc };
  }
  assertUnlocked(
    wctx,
    coll,
    changed.map((u) => keyString(u.rec.doc._id)),
    changed.map((u) => u.next),
  );
  for (const u of changed) replaceDoc(wctx, coll, keyString(u.rec.doc._id), u.next);
  const first = updates[0];
  return { matched: updates.length, modified: changed.length, ...(first ? { before: first.rec, after: first.next } : {}) };
}

/** A statement's query options; `variables` is the command's resolved `let`. */
function statementFind(stmt: Doc, variables: Doc | undefined): FindOptions {
  const find: FindOptions = {};
  if (variables) find.variables = variables;
  if (stmt.hint !== undefined) find.hint = stmt.hint;
  if (isPlainObject(stmt.collation)) find.collation = stmt.collation;
  if (isPlainObject(stmt.sort)) find.sort = stmt.sort;
  return find;
}

async function update(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'update');
  const variables = resolveLet(cmd.let);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const errors = await runStatements(ctx, name, cmd.updates, 'updates', cmd.ordered !== false, async (stmt, index, wctx) => {
    if (!isPlainObject(stmt.q)) throw new MongoCommandError('TypeMismatch', "BSON field 'q' is missing but a required field");
    const spec = parseUpdate(stmt.u);
    const multi = stmt.multi === true;
    if (multi && spec.kind === 'replace')
      throw new MongoCommandError('FailedToParse', 'multi update is not supported for replacement-style update');
    const arrayFilters = Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Doc[]) : undefined;
    const coll = ctx.state.engine.collection(ctx.db, name)!;
    if (coll.view) {
      const res = await retryWhileBlocked(() =>
        updateMeasurements(ctx, wctx, coll, { q: stmt.q as Doc, spec, multi, upsert: stmt.upsert === true }),
      );
      n += res.matched;
      nModified += res.modified;
      return;
    }
    const res = await retryWhileBlocked(() =>
      updateStatement(ctx, wctx, name, {
        q: stmt.q as Doc,
        spec,
        multi,
        upsert: stmt.upsert === true,
        ...(arrayFilters ? { arrayFilters } : {}),
        find: statementFind(stmt, variables),
        bypass: cmd.bypassDocumentValidation === true,
      }),
    );
    n += res.matched;
    nModified += res.modified;
    if (res.upsertedId !== undefined) {
      n++;
      upserted.push({ index, _id: res.upsertedId });
    }
  });
  const reply: Doc = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  return withErrors(reply, errors);
}

async function remove(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = collName(cmd, 'delete');
  const variables = resolveLet(cmd.let);
  let n = 0;
  const errors = await runStatements(ctx, name, cmd.deletes, 'deletes', cmd.ordered !== false, async (stmt, _i, wctx) => {
    if (!isPlainObject(stmt.q)) throw new MongoCommandError('TypeMismatch', "BSON field 'q' is missing but a required field");
    const limit = toNumber(stmt.limit ?? 0);
    if (limit !== 0 && limit !== 1) throw new MongoCommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
    const target = ctx.state.engine.collection(ctx.db, name)!;
    if (target.view) {
      n += await retryWhileBlocked(() => deleteMeasurements(ctx, wctx, target, stmt.q as Doc, limit));
      return;
    }
    n += await retryWhileBlocked(() => {
      const coll = ctx.state.engine.collection(ctx.db, name)!;
      const src = sourceOf(ctx, coll);
      const found = findRecs(src, { ...statementFind(stmt, variables), filter: stmt.q, ...(limit === 1 ? { limit: 1 } : {}) });
      const ids = found.recs.map((r) => keyString(r.doc._id));
      assertUnlocked(wctx, coll, ids, []);
      found.recs.forEach((r, i) => removeDoc(wctx, coll, ids[i]!, r.doc._id));
      return found.recs.length;
    });
  });
  return withErrors({ n, ok: 1 }, errors);
}

async function findAndModify(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = typeof cmd.findAndModify === 'string' ? collName(cmd, 'findAndModify') : collName(cmd, 'findandmodify');
  const isRemove = cmd.remove === true;
  const hasUpdate = cmd.update !== undefined;
  if (isRemove && hasUpdate) throw new MongoCommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!isRemove && !hasUpdate) throw new MongoCommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (isRemove && cmd.upsert === true) throw new MongoCommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const q = cmd.query === undefined ? {} : cmd.query;
  if (!isPlainObject(q)) throw new MongoCommandError('TypeMismatch', "BSON field 'query' is the wrong type, expected type 'object'");
  const find: FindOptions = statementFind(cmd, resolveLet(cmd.let));
  const projector = compileProjection(cmd.fields, find.variables);
  const shape = (d: Doc | undefined): Doc | null => (d ? (projector ? projector.apply(d) : d) : null);
  const engine = ctx.state.engine;
  const unit: WriteUnit = { ops: [] };
  const wctx: WriteCtx = { engine, txn: ctx.txn, unit };
  try {
    const target = engine.ensureCollection(unit, ctx.db, name);
    if (target.timeseries) throw new MongoCommandError('InvalidOptions', 'findAndModify is not supported on a time-series collection');
    if (target.view) throw viewWriteError(target.ns);
    if (isRemove) {
      const removed = await retryWhileBlocked(() => {
        const coll = engine.collection(ctx.db, name)!;
        const src = sourceOf(ctx, coll);
        const rec = findRecs(src, { ...find, filter: q, limit: 1 }).recs[0];
        if (!rec) return undefined;
        assertUnlocked(wctx, coll, [keyString(rec.doc._id)], []);
        removeDoc(wctx, coll, keyString(rec.doc._id), rec.doc._id);
        return rec.doc;
      });
      return { lastErrorObject: { n: removed ? 1 : 0 }, value: shape(removed), ok: 1 };
    }
    const spec = parseUpdate(cmd.update);
    const arrayFilters = Array.isArray(cmd.arrayFilters) ? (cmd.arrayFilters as Doc[]) : undefined;
    const res = await retryWhileBlocked(() =>
      updateStatement(ctx, wctx, name, {
        q,
        spec,
        multi: false,
        upsert: cmd.upsert === true,
        ...(arrayFilters ? { arrayFilters } : {}),
        find,
        bypass: cmd.bypassDocumentValidation === true,
      }),
    );
    const lastErrorObject: Doc = { n: res.matched + (res.upsertedId !== undefined ? 1 : 0), updatedExisting: res.matched > 0 };
    if (res.upsertedId !== undefined) lastErrorObject.upserted = res.upsertedId;
    const value = cmd.new === true ? res.after : res.before?.doc;
    return { lastErrorObject, value: shape(value), ok: 1 };
  } finally {
    await engine.commit(unit);
  }
}

/** Writes the documents of an aggregation ending in $out or $merge. */
/**
 * Writes a pipeline's results for a trailing $out or $merge. Documents are checked against the
 * target's validator unless `bypass` (the aggregate's bypassDocumentValidation). $out builds the
 * new contents in a temporary collection with the target's options and indexes and renames it
 * over the target at the end, as MongoDB does: a failure leaves the target as it was.
 */
export async function writeStageOutput(ctx: CommandContext, stage: Doc, docs: Doc[], bypass = false): Promise<void> {
  if (ctx.txn) throw new MongoCommandError('OperationNotSupportedInTransaction', '$out and $merge cannot be used in a transaction');
  const engine = ctx.state.engine;
  const unit: WriteUnit = { ops: [] };
  const target = (spec: unknown): [string, string] => {
    if (typeof spec === 'string') return [ctx.db, spec];
    if (isPlainObject(spec) && typeof spec.coll === 'string') return [typeof spec.db === 'string' ? spec.db : ctx.db, spec.coll];
    throw new MongoCommandError('BadValue', 'invalid $out/$merge target');
  };
  const wctx: WriteCtx = { engine, unit };
  try {
    if ('$out' in stage) {
      const [db, name] = target(stage.$out);
      const existing = engine.visibleCollection(db, name);
      if (existing?.view) throw viewWriteError(`${db}.${name}`);
      const tmpName = `tmp.agg_out.${new UUID().toHexString()}`;
      const tmp = engine.createCollection(unit, db, tmpName, existing?.options ?? {});
      try {
        for (const spec of existing?.indexSpecs() ?? []) if (spec.name !== '_id_') engine.createIndex(unit, tmp, spec);
        for (const d of docs) {
          const doc = prepareInsert(d);
          if (tmp.validation && !bypass) checkDocument(tmp.validation, doc);
          insertDoc(wctx, tmp, doc);
        }
        await retryWhileBlocked(() => engine.renameCollection(unit, `${db}.${tmpName}`, `${db}.${name}`, true));
      } catch (err) {
        engine.dropCollection(unit, db, tmpName);
        throw err;
      }
      return;
    }
    const m = isPlainObject(stage.$merge) ? stage.$merge : { into: stage.$merge };
    const [db, name] = target(m.into);
    const coll = engine.ensureCollection(unit, db, name);
    if (coll.view) throw viewWriteError(coll.ns);
    const on = Array.isArray(m.on) ? m.on.map(String) : [typeof m.on === 'string' ? m.on : '_id'];
    const whenMatched = m.whenMatched ?? 'merge';
    const whenNotMatched = m.whenNotMatched ?? 'insert';
    for (const raw of docs) {
      const doc = prepareInsert(raw);
      const filter: Doc = {};
      for (const f of on) filter[f] = doc[f];
      // Like every write outside a transaction: a document a transaction holds is written after it ends.
      await retryWhileBlocked(() => {
        const existing = findRecs(committedSource(coll), { filter, limit: 1 }).recs[0];
        const check = (next: Doc): Doc => {
          if (coll.validation && !bypass) checkDocument(coll.validation, next, existing?.doc);
          return next;
        };
        if (!existing) {
          if (whenNotMatched === 'insert') insertDoc(wctx, coll, check(doc));
          else if (whenNotMatched === 'fail')
            throw new MongoCommandError(13113, '$merge could not find a matching document in the target collection');
          return;
        }
        const id = keyString(existing.doc._id);
        if (whenMatched === 'replace') replaceDoc(wctx, coll, id, check({ ...doc, _id: existing.doc._id }));
        else if (whenMatched === 'merge') replaceDoc(wctx, coll, id, check({ ...existing.doc, ...doc, _id: existing.doc._id }));
        else if (whenMatched === 'fail') throw coll.idIndex.duplicateError(coll.ns, [existing.doc._id]);
      });
    }
  } finally {
    await engine.commit(unit);
  }
}

export const writeCommands: Record<string, Handler> = {
  insert,
  update,
  delete: remove,
  findAndModify,
  findandmodify: findAndModify,
};
