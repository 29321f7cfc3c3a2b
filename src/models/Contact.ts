/** Customers and leads → `contacts`, shared with the Meta Bot [COMPAT field names]. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

export const LEAD_SOURCES = ['facebook', 'instagram', 'whatsapp', 'telegram', 'web', 'other'] as const;

const contactSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true, index: true },
    fullName: { type: String, trim: true, maxlength: 100 },
    email: { type: String, lowercase: true, trim: true },
    phone: { type: String, trim: true },
    social: {
      facebookId: { type: String, trim: true },
      instagramId: { type: String, trim: true },
      whatsapp: { type: String, trim: true },
    },
    profile: {
      name: { type: String, trim: true },
      picture: { type: String, trim: true },
      gender: { type: String, trim: true },
      locale: { type: String, trim: true },
      timezone: { type: String, trim: true },
    },
    socialNetworkName: { type: String, trim: true, maxlength: 100 },
    contactStatus: { type: String, required: true, enum: ['lead', 'customer'], default: 'lead', index: true },
    leadSource: { type: String, enum: LEAD_SOURCES },
    leadStage: { type: String, enum: ['new', 'contacted', 'qualified', 'lost'], default: 'new' },
    consents: {
      sms: { type: Boolean, default: false },
      email: { type: Boolean, default: false },
      marketing: { type: Boolean, default: false },
      smsConsentedAt: Date,
      emailConsentedAt: Date,
      marketingConsentedAt: Date,
    },
    preferredLocationId: { type: Schema.Types.ObjectId, ref: 'Location' },
    lastVisitedLocationId: { type: Schema.Types.ObjectId, ref: 'Location' },
    botSuspended: { type: Boolean, default: false },
    botSuspendUntil: { type: Date },
    notes: { type: String, trim: true, maxlength: 1000 },
    lastMessageAt: { type: Date, default: Date.now },
    messageCount: { type: Number, default: 0 },
    convertedToCustomerAt: { type: Date },
    interestedServices: [{ type: String, trim: true }],
  },
  { timestamps: true, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

contactSchema.virtual('isLead').get(function (this: { contactStatus?: string }) {
  return this.contactStatus === 'lead';
});
contactSchema.virtual('isCustomer').get(function (this: { contactStatus?: string }) {
  return this.contactStatus === 'customer';
});

contactSchema.index({ companyId: 1, contactStatus: 1 });
contactSchema.index({ companyId: 1, 'social.facebookId': 1 });
contactSchema.index({ companyId: 1, 'social.instagramId': 1 });
contactSchema.index({ companyId: 1, 'social.whatsapp': 1 });
// One contact per customer and platform: concurrent first messages must not create duplicates
// (contract B-32). Partial, so contacts without that social id are not constrained.
for (const field of ['social.facebookId', 'social.instagramId', 'social.whatsapp']) {
  contactSchema.index(
    { companyId: 1, [field]: 1 },
    { unique: true, partialFilterExpression: { [field]: { $type: 'string' } }, name: `unique_company_${field.replace('social.', '')}` },
  );
}
contactSchema.index({ companyId: 1, phone: 1 });
contactSchema.index({ companyId: 1, email: 1 });
contactSchema.index({ companyId: 1, createdAt: -1 });
contactSchema.index({ companyId: 1, lastMessageAt: -1 });
contactSchema.plugin(tenantScoped);

export type ContactFields = InferSchemaType<typeof contactSchema> & { _id: Types.ObjectId };
export const Contact = model('Contact', contactSchema);
