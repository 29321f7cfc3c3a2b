/**
 * Gives every request an id (the caller's X-Request-Id when it is well-formed, else a new UUID),
 * returns it in the X-Request-Id response header, and runs the rest of the request inside an
 * AsyncLocalStorage context so log lines carry it.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithContext } from '../utils/requestContext';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && VALID_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    runWithContext({ requestId }, next);
  };
}
