/**
 * Durability: a write-ahead log of framed BSON records, compacted into snapshots.
 *
 * Files in dbPath:
 *   snapshot.bson        the state up to record `seq` (written to a temp file, synced, renamed)
 *   journal-<n>.log      records with seq >= n; a new file is started when a snapshot is taken
 *   mongod.lock          "<pid> <start time>" of the server using the directory (start time where /proc has it)
 *
 * A record is [u32 length][u32 crc32][BSON { s: seq, o: ops }]. Records are appended in groups
 * (one write, one fdatasync per group) and a write is acknowledged only after its group is on
 * disk. On recovery a torn or corrupt tail (a crash mid-write) is cut off; earlier records are
 * intact because nothing is ever rewritten in place.
 */
import { calculateObjectSize, deserialize, serializeWithBufferAndIndex } from 'bson';
import { promises as fsp, existsSync, mkdirSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { fromWire, type Doc } from '../values';

export type JournalOp = Doc & { t: string };

const SNAPSHOT = 'snapshot.bson';
const SNAPSHOT_MAGIC = Buffer.from('PBSNAP01');
const LOCK = 'mongod.lock';

export function encodeRecord(doc: Doc): Buffer {
  const size = calculateObjectSize(doc);
  const buf = Buffer.allocUnsafe(size + 8);
  serializeWithBufferAndIndex(doc, buf, { index: 8 });
  buf.writeUInt32LE(size, 0);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Decodes consecutive records; stops at the first torn or corrupt one and reports where. */
export function decodeRecords(buf: Buffer): { docs: Doc[]; validBytes: number } {
  const docs: Doc[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const size = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (size < 5 || off + 8 + size > buf.length) break;
    const body = buf.subarray(off + 8, off + 8 + size);
    if (crc32(body) !== crc) break;
    try {
      docs.push(fromWire(deserialize(body, { promoteValues: false })) as Doc);
    } catch {
      break;
    }
    off += 8 + size;
  }
  return { docs, validBytes: off };
}

export interface Recovered {
  snapshot: { seq: number; catalog: Doc; chunks: Doc[] } | null;
  records: { seq: number; ops: JournalOp[] }[];
}

export interface JournalOptions {
  /** fdatasync each group of records (default true). Without it a kill -9 still loses nothing. */
  sync?: boolean;
  /** Journal bytes after which a snapshot is taken (default 64 MB). */
  compactBytes?: number;
}

export class Journal {
  private seq = 0;
  private file: fsp.FileHandle | null = null;
  private fileStart = 0;
  /** Queued records, and file rotations that must happen between two records. */
  private pending: { buf: Buffer | null; rotateTo?: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  private bytesSinceSnapshot = 0;
  private compacting: Promise<void> | null = null;
  private readonly sync: boolean;
  readonly compactBytes: number;

  private constructor(
    readonly dir: string,
    opts: JournalOptions,
  ) {
    this.sync = opts.sync ?? true;
    this.compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
  }

  /** Opens (creating) dbPath, takes its lock and reads what it holds. */
  static async open(dir: string, opts: JournalOptions = {}): Promise<{ journal: Journal; recovered: Recovered }> {
    mkdirSync(dir, { recursive: true });
    Journal.takeLock(dir);
    const journal = new Journal(dir, opts);
    const recovered = await journal.recover();
    return { journal, recovered };
  }

  private static takeLock(dir: string): void {
    const lockPath = path.join(dir, LOCK);
    if (existsSync(lockPath)) {
      const [pidText, startTime] = readFileSync(lockPath, 'utf8').trim().split(/\s+/);
      const pid = Number(pidText);
      if (pid && pid !== process.pid && processAlive(pid, startTime)) {
        throw new Error(`dbPath ${dir} is in use by process ${pid}`);
      }
    }
    // The start time tells a later process that was given the same pid (after a reboot, say) from us.
    const startTime = procStat(process.pid)?.startTime;
    writeFileSync(lockPath, startTime ? `${process.pid} ${startTime}` : String(process.pid));
  }

  private async journalFiles(): Promise<{ start: number; file: string }[]> {
    const names = await fsp.readdir(this.dir);
    return names
      .map((n) => /^journal-(\d+)\.log$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ start: Number(m[1]), file: path.join(this.dir, m[0]) }))
      .sort((a, b) => a.start - b.start);
  }

  private async recover(): Promise<Recovered> {
    await fsp.rm(path.join(this.dir, SNAPSHOT + '.tmp'), { force: true });
    let snapshot: Recovered['snapshot'] = null;
    const snapPath = path.join(this.dir, SNAPSHOT);
    if (existsSync(snapPath)) {
      const buf = await fsp.readFile(snapPath);
      if (!buf.subarray(0, 8).equals(SNAPSHOT_MAGIC)) throw new Error(`${snapPath} is not a snapshot file`);
      const { docs } = decodeRecords(buf.subarray(8));
      const head = docs[0];
      const tail = docs[docs.length - 1];
      if (!head || !tail || tail.end !== true) throw new Error(`${snapPath} is incomplete`);
      snapshot = { seq: Number(head.seq), catalog: head.catalog as Doc, chunks: docs.slice(1, -1) };
      this.seq = snapshot.seq;
    }
    const records: Recovered['records'] = [];
    const files = await this.journalFiles();
    for (let i = 0; i < files.length; i++) {
      const { file } = files[i]!;
      const buf = await fsp.readFile(file);
      const { docs, validBytes } = decodeRecords(buf);
      if (validBytes < buf.length) {
        // A torn tail from a crash: cut it so new records follow the last intact one.
        await fsp.truncate(file, validBytes);
      }
      for (const d of docs) {
        const seq = Number(d.s);
        if (seq <= this.seq) continue;
        records.push({ seq, ops: d.o as JournalOp[] });
        this.seq = seq;
      }
    }
    const last = files[files.length - 1];
    if (last) {
      this.fileStart = last.start;
      this.file = await fsp.open(last.file, 'a');
      this.bytesSinceSnapshot = (await this.file.stat()).size;
    } else {
      await this.startFile(this.seq + 1);
    }
    return { snapshot, records };
  }

  private async startFile(start: number): Promise<void> {
    const file = await fsp.open(path.join(this.dir, `journal-${start}.log`), 'a');
    await this.syncDir();
    const old = this.file;
    this.file = file;
    this.fileStart = start;
    this.bytesSinceSnapshot = 0;
    await old?.close();
  }

  private async syncDir(): Promise<void> {
    if (!this.sync) return;
    const dh = await fsp.open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /** Appends one atomic group of ops; resolves once it is on disk. */
  append(ops: JournalOp[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return this.enqueue({ buf: encodeRecord({ s: ++this.seq, o: ops }) });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const cut = this.pending.findIndex((p) => p.buf === null);
        const group = this.pending.splice(0, cut === 0 ? 1 : cut < 0 ? this.pending.length : cut);
        try {
          if (!this.file) throw new Error('journal is closed');
          if (group[0]!.buf === null) {
            await this.startFile(group[0]!.rotateTo!);
          } else {
            const bufs = group.map((g) => g.buf!);
            await this.file.writev(bufs);
            if (this.sync) await this.file.datasync();
            for (const b of bufs) this.bytesSinceSnapshot += b.length;
          }
          for (const g of group) g.resolve();
        } catch (err) {
          this.failed = err instanceof Error ? err : new Error(String(err));
          for (const g of [...group, ...this.pending]) g.reject(this.failed);
          this.pending = [];
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private enqueue(item: { buf: Buffer | null; rotateTo?: number }): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ...item, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  get needsCompaction(): boolean {
    return this.bytesSinceSnapshot >= this.compactBytes && !this.compacting;
  }

  /**
   * Writes a snapshot of the state as of the last appended record. `capture` must be called
   * synchronously with no write in between: it returns the catalog and the (immutable) documents.
   */
  compact(capture: () => { catalog: Doc; collections: { ns: string; docs: Doc[] }[] }): Promise<void> {
    if (this.compacting) return this.compacting;
    const seq = this.seq;
    const state = capture();
    // Records after `seq` go to a new file, so the old ones can go once the snapshot is safe.
    const rotated = this.enqueue({ buf: null, rotateTo: seq + 1 });
    this.compacting = (async () => {
      await rotated;
      const oldFiles = (await this.journalFiles()).filter((f) => f.start <= seq);
      const tmp = path.join(this.dir, SNAPSHOT + '.tmp');
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.write(SNAPSHOT_MAGIC);
        await fh.write(encodeRecord({ seq, catalog: state.catalog }));
        for (const { ns, docs } of state.collections) {
          let chunk: Doc[] = [];
          let bytes = 0;
          for (const d of docs) {
            chunk.push(d);
            bytes += calculateObjectSize(d);
            if (bytes > 4 * 1024 * 1024) {
              await fh.write(encodeRecord({ ns, docs: chunk }));
              chunk = [];
              bytes = 0;
            }
          }
          if (chunk.length > 0) await fh.write(encodeRecord({ ns, docs: chunk }));
        }
        await fh.write(encodeRecord({ end: true }));
        if (this.sync) await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, path.join(this.dir, SNAPSHOT));
      await this.syncDir();
      for (const f of oldFiles) await fsp.rm(f.file, { force: true });
    })().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.compacting) await this.compacting.catch(() => undefined);
    await this.file?.close();
    this.file = null;
    try {
      unlinkSync(path.join(this.dir, LOCK));
    } catch {
      // already gone
    }
  }
}

/** State and start time (clock ticks after boot) of a process from /proc; null without /proc or the process. */
function procStat(pid: number): { state: string; startTime: string } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may itself hold spaces and ')', so count fields after the last ')'.
  // There field 3 (state) is the first and field 22 (starttime) the twentieth.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

/**
 * Whether a process with this pid runs (it may belong to another user); with `startTime` (as
 * /proc gave it), whether it is still that same process and not a later one given the same pid.
 */
export function processAlive(pid: number, startTime?: string): boolean {
  const stat = procStat(pid);
  if (stat) {
    // A zombie (Z) or dead (X) process has exited and holds no files, but until its parent reaps
    // it kill(pid, 0) still succeeds on it: after a kill -9 it must not keep its dbPath locked.
    if (stat.state === 'Z' || stat.state === 'X') return false;
    return !startTime || stat.startTime === startTime;
  }
  // No /proc (macOS) or the process is gone: kill(pid, 0) tells, EPERM meaning it runs as another user.
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
