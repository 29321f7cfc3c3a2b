/**
 * Per-company integration settings → `companyintegrations`: the union of the backend's and the
 * Meta Bot's schemas (same collection). Always change it with partial $set/$unset so fields only
 * the other side knows survive. Secret values may be stored encrypted (src/utils/secrets.ts).
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
    openaiApiKey: { type: String, trim: true },
    geminiApiKey: { type: String, trim: true },
    aiProvider: { type: String, enum: ['openai', 'gemini'] },
    googleAccessToken: { type: String, trim: true },
    googleRefreshToken: { type: String, trim: true },
    googleAccountEmail: { type: String, trim: true },
    googleCalendarId: { type: String, trim: true },
    googleCalendarSummary: { type: String, trim: true },
    googleAutoSync: { type: Boolean },
    lastGoogleSyncAt: { type: Date },
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
