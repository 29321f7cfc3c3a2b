/** A staff member's absence (holiday, sick day, appointment) → `timeoffs` [COMPAT names]. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

const timeOffSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    reason: { type: String, trim: true, maxlength: 200 },
    color: { type: String, trim: true, maxlength: 7 },
  },
  { timestamps: true },
);

timeOffSchema.pre('validate', function () {
  if (this.start && this.end && this.start >= this.end) this.invalidate('end', 'End time must be after start time');
});
timeOffSchema.index({ companyId: 1, userId: 1, start: 1 });
timeOffSchema.plugin(tenantScoped);

export type TimeOffFields = InferSchemaType<typeof timeOffSchema> & { _id: Types.ObjectId };
export const TimeOff = model('TimeOff', timeOffSchema);
