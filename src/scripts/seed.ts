/**
 * `npm run seed [-- --force]`: the demo company (src/seed/demo.ts) and the AI prompt library,
 * idempotently, with a progress line or bar per step and how to log in at the end. Refuses to run
 * in production without --force, before a database is opened; `--help` is runScript's.
 */
import { getConfig } from '../config/env';
import { decideSeedRun, loginInstructions, SEED_USAGE } from '../seed/cli';
import { seedDemo } from '../seed/demo';
import { createProgress } from './progress';
import { runScript } from './run';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

/** Ends the process on a refusal; help and configuration errors are left to runScript, which reports them. */
function refuseEarly(): void {
  let decision;
  try {
    decision = decideSeedRun(process.argv.slice(2), getConfig());
  } catch {
    return;
  }
  if (decision.kind === 'refuse') {
    process.stderr.write(`${decision.message}\n`);
    process.exit(decision.exitCode);
  }
}

refuseEarly();
void runScript(
  'seed',
  async (config) => {
    const result = await seedDemo({ config, report: createProgress(process.stdout, { label: 'seed' }) });
    out('');
    for (const line of loginInstructions(config, result)) out(line);
    return 0;
  },
  { help: SEED_USAGE },
);
