/**
 * winston logger: JSON lines with `service: 'petbuddy-backend'`, the request context
 * (requestId, userId, companyId) and secrets redacted. Development logs to the console and to
 * logs/error.log + logs/combined.log; production to the files only; tests to nothing unless a
 * test adds a transport.
 */
import * as path from 'node:path';
import winston from 'winston';
import { currentContext } from './requestContext';
import { redactField, redactText } from './redact';

const withContextAndRedaction = winston.format((info) => {
  const ctx = currentContext();
  if (ctx) {
    info.requestId ??= ctx.requestId;
    if (ctx.userId) info.userId ??= ctx.userId;
    if (ctx.companyId) info.companyId ??= ctx.companyId;
  }
  if (typeof info.message === 'string') info.message = redactText(info.message);
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'service' || key === 'timestamp') continue;
    const cleaned = redactField(key, info[key]);
    info[key] = typeof cleaned === 'string' ? redactText(cleaned) : cleaned;
  }
  return info;
});

/**
 * winston runs the format chain before any transport checks its level: an entry no transport
 * would write is dropped first, so disabled debug lines cost almost nothing.
 */
const onlyEnabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));

export const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(
    onlyEnabled(),
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    withContextAndRedaction(),
    winston.format.json(),
  ),
  defaultMeta: { service: 'petbuddy-backend' },
  transports: [new winston.transports.Console({ silent: true })],
});

export interface LoggerSetup {
  env: 'development' | 'production' | 'test';
  level: string;
  logDir: string;
}

/** Points the logger at its destinations for this environment (called once at start-up). */
export function configureLogger(setup: LoggerSetup): void {
  logger.level = setup.level;
  logger.clear();
  if (setup.env === 'test') {
    logger.add(new winston.transports.Console({ silent: true }));
    return;
  }
  const dir = path.resolve(setup.logDir);
  logger.add(new winston.transports.File({ filename: path.join(dir, 'error.log'), level: 'error' }));
  logger.add(new winston.transports.File({ filename: path.join(dir, 'combined.log') }));
  if (setup.env === 'development') {
    logger.add(
      new winston.transports.Console({
        format: winston.format.combine(winston.format.colorize(), winston.format.simple()),
      }),
    );
  }
}

/** A logger whose lines carry `module`. */
export function moduleLogger(module: string): winston.Logger {
  return logger.child({ module });
}
