/**
 * `npm run conversations:rebuild`: rebuilds every conversation summary from `messages` (a repair;
 * run it while no messages are being written). `npm run migrate` does the same once for a
 * database written before summaries existed.
 */
import { rebuildConversationSummaries } from '../services/conversationSummary.service';
import { runScript } from './run';

void runScript('conversations:rebuild', async () => {
  const { conversations, messages } = await rebuildConversationSummaries();
  process.stdout.write(`conversations:rebuild: ${conversations} conversations from ${messages} messages\n`);
});
