/**
 * Units of a resource type used by an appointment over its window → `resourcereservations`
 * [COMPAT names]. One document per unit; written, moved and released in the same transaction as
 * the appointment (released when it is canceled or a no-show).
 */
import { Schema, model, type InferSchemaType } from 'mongoose';
import { tenantScoped } from './plugins/tenantScoped';

const reservationSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    locationId: { type: Schema.Types.ObjectId, ref: 'Location', required: true },
    appointmentId: { type: Schema.Types.ObjectId, ref: 'Appointment', required: true },
    appointmentItemId: { type: Schema.Types.ObjectId, required: true },
    resourceTypeId: { type: Schema.Types.ObjectId, ref: 'ResourceType', required: true },
    resourceId: { type: Schema.Types.ObjectId, ref: 'Resource' },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
  },
  { timestamps: true },
);

reservationSchema.index({ companyId: 1, locationId: 1, resourceTypeId: 1, start: 1 });
reservationSchema.index({ companyId: 1, appointmentId: 1 });
reservationSchema.plugin(tenantScoped);

export type ResourceReservationFields = InferSchemaType<typeof reservationSchema>;
export const ResourceReservation = model('ResourceReservation', reservationSchema);
