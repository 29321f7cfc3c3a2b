/**
 * The global library of Meta Bot prompts → `aiprompts` (contract §4.10). Not tenant data: every
 * company reads the same library, and only the seed script writes it. A new prompt starts at
 * version 1; the version goes up when a saved prompt's text changes (the original bumped it on
 * the first save too, B36).
 */
import { Schema, model, type HydratedDocument, type InferSchemaType, type Types } from 'mongoose';

export const PROMPT_CATEGORIES = ['pet_grooming', 'veterinary', 'pet_sitting', 'pet_training', 'pet_supplies', 'general_pet_care'] as const;
export type PromptCategory = (typeof PROMPT_CATEGORIES)[number];

/** The fields whose change makes a new version of the prompt's text. */
export const PROMPT_TEXT_FIELDS = [
  'systemInstruction',
  'role',
  'givenInformationRules',
  'informationCollectionRules',
  'customerSupportRules',
] as const;

export interface PromptText {
  role: string;
  systemInstruction: string;
  givenInformationRules?: string | null;
  informationCollectionRules?: string | null;
  customerSupportRules?: string | null;
}

/** The prompt the bot is given: its role, its instruction, then each set of rules it has. */
export function composeFullPrompt(p: PromptText): string {
  let full = `Role: ${p.role}\n\n${p.systemInstruction}`;
  if (p.givenInformationRules) full += `\n\nGiven Information Rules:\n${p.givenInformationRules}`;
  if (p.informationCollectionRules) full += `\n\nInformation Collection Rules:\n${p.informationCollectionRules}`;
  if (p.customerSupportRules) full += `\n\nCustomer Support Rules:\n${p.customerSupportRules}`;
  return full;
}

const aiPromptSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    category: { type: String, required: true, enum: PROMPT_CATEGORIES, index: true },
    businessType: { type: String, required: true, trim: true, maxlength: 50 },
    description: { type: String, required: true, trim: true, maxlength: 200 },
    systemInstruction: { type: String, required: true, maxlength: 5000 },
    role: { type: String, required: true, trim: true, maxlength: 200 },
    givenInformationRules: { type: String, maxlength: 1000 },
    informationCollectionRules: { type: String, maxlength: 1000 },
    customerSupportRules: { type: String, maxlength: 1000 },
    conversationExamples: [
      {
        user: { type: String, required: true, maxlength: 500 },
        assistant: { type: String, required: true, maxlength: 500 },
      },
    ],
    tags: [{ type: String, trim: true, maxlength: 30 }],
    isActive: { type: Boolean, default: true, index: true },
    isDefault: { type: Boolean, default: false, index: true },
    usageCount: { type: Number, default: 0, min: 0 },
    version: { type: Number, default: 1, min: 1 },
    createdBy: { type: String, trim: true, default: 'system' },
  },
  { timestamps: true, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

aiPromptSchema.virtual('fullPrompt').get(function (this: PromptText) {
  return composeFullPrompt(this);
});

aiPromptSchema.pre('save', function () {
  if (!this.isNew && PROMPT_TEXT_FIELDS.some((f) => this.isModified(f))) this.version += 1;
});

aiPromptSchema.index({ category: 1, isActive: 1 });
aiPromptSchema.index({ businessType: 1, isActive: 1 });
aiPromptSchema.index({ tags: 1, isActive: 1 });
aiPromptSchema.index({ isDefault: 1, isActive: 1 });
// The seed upserts by name within a category: the database keeps two seeds from writing one prompt twice.
aiPromptSchema.index({ category: 1, name: 1 }, { unique: true });

export type AIPromptFields = InferSchemaType<typeof aiPromptSchema> & { _id: Types.ObjectId };
export type AIPromptDoc = HydratedDocument<AIPromptFields>;
export const AIPrompt = model('AIPrompt', aiPromptSchema);
