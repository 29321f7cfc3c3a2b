/**
 * One document per scheduled job that must run once across processes → `jobleases`: who holds
 * the job now and until when (a lease a crashed process cannot keep), and when it last ran, so a
 * restart does not run it again before its period is over. See src/jobs/jobLease.ts.
 */
import { Schema, model, type InferSchemaType } from 'mongoose';

const jobLeaseSchema = new Schema(
  {
    _id: { type: String },
    owner: { type: String },
    leaseUntil: { type: Date },
    lastRunAt: { type: Date },
    lastFinishedAt: { type: Date },
    lastResult: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

export type JobLeaseFields = InferSchemaType<typeof jobLeaseSchema>;
export const JobLease = model('JobLease', jobLeaseSchema);
