/**
 * Per-company integration settings → `companyintegrations`: the union of the backend's and the
 * Meta Bot's schemas (same collection). Always change it with partial $set/$unset so fields only
 * the other side knows survive. Every token and key is stored encrypted (src/utils/secrets.ts);
 * src/migrations/2026-12-08-encrypt-integration-tokens.ts encrypts those an original database holds.
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

const companyIntegrationSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true, unique: true },
    facebookChatId: { type: String, trim: true, index: true },
    instagramChatId: { type: String, trim: true, index: true },
    facebookAccessToken: { type: String, trim: true },
    facebookAppAccessToken: { type: String, trim: true },
    facebookTokenSource: { type: String, enum: ['user_long_lived', 'system_user', 'page_direct', 'unknown'], default: 'unknown' },
    facebookTokenExpiresAt: { type: Date },
    facebookTokenScopes: { type: [String], default: [] },
    // Meta connect (src/services/integrations): the page's name and category as picked, the
    // long-lived user token the page token was derived from (what the refresh job exchanges, B-22)
    // and its expiry, and the refresh job's outcome (failures stay until a refresh succeeds).
    facebookPageName: { type: String, trim: true },
    facebookPageCategory: { type: String, trim: true },
    facebookUserAccessToken: { type: String, trim: true },
    facebookUserTokenExpiresAt: { type: Date },
    facebookTokenRefreshedAt: { type: Date },
    facebookTokenRefreshFailedAt: { type: Date },
    facebookTokenRefreshError: { type: String },
    facebookTokenRefreshFailures: { type: Number },
    openaiApiKey: { type: String, trim: true },
    geminiApiKey: { type: String, trim: true },
    aiProvider: { type: String, enum: ['openai', 'gemini'] },
    // Google Calendar (src/services/integrations/google): both tokens encrypted, the access
    // token's expiry (so a refresh happens before it lapses), and the pending connect flows: the
    // hashed nonce of each signed OAuth state until its callback consumes it (S-9).
    googleAccessToken: { type: String, trim: true },
    googleRefreshToken: { type: String, trim: true },
    googleTokenExpiresAt: { type: Date },
    googleAccountEmail: { type: String, trim: true },
    googleCalendarId: { type: String, trim: true },
    googleCalendarSummary: { type: String, trim: true },
    googleAutoSync: { type: Boolean },
    lastGoogleSyncAt: { type: Date },
    googleOAuthPending: {
      type: [new Schema({ nonce: String, userId: Schema.Types.ObjectId, expiresAt: Date }, { _id: false })],
      default: undefined,
    },
    facebookAdminChatId: { type: String, trim: true },
    facebookAdminToken: { type: String, trim: true },
    instagramAdminChatId: { type: String, trim: true },
    instagramAdminToken: { type: String, trim: true },
  },
  { timestamps: true, strict: true },
);

companyIntegrationSchema.plugin(tenantScoped);

export type CompanyIntegrationFields = InferSchemaType<typeof companyIntegrationSchema> & { _id: Types.ObjectId };
export const CompanyIntegration = model('CompanyIntegration', companyIntegrationSchema);
