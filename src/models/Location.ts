/** A company's branch → `locations`. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { HH_MM } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const locationSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true, index: true },
    label: { type: String, required: true, trim: true, maxlength: 100 },
    address: { type: String, required: true, trim: true, maxlength: 300 },
    googleLocationUrl: { type: String, trim: true },
    phone: { type: String, trim: true, maxlength: 20 },
    timezone: { type: String, trim: true },
    isMain: { type: Boolean, default: false },
    workHours: [
      {
        _id: false,
        weekday: { type: Number, required: true, min: 0, max: 6 },
        startTime: { type: String, required: true, match: HH_MM },
        endTime: { type: String, required: true, match: HH_MM },
      },
    ],
    holidays: [{ type: Date }],
  },
  { timestamps: true },
);

locationSchema.index({ companyId: 1, label: 1 });
locationSchema.index({ companyId: 1, isMain: 1 });
locationSchema.plugin(tenantScoped);

export type LocationFields = InferSchemaType<typeof locationSchema> & { _id: Types.ObjectId };
export const Location = model('Location', locationSchema);
