/**
 * A priced, timed variant of a service (size/coat) → `serviceitems`. Durations go up to 1440
 * minutes (a day) so boarding services can be provisioned (the original capped them at 480 and
 * boarding registration always failed). One variant per {service, size, coatType}.
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { COAT_TYPES, ITEM_SIZES } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

export const MAX_SERVICE_MINUTES = 1440;

const serviceItemSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    serviceCategoryId: { type: Schema.Types.ObjectId, ref: 'ServiceCategory', required: true, index: true },
    size: { type: String, required: true, enum: ITEM_SIZES },
    label: { type: String, trim: true, maxlength: 50 },
    coatType: { type: String, enum: [...COAT_TYPES, 'all'], default: 'all' },
    durationMinutes: { type: Number, required: true, min: 10, max: MAX_SERVICE_MINUTES },
    price: { type: Number, required: true, min: 0 },
    active: { type: Boolean, default: true },
    requiredResources: [
      {
        resourceTypeId: { type: Schema.Types.ObjectId, ref: 'ResourceType', required: true },
        quantity: { type: Number, min: 1, default: 1 },
        durationMinutes: { type: Number, required: true, min: 10, max: MAX_SERVICE_MINUTES },
      },
    ],
  },
  { timestamps: true },
);

// Unique: a duplicate variant is refused by the database, not only by a check-then-insert (which races).
serviceItemSchema.index({ companyId: 1, serviceCategoryId: 1, size: 1, coatType: 1 }, { unique: true });
serviceItemSchema.index({ companyId: 1, serviceCategoryId: 1, active: 1 });
serviceItemSchema.plugin(tenantScoped);

export type ServiceItemFields = InferSchemaType<typeof serviceItemSchema> & { _id: Types.ObjectId };
export const ServiceItem = model('ServiceItem', serviceItemSchema);
