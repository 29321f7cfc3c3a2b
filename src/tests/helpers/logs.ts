/** Captures what the application logs during a test, as parsed JSON lines. */
import { Writable } from 'node:stream';
import winston from 'winston';
import { logger } from '../../utils/logger';

export interface CapturedLogs {
  lines: Record<string, unknown>[];
  stop: () => void;
}

export function captureLogs(): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const transport = new winston.transports.Stream({ stream, level: 'debug' });
  const previous = logger.level;
  logger.level = 'debug';
  logger.add(transport);
  return {
    lines,
    stop: () => {
      logger.remove(transport);
      logger.level = previous;
    },
  };
}
