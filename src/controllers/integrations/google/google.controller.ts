/** /google handlers (G1–G7): read the validated input, call the account service, answer as the contract shapes it. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../../middleware/auth';
import { valid } from '../../../middleware/validate';
import type { GoogleAccountService } from '../../../services/integrations/google/googleAccount.service';
import { AutoSyncBody, CallbackQuery, SelectCalendarBody } from '../../../validators/integrations/google/google.schemas';
import { asyncHandler } from '../../asyncHandler';

type Handlers = 'authUrl' | 'callback' | 'calendars' | 'selectCalendar' | 'disconnect' | 'settings' | 'setAutoSync';

export function googleController(google: GoogleAccountService): Record<Handlers, RequestHandler> {
  return {
    authUrl: asyncHandler(async (_req, res) => {
      const user = currentUser(res);
      res.json({ url: await google.authUrl({ companyId: user.companyObjectId, userId: user._id }) });
    }),
    callback: asyncHandler(async (_req, res) => {
      res.redirect(302, await google.completeConnect(valid(res, 'query', CallbackQuery)));
    }),
    calendars: asyncHandler(async (_req, res) => {
      res.json({ calendars: await google.calendars(currentUser(res).companyObjectId) });
    }),
    selectCalendar: asyncHandler(async (_req, res) => {
      await google.selectCalendar(currentUser(res).companyObjectId, valid(res, 'body', SelectCalendarBody).calendarId);
      res.json({ success: true });
    }),
    disconnect: asyncHandler(async (_req, res) => {
      await google.disconnect(currentUser(res).companyObjectId);
      res.json({ success: true });
    }),
    settings: asyncHandler(async (_req, res) => {
      res.json({ settings: await google.settings(currentUser(res).companyObjectId) });
    }),
    setAutoSync: asyncHandler(async (_req, res) => {
      await google.setAutoSync(currentUser(res).companyObjectId, valid(res, 'body', AutoSyncBody).autoSync);
      res.json({ success: true });
    }),
  };
}
