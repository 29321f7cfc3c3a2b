/** Kinds of bookable resources (tubs, tables, rooms) → `resourcetypes`. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

/** The original validated `category` but never stored it (B-6); it is a real field now. */
export const RESOURCE_CATEGORIES = ['equipment', 'space', 'staff', 'supply', 'other'] as const;
export type ResourceCategory = (typeof RESOURCE_CATEGORIES)[number];

const resourceTypeSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    category: { type: String, enum: RESOURCE_CATEGORIES, default: 'other' },
    description: { type: String, trim: true, maxlength: 500 },
    active: { type: Boolean, default: true },
    color: { type: String, trim: true, maxlength: 7, default: '#6B7280' },
    icon: { type: String, trim: true, maxlength: 50, default: 'cube' },
  },
  { timestamps: true, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

resourceTypeSchema.virtual('resources', { ref: 'Resource', localField: '_id', foreignField: 'resourceTypeId' });
resourceTypeSchema.index({ companyId: 1, name: 1 });
resourceTypeSchema.index({ companyId: 1, category: 1 });
resourceTypeSchema.index({ companyId: 1, active: 1 });
resourceTypeSchema.plugin(tenantScoped);

export type ResourceTypeFields = InferSchemaType<typeof resourceTypeSchema> & { _id: Types.ObjectId };
export const ResourceType = model('ResourceType', resourceTypeSchema);
