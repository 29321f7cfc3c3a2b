/** The tenant → `companies`. Field names are shared with the Meta Bot [COMPAT]. */
import { Schema, model, type InferSchemaType, type HydratedDocument, type Types } from 'mongoose';
import { isCountryCode } from '../utils/timezoneCountry';
import { BUSINESS_TYPES, COMPANY_STATUSES, HH_MM } from './constants';

const hhmm = { type: String, match: HH_MM };

/** The bot's persona texts (read by the Meta Bot; the original validated them but never stored them, B11). */
const botRule = { type: String, trim: true, maxlength: 1000 };

const botSchema = new Schema(
  {
    conversationExamples: [
      {
        user: { type: String, required: true, maxlength: 500 },
        assistant: { type: String, required: true, maxlength: 500 },
      },
    ],
    services: [{ type: String, trim: true, maxlength: 200 }],
    systemInstruction: { type: String, trim: true, maxlength: 500_000 },
    role: { type: String, trim: true, maxlength: 200 },
    givenInformationRules: botRule,
    informationCollectionRules: botRule,
    customerSupportRules: botRule,
    active: { type: Boolean, default: false },
    activeHours: {
      intervalActive: { type: Boolean, default: false },
      startTime: hhmm,
      endTime: hhmm,
      timezone: { type: String, default: 'Asia/Tbilisi' },
    },
    selectedPromptId: { type: Schema.Types.ObjectId, ref: 'AIPrompt' },
    selectedPromptName: { type: String, trim: true, maxlength: 100 },
    selectedPromptCategory: { type: String, trim: true, maxlength: 50 },
    responseDelay: {
      standard: { type: Number, default: 4000, min: 500, max: 10_000 },
      sentenceEnd: { type: Number, default: 1000, min: 250, max: 5000 },
    },
  },
  { _id: false },
);

const companySchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    email: { type: String, required: true, lowercase: true, trim: true },
    phone: { type: String, trim: true },
    website: { type: String, trim: true },
    address: { type: String, trim: true },
    /** ISO 3166-1 alpha-2; the default country of the customers' phone numbers (those without a +code). */
    country: {
      type: String,
      uppercase: true,
      validate: { validator: isCountryCode, message: 'country must be an ISO 3166-1 alpha-2 code' },
    },
    timezone: { type: String, required: true, default: 'UTC' },
    businessTypes: { type: [{ type: String, enum: BUSINESS_TYPES }], default: [] },
    mainCurrency: { type: String, required: true, default: 'USD' },
    logo: { type: String, trim: true },
    ringLogo: { type: String, trim: true },
    registrationId: { type: String, trim: true },
    registrationName: { type: String, trim: true },
    paymentMethods: [
      {
        bankName: { type: String, trim: true },
        accountNumber: { type: String, trim: true },
        accountName: { type: String, trim: true },
        sortCode: { type: String, trim: true },
        swiftCode: { type: String, trim: true },
        iban: { type: String, trim: true },
        bic: { type: String, trim: true },
        paypalEmail: { type: String, trim: true },
      },
    ],
    status: { type: String, enum: COMPANY_STATUSES, default: 'active' },
    bot: { type: botSchema, default: () => ({}) },
    integration: {
      type: new Schema({
        fbPageId: { type: String, trim: true, maxlength: 100 },
        instagramPageId: { type: String, trim: true, maxlength: 100 },
      }),
    },
    settings: {
      workHours: [
        {
          weekday: { type: Number, required: true, min: 0, max: 6 },
          startTime: { ...hhmm, required: true },
          endTime: { ...hhmm, required: true },
        },
      ],
      holidays: [{ type: Date }],
    },
  },
  { timestamps: true },
);

companySchema.index({ email: 1 }, { unique: true });
companySchema.index({ timezone: 1 });
companySchema.index({ status: 1 });

export type CompanyFields = InferSchemaType<typeof companySchema> & { _id: Types.ObjectId };
export type CompanyDoc = HydratedDocument<CompanyFields>;
export const Company = model('Company', companySchema);
