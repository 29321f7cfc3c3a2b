/**
 * Request schemas of /api/v1/settings (company and AI agent). Unknown
 * keys are refused; booleans are read as they are written ("false" is false, B39).
 */
import { z } from 'zod';
import { isValidZone } from '../../services/booking/time';
import { precheck } from '../booking/catalogue.schemas';
import { hhmm, objectId } from '../common.schemas';
import { ProfileChanges, ProfileSettings, ZONE_MESSAGE, checkProfile, checkWorkHours } from './company.schemas';

/** A boolean as JSON or a form sends it: true/false, "true"/"false", "1"/"0", 1/0. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0']), z.literal(0), z.literal(1)])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 1);

/** An optional value that may be cleared with null or ''. */
const clearable = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? null : v), schema.nullable()).optional();

const rule = z.string().trim().max(1000);

export const AiAgentBody = z
  .object({
    systemInstruction: z.string().trim().max(20_000).optional(),
    active: flag.optional(),
    activeHours: z
      .object({
        intervalActive: flag.optional(),
        startTime: clearable(hhmm),
        endTime: clearable(hhmm),
        timezone: z.string().trim().refine(isValidZone, ZONE_MESSAGE.replace('timezone', 'activeHours.timezone')).optional(),
      })
      .strict()
      .optional(),
    /** A prompt of the library: its instruction, role and rules become the bot's; null/'' forgets the selection. */
    selectedPromptId: clearable(objectId),
    role: z.string().trim().max(200).optional(),
    givenInformationRules: rule.optional(),
    informationCollectionRules: rule.optional(),
    customerSupportRules: rule.optional(),
    /** Stored encrypted, never returned (only its last four characters); null/'' removes it. */
    openaiApiKey: clearable(
      z
        .string()
        .trim()
        .min(8, 'openaiApiKey is too short')
        .max(300)
        .regex(/^[\x21-\x7e]+$/, 'openaiApiKey must not contain spaces or special characters'),
    ),
  })
  .strict();
export type AiAgentBody = z.infer<typeof AiAgentBody>;

/**
 * POST /settings/company: any documented profile field, and the original's top-level `workHours`
 * (stored as settings.workHours) [COMPAT].
 */
export const SettingsCompanyBody = ProfileChanges.extend({ workHours: ProfileSettings.shape.workHours })
  .strict()
  .refine((b) => !(b.workHours && b.settings?.workHours), {
    message: 'Give workHours or settings.workHours, not both',
    path: ['workHours'],
  })
  .transform(({ workHours, ...rest }) => (workHours ? { ...rest, settings: { ...rest.settings, workHours } } : rest));
export type SettingsCompanyBody = z.infer<typeof SettingsCompanyBody>;

export const settingsCompanyPrecheck = () =>
  precheck((b) => {
    checkProfile(b, false);
    if (b.workHours !== undefined) checkWorkHours(b.workHours);
  });
