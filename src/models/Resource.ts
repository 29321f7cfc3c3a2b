/** A bookable resource at a location → `resources`. There is no `capacity` field (contract §7.3). */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { RESOURCE_SPECIES } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const resourceSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true, index: true },
    locationId: { type: Schema.Types.ObjectId, ref: 'Location', required: true, index: true },
    resourceTypeId: { type: Schema.Types.ObjectId, ref: 'ResourceType', required: true, index: true },
    species: { type: [{ type: String, enum: RESOURCE_SPECIES }], required: true },
    label: { type: String, required: true, trim: true, maxlength: 50 },
    active: { type: Boolean, default: true },
  },
  { timestamps: true, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

resourceSchema.virtual('resourceType', { ref: 'ResourceType', localField: 'resourceTypeId', foreignField: '_id', justOne: true });
resourceSchema.index({ companyId: 1, locationId: 1, resourceTypeId: 1, active: 1 });
resourceSchema.plugin(tenantScoped);

export type ResourceFields = InferSchemaType<typeof resourceSchema> & { _id: Types.ObjectId };
export const Resource = model('Resource', resourceSchema);
