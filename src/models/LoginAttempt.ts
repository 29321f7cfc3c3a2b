/** Login attempts for account lockout → `loginattempts` (rows expire 30 minutes after createdAt). */
import { Schema, model, type InferSchemaType } from 'mongoose';

const loginAttemptSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, index: true },
    ip: { type: String, required: true, index: true },
    successful: { type: Boolean, default: false },
    lockedUntil: { type: Date, index: true },
  },
  { timestamps: true },
);

loginAttemptSchema.index({ email: 1, createdAt: -1 });
loginAttemptSchema.index({ ip: 1, createdAt: -1 });
loginAttemptSchema.index({ createdAt: 1 }, { expireAfterSeconds: 1800 });

export type LoginAttemptFields = InferSchemaType<typeof loginAttemptSchema>;
export const LoginAttempt = model('LoginAttempt', loginAttemptSchema);
