/** Server-side cursors: results kept between find/aggregate and getMore, in batches. */
import { calculateObjectSize, Long } from 'bson';
import { MongoCommandError } from './errors';
import type { Doc } from './values';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
const IDLE_MS = 10 * 60 * 1000;

/**
 * BSON sizes of documents already measured. Stored documents are never mutated (a write replaces
 * them), so a document read again is not measured again; the others are collected with their
 * documents.
 */
const sizes = new WeakMap<Doc, number>();

function sizeOf(d: Doc): number {
  let n = sizes.get(d);
  if (n === undefined) sizes.set(d, (n = calculateObjectSize(d)));
  return n;
}

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUse: number;
}

export interface Batch {
  id: Long;
  ns: string;
  batch: Doc[];
}

export class CursorManager {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = BigInt(Date.now()) * 1000n;

  private take(c: OpenCursor, limit: number): Doc[] {
    const out: Doc[] = [];
    // The first document always goes; sizes are measured only once a second one may join it.
    let bytes = 0;
    while (c.pos < c.docs.length && out.length < limit) {
      const d = c.docs[c.pos]!;
      if (out.length > 0) {
        if (bytes === 0) bytes = sizeOf(out[0]!);
        bytes += sizeOf(d);
        if (bytes > MAX_BATCH_BYTES) break;
      }
      out.push(d);
      c.pos++;
    }
    return out;
  }

  /** First batch of a result; keeps a cursor when more remain (unless `single`). */
  open(ns: string, docs: Doc[], batchSize: number | undefined, single = false): Batch {
    const c: OpenCursor = { ns, docs, pos: 0, lastUse: Date.now() };
    const batch = this.take(c, batchSize === undefined ? 101 : batchSize === 0 ? 0 : batchSize);
    if (single || c.pos >= docs.length) return { id: Long.ZERO, ns, batch };
    const id = ++this.nextId;
    this.cursors.set(id.toString(), c);
    return { id: Long.fromBigInt(id), ns, batch };
  }

  getMore(id: unknown, ns: string, batchSize: number | undefined): Batch {
    const key = String(id);
    const c = this.cursors.get(key);
    if (!c) throw new MongoCommandError('CursorNotFound', `cursor id ${key} not found`);
    if (c.ns !== ns) {
      throw new MongoCommandError(
        'Location16755',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`,
      );
    }
    c.lastUse = Date.now();
    const batch = this.take(c, batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER);
    if (c.pos >= c.docs.length) {
      this.cursors.delete(key);
      return { id: Long.ZERO, ns, batch };
    }
    return { id: Long.fromString(key), ns, batch };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = String(id);
      (this.cursors.delete(key) ? killed : notFound).push(Long.fromString(key));
    }
    return { killed, notFound };
  }

  reap(now = Date.now()): void {
    for (const [k, c] of this.cursors) if (now - c.lastUse > IDLE_MS) this.cursors.delete(k);
  }
}
