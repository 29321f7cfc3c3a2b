/**
 * A Facebook data deletion request that was carried out → `datadeletionrequests`. Written in the
 * same transaction as the deletion, so a confirmation code exists only for data really deleted;
 * the status page (F3) reads it. It keeps what was removed (counts) and nothing that identifies
 * the person. Not tenant-owned: one request can cover contacts of several companies.
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

const count = { type: Number, default: 0 };

const dataDeletionRequestSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    status: { type: String, enum: ['completed'], required: true },
    completedAt: { type: Date, required: true },
    deleted: {
      _id: false,
      contacts: count,
      messages: count,
      conversations: count,
      appointments: count,
      reservations: count,
      holds: count,
      pets: count,
    },
  },
  { timestamps: true },
);

export type DataDeletionRequestFields = InferSchemaType<typeof dataDeletionRequestSchema> & { _id: Types.ObjectId };
export const DataDeletionRequest = model('DataDeletionRequest', dataDeletionRequestSchema);
