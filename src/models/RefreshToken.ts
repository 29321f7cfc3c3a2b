/**
 * Issued refresh tokens → `refreshtokens`. Only a SHA-256 hash of the token is stored. Tokens of
 * one login form a family: rotation revokes the old row and links its successor; presenting a
 * rotated token again (outside a short grace window) revokes the whole family.
 */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

const refreshTokenSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    /** SHA-256 (hex) of the JWT; the field keeps the original's name. */
    token: { type: String, required: true, index: true },
    familyId: { type: String, required: true, index: true },
    expiresAt: { type: Date, required: true },
    userAgent: { type: String, trim: true },
    ip: { type: String, trim: true },
    revokedAt: { type: Date, default: null },
    /** Set when the token was rotated (a successor was issued), as opposed to revoked outright. */
    rotatedAt: { type: Date, default: null },
    revokedReason: { type: String },
  },
  { timestamps: true },
);

refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type RefreshTokenFields = InferSchemaType<typeof refreshTokenSchema> & { _id: Types.ObjectId };
export const RefreshToken = model('RefreshToken', refreshTokenSchema);
