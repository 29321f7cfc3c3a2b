import type { Request, RequestHandler, Response } from 'express';

/** Lets a handler be async: a rejection goes to the error handler. */
export function asyncHandler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
