/**
 * `npm run seed`: data for a development database. For now it writes the AI prompt library (idempotent:
 * run it again and only changed prompts are updated); the demo company and its data come later.
 */
import { seedPromptLibrary } from '../services/setup/seedPrompts';
import { runScript } from './run';

void runScript('seed', async () => {
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  const { created, updated, unchanged } = await seedPromptLibrary();
  const list = (names: string[]): string => (names.length ? `: ${names.join(', ')}` : '');
  out(`seed: AI prompt library of ${created.length + updated.length + unchanged.length} prompts`);
  out(`  created ${created.length}${list(created)}`);
  out(`  updated ${updated.length}${list(updated)}`);
  out(`  unchanged ${unchanged.length}`);
  return 0;
});
