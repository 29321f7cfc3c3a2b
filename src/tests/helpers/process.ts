/** Child processes for tests: start a TypeScript entry with tsx, wait (bounded) for a line, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { childProcessBaseEnv } from '../../config/testing';

export const ROOT = path.resolve(__dirname, '../../..');

export interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpExecArray>;
}

const children = new Set<ChildProcess>();

/** Runs `node --import tsx <entry> [...args]` with exactly `env` (plus PATH and HOME). */
export function runTs(entry: string, env: Record<string, string>, args: string[] = []): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...childProcessBaseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const m = pattern.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m);
        } else if (Date.now() - started > ms || proc.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`no ${pattern} within ${ms} ms (exit ${proc.exitCode}); output:\n${out}`));
        }
      }, 25);
    });
  return { proc, output: () => out, exited, waitFor };
}

export function killAllChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}

export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
