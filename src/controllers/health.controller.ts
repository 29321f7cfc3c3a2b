import type { RequestHandler } from 'express';
import { liveness, type Readiness } from '../services/health.service';

/** GET /health [COMPAT]: `{status:'OK', timestamp, uptime}`, 200 whenever the process runs. */
export const health: RequestHandler = (_req, res) => {
  res.status(200).json(liveness());
};

/** GET /ready: 200 when MongoDB answers and no shutdown has begun, otherwise 503. */
export function ready(readiness: Readiness): RequestHandler {
  return (_req, res, next) => {
    readiness.check().then((report) => {
      res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not_ready', ...report.checks });
    }, next);
  };
}
