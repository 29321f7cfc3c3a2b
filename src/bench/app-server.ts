/**
 * The real process (server.ts main()) for the benchmark, plus an IPC hook so the benchmark can ask
 * for the heap size after a garbage collection (run with --expose-gc).
 */
import { main } from '../../server';

process.on('message', (m) => {
  if (m !== 'heap') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed });
});

void main();
