/** Kinds of bookable resources (tubs, tables, rooms) → `resourcetypes`. */
import { Schema, model, type InferSchemaType } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

const resourceTypeSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    description: { type: String, maxlength: 500 },
    active: { type: Boolean, default: true },
    color: { type: String, maxlength: 7, default: '#6B7280' },
    icon: { type: String, maxlength: 50, default: 'cube' },
  },
  { timestamps: true },
);

resourceTypeSchema.index({ companyId: 1, name: 1 });
resourceTypeSchema.index({ companyId: 1, active: 1 });
resourceTypeSchema.plugin(tenantScoped);

export type ResourceTypeFields = InferSchemaType<typeof resourceTypeSchema>;
export const ResourceType = model('ResourceType', resourceTypeSchema);
