/** A staff member's weekly hours at a location → `staffschedules`: one entry per weekday per location. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { HH_MM } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const staffScheduleSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    locationId: { type: Schema.Types.ObjectId, ref: 'Location', required: true },
    weekday: { type: Number, required: true, min: 0, max: 6 },
    startTime: { type: String, required: true, match: HH_MM },
    endTime: { type: String, required: true, match: HH_MM },
    breakWindows: [{ start: { type: String, required: true, match: HH_MM }, end: { type: String, required: true, match: HH_MM } }],
  },
  { timestamps: true },
);

staffScheduleSchema.index({ companyId: 1, userId: 1, locationId: 1, weekday: 1 }, { unique: true });
staffScheduleSchema.plugin(tenantScoped);

export type StaffScheduleFields = InferSchemaType<typeof staffScheduleSchema> & { _id: Types.ObjectId };
export const StaffSchedule = model('StaffSchedule', staffScheduleSchema);
