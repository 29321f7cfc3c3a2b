/** A customer's pet → `pets` [COMPAT names]. Size and coat pick the service variant. */
import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { COAT_TYPES, PET_SEXES, PET_SIZES, PET_SPECIES, PET_TEMPERAMENTS } from './constants';
import { tenantScoped } from './plugins/tenantScoped';

const petSchema = new Schema(
  {
    companyId: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    customerId: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    name: { type: String, required: true, trim: true, maxlength: 50 },
    species: { type: String, required: true, enum: PET_SPECIES },
    breed: { type: String, trim: true, maxlength: 100 },
    size: { type: String, enum: PET_SIZES },
    coatType: { type: String, enum: COAT_TYPES, default: 'unknown' },
    sex: { type: String, required: true, enum: PET_SEXES, default: 'unknown' },
    allergies: { type: [{ type: String, trim: true, maxlength: 100 }], default: undefined },
    weightKg: { type: Number, min: 0, max: 200 },
    ageYears: { type: Number, min: 0, max: 30 },
    temperament: { type: String, enum: PET_TEMPERAMENTS, default: 'normal' },
    medicalNotes: { type: String, trim: true, maxlength: 2000 },
  },
  { timestamps: true },
);

// A customer's pets by name (its prefix serves every per-customer query); all the company's pets by name.
petSchema.index({ companyId: 1, customerId: 1, name: 1 });
petSchema.index({ companyId: 1, name: 1 });
petSchema.plugin(tenantScoped);

export type PetFields = InferSchemaType<typeof petSchema> & { _id: Types.ObjectId };
export const Pet = model('Pet', petSchema);
