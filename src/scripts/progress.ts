/**
 * Step-by-step progress for operator scripts (seed, migrations): on a terminal one cli-progress bar
 * per step (`seed: staff [=====] 4/4`), elsewhere one plain line per finished step
 * (`seed: staff 4/4 (3 created, 1 existing)`), so CI logs stay readable.
 */
import { Presets, SingleBar } from 'cli-progress';

/** What a script reports: a step with its total, ticks as items are done, the step's end. */
export interface Progress {
  start(step: string, total: number): void;
  tick(n?: number): void;
  /** Ends the current step; `summary` says what it did ("3 created, 1 existing"). */
  done(summary?: string): void;
}

/** The part of a writable stream the reporter uses (process.stdout, or a fake in tests). */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Starts every line and bar: the script's name. */
  label?: string;
}

/** Reports nothing (tests, callers that print their own summary). */
export const silentProgress: Progress = { start: () => undefined, tick: () => undefined, done: () => undefined };

export function createProgress(stream: ProgressStream = process.stdout, options: ProgressOptions = {}): Progress {
  return stream.isTTY === true ? barProgress(stream, options) : lineProgress(stream, options);
}

const prefix = (options: ProgressOptions): string => (options.label ? `${options.label}: ` : '');

function lineProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  let current: { step: string; total: number; count: number } | undefined;
  return {
    start(step, total) {
      current = { step, total, count: 0 };
    },
    tick(n = 1) {
      if (current) current.count += n;
    },
    done(summary) {
      if (!current) return;
      const { step, total, count } = current;
      stream.write(`${prefix(options)}${step} ${count}/${total}${summary ? ` (${summary})` : ''}\n`);
      current = undefined;
    },
  };
}

function barProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  let bar: SingleBar | undefined;
  const finish = (summary: string): void => {
    bar?.update({ summary });
    bar?.stop();
    bar = undefined;
  };
  return {
    start(step, total) {
      if (bar) finish('');
      bar = new SingleBar(
        {
          // cli-progress wants a full stream type; it only writes to it and reads isTTY/columns.
          stream: stream as unknown as NodeJS.WritableStream,
          format: `${prefix(options)}{step} [{bar}] {value}/{total} {summary}`,
          hideCursor: true,
          gracefulExit: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { step, summary: '' });
    },
    tick(n = 1) {
      bar?.increment(n);
    },
    done(summary) {
      finish(summary ? `(${summary})` : '');
    },
  };
}
