/**
 * Runs a query against a document source (committed data, or a transaction's snapshot view):
 * plan, scan candidates, test the filter, sort, skip and limit. Returns stored records.
 */
import type { Collection, Rec } from '../storage/collection';
import type { TextIndex, TextSearch } from '../storage/text-index';
import { compareValues, keyString, type Doc } from '../values';
import { resolveCollation, type Collation } from './collation';
import { compileFilter, type CompiledFilter } from './matcher';
import { planQuery, scanIndex, scanIsExact, type Plan } from './planner';
import { parseSort, sortDocs, sortValue, type SortKey } from './sort';

/** What a reader can see of one collection. */
export interface DocSource {
  coll: Collection | undefined;
  /** The visible version of a document, by id key. */
  get(id: string): Rec | undefined;
  /** Ids whose visible version may differ from the committed one (a transaction's view). */
  overlayIds(): string[];
}

const NO_IDS: string[] = Object.freeze([]) as unknown as string[];

/** The committed documents of a collection (a class: reads create one per command). */
class CommittedSource implements DocSource {
  constructor(readonly coll: Collection | undefined) {}

  get(id: string): Rec | undefined {
    return this.coll?.docs.get(id);
  }

  overlayIds(): string[] {
    return NO_IDS;
  }
}

export function committedSource(coll: Collection | undefined): DocSource {
  return new CommittedSource(coll);
}

export interface FindOptions {
  filter?: unknown;
  sort?: unknown;
  skip?: number;
  limit?: number;
  hint?: unknown;
  /** The command's collation document; without one, the collection's default applies. */
  collation?: Doc;
  /** The command's resolved `let` (see resolveLet). */
  variables?: Doc | undefined;
}

export interface ExecStats {
  keys: number;
  docs: number;
  sortedInMemory: boolean;
  millis: number;
}

export interface FindResult {
  recs: Rec[];
  scores: Map<Rec, number>;
  plan: Plan;
  stats: ExecStats;
  /** The collation the query ran with (the command's or the collection's default), if not simple. */
  collation?: Collation;
}

/** What one find keeps while it considers candidates (see consider). */
interface Scan {
  src: DocSource;
  compiled: CompiledFilter;
  out: Rec[];
  scores: Map<Rec, number>;
  seen: Set<string> | undefined;
  stats: ExecStats;
  text: TextSearch | undefined;
  textIndex: TextIndex | undefined;
  textCandidates: Map<string, number> | undefined;
  /** Every candidate of an exact scan matches: no document is tested. */
  exact: boolean;
  /** The sort's leading keys the scan yields in order, when a full page can stop it early. */
  prefixKeys: SortKey[] | undefined;
  boundary: unknown[] | undefined;
  needSort: boolean;
  want: number;
}

function prefixOf(keys: SortKey[], r: Rec): unknown[] {
  return keys.map((k) => sortValue(r.doc, k.path, k.dir));
}

/** Takes a candidate into the result if it matches; true when the scan can stop. */
function consider(s: Scan, id: string, fromOverlay: boolean): boolean {
  if (s.seen) {
    if (s.seen.has(id)) return false;
    s.seen.add(id);
  }
  const rec = s.src.get(id);
  if (!rec) return false;
  s.stats.docs++;
  const { text, textIndex } = s;
  if (text && textIndex) {
    const score = fromOverlay ? textIndex.scoreDoc(rec.doc, text) : (s.textCandidates?.get(id) ?? 0);
    if (score <= 0 || (!fromOverlay && !textIndex.accepts(rec.doc, text))) return false;
    s.scores.set(rec, score);
  }
  if (!s.exact && !s.compiled.test(rec.view)) return false;
  const out = s.out;
  if (s.prefixKeys && out.length >= s.want) {
    // Once the page is full, only documents that tie with its last one on those keys can join.
    const boundary = (s.boundary ??= prefixOf(s.prefixKeys, out[out.length - 1]!));
    const next = prefixOf(s.prefixKeys, rec);
    if (next.some((v, i) => compareValues(v, boundary[i]) !== 0)) return true;
  }
  out.push(rec);
  return !s.needSort && out.length >= s.want;
}

/** The ids a plan visits, in its order. */
function candidatesOf(plan: Plan, src: DocSource, stats: ExecStats, textCandidates: Map<string, number> | undefined): Iterable<string> {
  switch (plan.kind) {
    case 'IDHACK':
      return plan.idValues!.map(keyString);
    case 'TEXT':
      return textCandidates!.keys();
    case 'IXSCAN':
      // Points on _id: documents are kept by their _id's key, so no index search is needed.
      if (plan.index === src.coll?.idIndex && !plan.range && plan.combos.every((c) => c.length === 1)) {
        stats.keys += plan.combos.length;
        return plan.combos.map((c) => keyString(c[0]));
      }
      return scanIndex(plan, stats);
    default: {
      const ids = src.coll ? src.coll.docs.keys() : [];
      return plan.dir === 1 ? ids : [...ids].reverse();
    }
  }
}

