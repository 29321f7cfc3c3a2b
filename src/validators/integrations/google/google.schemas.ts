/**
 * Request schemas of /api/v1/google. The OAuth callback keeps only the parameters it reads
 * (Google adds `scope`, `authuser`, `prompt` …); the bodies drop unknown keys.
 */
import { z } from 'zod';

export const CallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuery>;

export const SelectCalendarBody = z.object({
  calendarId: z.string({ message: 'calendarId is required' }).trim().min(1, 'calendarId is required').max(1024),
});
export type SelectCalendarBody = z.infer<typeof SelectCalendarBody>;

export const AutoSyncBody = z.object({
  autoSync: z.boolean({ message: 'autoSync must be a boolean' }),
});
export type AutoSyncBody = z.infer<typeof AutoSyncBody>;
