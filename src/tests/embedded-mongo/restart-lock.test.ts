/**
 * The dbPath lock: a server killed with kill -9 leaves its lock behind, and a restart on the same
 * data must take it over, also while the killed process is a zombie its parent has not reaped
 * (kill(pid, 0) still succeeds on one); a server that still runs keeps its dbPath to itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { childProcessBaseEnv } from '../../config/testing';
import { usingRealMongo } from '../helpers/mongo';
import { ROOT, within } from '../helpers/process';

const describeEmbedded = usingRealMongo() ? describe.skip : describe;
// The zombie is observed through /proc (Linux).
const testWithProc = fs.existsSync('/proc/self/stat') ? test : test.skip;

const CLI = path.join(ROOT, 'src', 'embedded-mongo', 'cli.ts');
const URI = /mongodb:\/\/127\.0\.0\.1:\d+/;
interface Pet {
  _id: number;
  name: string;
}

const PETS: Pet[] = [
  { _id: 1, name: 'Rex' },
  { _id: 2, name: 'Tom' },
  { _id: 3, name: 'Kit' },
];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Run {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<Exit>;
  /** The first match of `pattern` in the output; rejects when the process exits first or after 20 s. */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
}

const runs: Run[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-restart-lock-'));
  dirs.push(dir);
  return dir;
}

/** Node's arguments to run the CLI in this very process (tsx as a loader), so a signal reaches the server. */
function serverArgs(dbPath: string): string[] {
  return ['--import', 'tsx', CLI, '--port', '0', '--host', '127.0.0.1', '--dbpath', dbPath];
}

function run(command: string, args: string[]): Run {
  const proc = spawn(command, args, { cwd: ROOT, env: childProcessBaseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
    within(
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m) resolve(m);
        };
        proc.stdout!.on('data', check);
        check();
        void exited.then(() => {
          check();
          reject(new Error(`exited before printing ${pattern}; output:\n${out}`));
        });
      }),
      20_000,
      `${pattern} in the output of ${command}`,
    );
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const started = { proc, output: () => out, exited, waitFor };
  runs.push(started);
  return started;
}

async function kill(r: Run, signal: NodeJS.Signals): Promise<Exit> {
  r.proc.kill(signal);
  return within(r.exited, 20_000, `exit after ${signal}`);
}

async function withDb<T>(uri: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    return await fn(client.db('restart_lock'));
  } finally {
    await within(client.close(), 10_000, 'client close').catch(() => undefined);
  }
}

const pets = (db: Db): Collection<Pet> => db.collection<Pet>('pets');

/** Fields 3 on of /proc/<pid>/stat: they follow the last ')', as the command name may hold ')' and spaces. */
function procFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

async function procStateBecomes(pid: number, state: string): Promise<string> {
  let seen = procFields(pid)[0]!;
  for (let i = 0; i < 200 && seen !== state; i++) {
    await new Promise((r) => setTimeout(r, 25));
    seen = procFields(pid)[0]!;
  }
  return seen;
}

/** Starts a server on `dbPath` and expects it to serve the pets written before. */
async function expectRestartKeepsPets(dbPath: string): Promise<void> {
  const server = run(process.execPath, serverArgs(dbPath));
  const [uri] = await server.waitFor(URI);
  await withDb(uri, async (db) => expect(await pets(db).find({}).sort({ _id: 1 }).toArray()).toEqual(PETS));
  expect((await kill(server, 'SIGTERM')).code).toBe(0);
}

afterAll(async () => {
  for (const r of runs) {
    if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    await within(r.exited, 10_000, 'child exit').catch(() => undefined);
  }
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describeEmbedded('dbPath lock (embedded server only: kills and restarts the server process)', () => {
  testWithProc(
    'when the server is killed with SIGKILL and its parent never reaps it, then a new server starts at once on its dbPath with every acknowledged write',
    async () => {
      const dir = tempDir();
      // Its command name (in parentheses in /proc/<pid>/stat) holds ') R': read from the first ')',
      // the zombie would seem to be in state 'R)' and its start time would still match the lock's.
      const node = path.join(tempDir(), 'node) R');
      fs.symlinkSync(process.execPath, node);
      // The shell forks the server and then becomes sleep, which never waits: the killed server stays a zombie.
      const parent = run('sh', ['-c', '"$@" & echo "server pid $!"; exec sleep 60', 'sh', node, ...serverArgs(dir)]);
      try {
        const pid = Number((await parent.waitFor(/server pid (\d+)/))[1]);
        const [uri] = await parent.waitFor(URI);
        await withDb(uri, (db) => pets(db).insertMany(PETS));
        process.kill(pid, 'SIGKILL');
        expect(await procStateBecomes(pid, 'Z')).toBe('Z');
        expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).toContain('(node) R) Z ');

        await expectRestartKeepsPets(dir);
        // The lock really named a zombie all along: nothing reaped it meanwhile.
        expect(procFields(pid)[0]).toBe('Z');
      } finally {
        await kill(parent, 'SIGKILL');
      }
    },
    60_000,
  );

  test('when the server is killed with SIGKILL and reaped, then a new server started at once on its dbPath has every acknowledged write', async () => {
    const dir = tempDir();
    const first = run(process.execPath, serverArgs(dir));
    const [uri] = await first.waitFor(URI);
    await withDb(uri, (db) => pets(db).insertMany(PETS));
    expect((await kill(first, 'SIGKILL')).signal).toBe('SIGKILL');
    // The killed server could not remove its lock: the restart has to see that it is stale.
    expect(fs.existsSync(path.join(dir, 'mongod.lock'))).toBe(true);

    await expectRestartKeepsPets(dir);
  }, 60_000);

  test('when a server runs on a dbPath, then a second server on it refuses to start, naming the first, and the first keeps serving', async () => {
    const dir = tempDir();
    const first = run(process.execPath, serverArgs(dir));
    const [uri] = await first.waitFor(URI);
    await withDb(uri, (db) => pets(db).insertMany(PETS));

    const second = run(process.execPath, serverArgs(dir));
    expect((await within(second.exited, 20_000, 'refused start to exit')).code).toBe(1);
    expect(second.output()).toContain(`dbPath ${dir} is in use by process ${first.proc.pid}`);
    expect(second.output()).not.toMatch(URI);

    await withDb(uri, async (db) => expect(await pets(db).countDocuments()).toBe(PETS.length));
    expect((await kill(first, 'SIGTERM')).code).toBe(0);
    await expectRestartKeepsPets(dir);
  }, 60_000);

  testWithProc(
    'when the lock names a live process that started after the lock was written (its pid was reused), then a server starts on the dbPath',
    async () => {
      const dir = tempDir();
      const first = run(process.execPath, serverArgs(dir));
      const [uri] = await first.waitFor(URI);
      await withDb(uri, (db) => pets(db).insertMany(PETS));
      expect((await kill(first, 'SIGKILL')).signal).toBe('SIGKILL');
      // This (live) jest worker as the lock's holder, but started one tick earlier than it really did.
      const startedEarlier = Number(procFields(process.pid)[19]) - 1;
      fs.writeFileSync(path.join(dir, 'mongod.lock'), `${process.pid} ${startedEarlier}`);

      await expectRestartKeepsPets(dir);
    },
    60_000,
  );
});
