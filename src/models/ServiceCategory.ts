/** A service the company offers (Full Groom, Vaccination…) → `servicecategories`. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { SERVICE_SPECIES, STAFF_ROLES } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const serviceCategorySchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    description: { type: String, trim: true, maxlength: 500 },
    active: { type: Boolean, default: true },
    species: { type: String, required: true, enum: SERVICE_SPECIES },
    requiresBath: { type: Boolean, default: false },
    color: { type: String, trim: true, maxlength: 7 },
    allowedRoles: {
      type: [{ type: String, enum: STAFF_ROLES }],
      default: ['groomer'],
      validate: { validator: (v: string[]) => Array.isArray(v) && v.length > 0, message: 'At least one role must be allowed' },
    },
  },
  { timestamps: true, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

serviceCategorySchema.virtual('serviceItems', { ref: 'ServiceItem', localField: '_id', foreignField: 'serviceCategoryId' });
serviceCategorySchema.index({ companyId: 1, name: 1 });
serviceCategorySchema.index({ companyId: 1, species: 1 });
serviceCategorySchema.index({ companyId: 1, active: 1 });
serviceCategorySchema.plugin(tenantScoped);

export type ServiceCategoryFields = InferSchemaType<typeof serviceCategorySchema> & { _id: Types.ObjectId };
export const ServiceCategory = model('ServiceCategory', serviceCategorySchema);