export function findRecs(src: DocSource, opts: FindOptions): FindResult {
  const started = Date.now();
  const collation = resolveCollation(opts.collation, src.coll);
  const compiled = compileFilter(opts.filter, { variables: opts.variables, collation });
  const sortKeys = parseSort(opts.sort);
  const plan = planQuery(src.coll, compiled.filter, sortKeys, {
    hint: opts.hint,
    text: compiled.text !== undefined,
    collation,
  });
  const overlay = src.overlayIds();
  const committed = overlay.length === 0;
  const stats: ExecStats = { keys: 0, docs: 0, sortedInMemory: false, millis: 0 };
  const needSort = sortKeys.length > 0 && !(plan.providesSort && committed);
  const skip = opts.skip ?? 0;
  const want = opts.limit && opts.limit > 0 ? skip + opts.limit : Infinity;
  // One entry per document: a single-valued index scanned for one key prefix yields no id twice.
  const distinct = plan.kind === 'IXSCAN' && !plan.index!.multikey && plan.combos.length <= 1;
  const dedupe = !committed || (plan.kind !== 'COLLSCAN' && !distinct);
  const text = compiled.text;
  const textIndex = plan.index?.text;
  const textCandidates = plan.kind === 'TEXT' && text && textIndex ? textIndex.candidates(text) : undefined;
  const scan: Scan = {
    src,
    compiled,
    out: [],
    scores: new Map(),
    seen: dedupe ? new Set() : undefined,
    stats,
    text,
    textIndex,
    textCandidates,
    exact: committed && !collation && scanIsExact(plan, compiled.filter),
    prefixKeys: needSort && committed && !collation && want !== Infinity ? plan.sortPrefix : undefined,
    boundary: undefined,
    needSort,
    want,
  };

  let done = false;
  for (const id of candidatesOf(plan, src, stats, textCandidates)) {
    if (consider(scan, id, false)) {
      done = true;
      break;
    }
  }
  if (!done) for (const id of overlay) if (consider(scan, id, true)) break;

  const { out, scores } = scan;
  if (needSort) {
    stats.sortedInMemory = true;
    sortDocs(
      out,
      sortKeys,
      (r) => r.doc,
      (r) => scores.get(r) ?? 0,
      collation?.compare,
    );
  }
  stats.millis = Date.now() - started;
  const recs = skip > 0 || want !== Infinity ? out.slice(skip, want) : out;
  return { recs, scores, plan, stats, ...(collation ? { collation } : {}) };
}

/**
 * How many documents match `opts.filter` (after `skip`, up to `limit`). When the index scan alone
 * decides (see scanIsExact) and nothing differs from the committed data, the keys are counted
 * without reading a document; otherwise the documents are found as a find would.
 */
export function countMatches(src: DocSource, opts: FindOptions): number {
  const filter = (opts.filter ?? {}) as Doc;
  const simple = opts.collation === undefined && src.coll?.options.collation === undefined;
  if (src.coll && simple && src.overlayIds().length === 0 && !opts.variables && opts.hint === undefined) {
    const compiled = compileFilter(filter);
    if (compiled.text === undefined) {
      const plan = planQuery(src.coll, compiled.filter, [], {});
      if (plan.kind === 'IXSCAN' && scanIsExact(plan, filter)) {
        // Each entry of a single-valued index is one live document: count the key range.
        const index = plan.index!;
        // `$in: [0, 0]` (or 0 and 0.0) names one key twice: each key range is counted once.
        const combos = plan.combos.length > 1 ? [...plan.combos].sort((x, y) => index.compareKey(x, y)) : plan.combos;
        let n = 0;
        for (let i = 0; i < combos.length; i++) {
          const combo = combos[i]!;
          if (i > 0 && index.compareKey(combos[i - 1]!, combo) === 0) continue;
          n += index.entries.countEqual((e) => index.compareKey(e.k, combo));
        }
        const skipped = Math.max(0, n - (opts.skip ?? 0));
        return opts.limit && opts.limit > 0 ? Math.min(opts.limit, skipped) : skipped;
      }
    }
  }
  return findRecs(src, opts).recs.length;
}

/** The `explain` answer for a find, in the shape MongoDB's classic planner gives. */
export function explainFind(ns: string, res: FindResult, opts: FindOptions): Doc {
  const { plan, stats } = res;
  let stage: Doc;
  if (plan.kind === 'COLLSCAN') {
    stage = { stage: 'COLLSCAN', direction: plan.dir === 1 ? 'forward' : 'backward', docsExamined: stats.docs };
  } else if (plan.kind === 'IDHACK') {
    stage = { stage: 'IDHACK', keysExamined: plan.idValues?.length ?? 0, docsExamined: stats.docs };
  } else if (plan.kind === 'TEXT') {
    stage = { stage: 'TEXT_MATCH', inputStage: { stage: 'FETCH', inputStage: { stage: 'TEXT_OR', indexName: plan.index!.name } } };
  } else {
    stage = {
      stage: 'FETCH',
      docsExamined: stats.docs,
      inputStage: {
        stage: 'IXSCAN',
        keyPattern: plan.index!.spec.key,
        indexName: plan.index!.name,
        isMultiKey: plan.index!.multikey,
        isUnique: plan.index!.unique,
        direction: plan.dir === 1 ? 'forward' : 'backward',
        keysExamined: stats.keys,
      },
    };
  }
  if (stats.sortedInMemory) stage = { stage: 'SORT', sortPattern: opts.sort, inputStage: stage };
  if (opts.skip) stage = { stage: 'SKIP', skipAmount: opts.skip, inputStage: stage };
  if (opts.limit) stage = { stage: 'LIMIT', limitAmount: opts.limit, inputStage: stage };
  return {
    explainVersion: '1',
    queryPlanner: {
      namespace: ns,
      parsedQuery: opts.filter ?? {},
      winningPlan: stage,
      rejectedPlans: [],
    },
    executionStats: {
      executionSuccess: true,
      nReturned: res.recs.length,
      executionTimeMillis: stats.millis,
      totalKeysExamined: stats.keys,
      totalDocsExamined: stats.docs,
      executionStages: stage,
    },
  };
}
