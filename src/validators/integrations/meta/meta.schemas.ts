/**
 * Request schemas of the Meta integration (/meta, /settings/integrations, /settings/meta) and of
 * Facebook's data deletion callback. Page and Instagram ids are Graph ids (digits); tokens are
 * printable ASCII without spaces. Unknown keys are refused, except on the deletion callback,
 * whose only input is `signed_request` (the original's unsigned `ids` are dropped on purpose, S-4).
 */
import { z } from 'zod';

const graphId = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,32}$/, `${name} must be a Facebook id (digits)`);
const token = z
  .string()
  .trim()
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'must be an access token (no spaces)');
const label = z.string().trim().max(200);

/** A value the Integrations UI may clear by sending '' (or null). */
const clearableId = (name: string) => z.preprocess((v) => (v === null ? '' : v), z.union([z.literal(''), graphId(name)])).optional();
const clearableSecret = (max: number) =>
  z
    .preprocess(
      (v) => (v === null ? '' : v),
      z
        .string()
        .trim()
        .max(max)
        .regex(/^[\x21-\x7e]*$/, 'must not contain spaces or special characters'),
    )
    .optional();

/** POST /settings/integrations [COMPAT keys]. */
export const IntegrationsBody = z
  .object({
    facebookChatId: clearableId('facebookChatId'),
    instagramChatId: clearableId('instagramChatId'),
    facebookAccessToken: clearableSecret(4096),
    googleAccessToken: clearableSecret(4096),
    googleRefreshToken: clearableSecret(4096),
    openaiApiKey: clearableSecret(100),
  })
  .strict();
export type IntegrationsBody = z.infer<typeof IntegrationsBody>;

/** POST /settings/meta/page/connect: at least one token (checked by the handler, MISSING_FIELDS). */
export const PageConnectBody = z
  .object({
    pageId: graphId('pageId'),
    pageName: label.optional(),
    pageCategory: label.optional(),
    userAccessToken: token.optional(),
    systemUserAccessToken: token.optional(),
    pageAccessToken: token.optional(),
    /** null: the page has no Instagram account (the original refused null, B-13). */
    instagramChatId: graphId('instagramChatId').nullable().optional(),
  })
  .strict();
export type PageConnectBody = z.infer<typeof PageConnectBody>;

/** POST /meta/facebook/connect (T2). */
export const FacebookConnectBody = z
  .object({
    pageId: graphId('pageId'),
    pageName: label.optional(),
    pageCategory: label.optional(),
    userAccessToken: token,
    instagramChatId: graphId('instagramChatId').nullable().optional(),
  })
  .strict();
export type FacebookConnectBody = z.infer<typeof FacebookConnectBody>;

/** POST /settings/meta/connect (deprecated). */
export const SettingsMetaConnectBody = z
  .object({ platform: z.enum(['facebook', 'instagram']), pageId: graphId('pageId'), accessToken: token })
  .strict();
export type SettingsMetaConnectBody = z.infer<typeof SettingsMetaConnectBody>;

/** POST /settings/meta/disconnect. */
export const PlatformBody = z.object({ platform: z.enum(['facebook', 'instagram']) }).strict();
export type PlatformBody = z.infer<typeof PlatformBody>;

/** F1/F2: `signed_request` from the body or the query string (other keys are dropped). */
export const SignedRequestInput = z.object({ signed_request: z.string().max(8192).optional() });
export type SignedRequestInput = z.infer<typeof SignedRequestInput>;

/** F3. */
export const DeletionStatusQuery = z.object({ code: z.uuid('code must be a confirmation code') });
export type DeletionStatusQuery = z.infer<typeof DeletionStatusQuery>;
