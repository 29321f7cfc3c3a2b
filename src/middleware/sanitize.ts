/**
 * express-mongo-sanitize as the contract describes [COMPAT]: in keys of the body, params, query
 * and headers a leading `$` and every `.` become `_` (values are untouched), and each rewrite is
 * logged as a potential NoSQL injection attempt.
 */
import type { RequestHandler } from 'express';
import mongoSanitize from 'express-mongo-sanitize';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('sanitize');

export function sanitizeKeys(): RequestHandler {
  const sanitize = mongoSanitize({
    replaceWith: '_',
    allowDots: false,
    onSanitize: ({ req, key }) => {
      log.warn(`Potential NoSQL injection attempt: ${key}`, { ip: req.ip, path: req.path });
    },
  });
  return (req, res, next) => {
    // Express 4's req.query is a getter over a parsed object; sanitize works on it in place.
    sanitize(req, res, next);
  };
}
