/**
 * Staff accounts → `users`. Email is unique per company (the same person may work for several
 * companies; login then asks which one), not globally as in the original.
 */
import { Schema, model, type InferSchemaType, type HydratedDocument, type Types } from 'mongoose';
import { STAFF_ROLES, pleasantColor } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const userSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    picture: { type: String },
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    fullName: { type: String, required: true, trim: true, maxlength: 100 },
    role: { type: String, required: true, enum: STAFF_ROLES },
    roles: {
      type: [{ type: String, enum: STAFF_ROLES }],
      default: function (this: { role?: string }) {
        return this.role ? [this.role] : [];
      },
    },
    locationIds: { type: [{ type: Schema.Types.ObjectId, ref: 'Location' }], default: [] },
    primaryLocationId: { type: Schema.Types.ObjectId, ref: 'Location' },
    phone: { type: String, trim: true, maxlength: 20 },
    color: { type: String, trim: true, maxlength: 7, default: () => pleasantColor() },
    isActive: { type: Boolean, default: true },
    tosAcceptedAt: { type: Date, required: true, default: Date.now },
    serviceProvider: { type: Boolean, default: false },
    capacity: { type: Number, default: 0 },
    serviceCategoryIds: { type: [{ type: Schema.Types.ObjectId, ref: 'ServiceCategory' }], default: [] },
    /** Bumped when the password changes: refresh tokens issued before are refused. */
    passwordChangedAt: { type: Date },
  },
  {
    timestamps: true,
    toJSON: {
      virtuals: true,
      transform: (_doc, ret: Record<string, unknown>) => {
        delete ret.passwordHash;
        return ret;
      },
    },
  },
);

userSchema.index({ companyId: 1, email: 1 }, { unique: true });
userSchema.index({ email: 1 });
userSchema.index({ companyId: 1, locationIds: 1, isActive: 1 });
userSchema.index({ companyId: 1, serviceCategoryIds: 1, isActive: 1 });
userSchema.index({ locationIds: 1 });
userSchema.index({ serviceCategoryIds: 1 });
userSchema.plugin(tenantScoped);

export type UserFields = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
export type UserDoc = HydratedDocument<UserFields>;
export const User = model('User', userSchema);
