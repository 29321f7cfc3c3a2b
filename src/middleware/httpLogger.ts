/** Access log: morgan's `combined` format, written through winston (with the request context). */
import type { RequestHandler } from 'express';
import morgan from 'morgan';
import { logger } from '../utils/logger';

export function httpLogger(): RequestHandler {
  return morgan('combined', {
    stream: { write: (line: string) => logger.info(line.trimEnd(), { module: 'http' }) },
  });
}
