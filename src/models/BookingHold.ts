/**
 * A short-lived claim on a slot while a customer confirms → `bookingholds` [COMPAT names]. Each
 * tentative entry claims a staff member (`staffId`) or units of a resource type
 * (`resourceTypeId`, `quantity`) over [start, end). Expired holds are ignored by every rule and
 * removed by MongoDB's TTL monitor (a single-field TTL index; the original's compound one never
 * expired anything, B-23).
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { HOLD_CREATORS } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const holdSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    locationId: { type: Schema.Types.ObjectId, ref: 'Location', required: true },
    customerId: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    serviceItemId: { type: Schema.Types.ObjectId, ref: 'ServiceItem' },
    tentative: [
      {
        _id: false,
        staffId: { type: Schema.Types.ObjectId, ref: 'User' },
        resourceTypeId: { type: Schema.Types.ObjectId, ref: 'ResourceType' },
        quantity: { type: Number, min: 1, default: 1 },
        start: { type: Date, required: true },
        end: { type: Date, required: true },
      },
    ],
    createdBy: { type: String, enum: HOLD_CREATORS, default: 'web' },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true },
);

holdSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
// Every rule reads "this company's unexpired holds" (few at a time). The original's index on two
// paths inside `tentative` is valid on MongoDB but refused by the embedded server (parallel
// arrays), and no query here needs it.
holdSchema.index({ companyId: 1, expiresAt: 1 });
holdSchema.plugin(tenantScoped);

export type BookingHoldFields = InferSchemaType<typeof holdSchema> & { _id: Types.ObjectId };
export const BookingHold = model('BookingHold', holdSchema);
