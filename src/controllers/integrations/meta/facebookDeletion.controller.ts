/**
 * Facebook's data deletion callback (F1/F2) and its status page (F3). The callback answers
 * `{url, confirmation_code}` [COMPAT] only after the deletion committed; the status page shows
 * what the recorded request removed, and an unknown code is a 404, not a reassuring page.
 */
import type { Request, RequestHandler, Response } from 'express';
import { valid } from '../../../middleware/validate';
import { deletionStatusPage, type DataDeletionService } from '../../../services/integrations/dataDeletion.service';
import { AppError, NotFoundError } from '../../../utils/errors';
import { DeletionStatusQuery, SignedRequestInput } from '../../../validators/integrations/meta/meta.schemas';
import { asyncHandler } from '../../asyncHandler';

const STATUS_PATH = '/api/v1/facebook/data-deletion-status';

function statusUrl(req: Request, code: string): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${STATUS_PATH}?code=${encodeURIComponent(code)}`;
}

export function facebookDeletionController(deletion: DataDeletionService) {
  return {
    /** POST and GET /facebook/data-deletion */
    dataDeletion: asyncHandler(async (req: Request, res: Response) => {
      const signed = valid(res, 'body', SignedRequestInput).signed_request ?? valid(res, 'query', SignedRequestInput).signed_request;
      if (!signed) throw new AppError(400, 'INVALID_SIGNED_REQUEST', 'signed_request is required');
      const { code } = await deletion.handleSignedRequest(signed);
      res.json({ url: statusUrl(req, code), confirmation_code: code });
    }),
    /** GET /facebook/data-deletion-status?code=… */
    status: asyncHandler(async (_req, res) => {
      const { code } = valid(res, 'query', DeletionStatusQuery);
      const request = await deletion.status(code);
      if (!request) throw new NotFoundError('No data deletion request has this confirmation code', 'DELETION_REQUEST_NOT_FOUND');
      res.type('html').send(deletionStatusPage(request));
    }),
  } satisfies Record<string, RequestHandler>;
}
