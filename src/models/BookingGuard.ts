/**
 * One document per staff member and per (location, resource type) → `bookingguards`. Every
 * booking transaction first writes the guards of what it books; two concurrent transactions on
 * the same staff member or resource type therefore write the same document, one of them meets a
 * write conflict and is retried on a snapshot that includes the other's appointment. That turns
 * "check overlaps, then insert" into a serialised decision per staff member, on the embedded
 * server and on a replica set alike.
 */
import { Schema, model } from 'mongoose';

const guardSchema = new Schema(
  {
    _id: { type: String },
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    seq: { type: Number, default: 0 },
  },
  { versionKey: false },
);

guardSchema.index({ companyId: 1 });

export const BookingGuard = model('BookingGuard', guardSchema);
