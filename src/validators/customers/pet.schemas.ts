/** Request schemas of /api/v1/catalog/pets: the Pet model's values, checked at the edge. */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { COAT_TYPES, PET_SEXES, PET_SIZES, PET_SPECIES, PET_TEMPERAMENTS } from '../../models/constants';
import { AppError } from '../../utils/errors';
import { objectId } from '../common.schemas';
import { pageParams } from './paging.schemas';

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T, fold?: (s: string) => string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && fold ? fold(v.trim()) : v),
    z.enum(values, { message: `${name} must be one of: ${values.join(', ')}` }),
  );

const fields = {
  customerId: objectId,
  name: z.string({ message: 'name must be a string' }).trim().min(1, 'name is required').max(50, 'name must be at most 50 characters'),
  species: oneOf('species', PET_SPECIES, (s) => s.toLowerCase()),
  sex: oneOf('sex', PET_SEXES, (s) => s.toLowerCase()),
  breed: z.string({ message: 'breed must be a string' }).trim().max(100, 'breed must be at most 100 characters'),
  size: oneOf('size', PET_SIZES, (s) => s.toUpperCase()),
  coatType: oneOf('coatType', COAT_TYPES, (s) => s.toLowerCase()),
  weightKg: z.number({ message: 'weightKg must be a number' }).min(0).max(200),
  ageYears: z.number({ message: 'ageYears must be a number' }).min(0).max(30),
  // A list, or (as the original stored it) one text, split at commas and semicolons.
  allergies: z.union(
    [
      z
        .string()
        .max(300)
        .transform((s) =>
          s
            .split(/[,;\n]/)
            .map((a) => a.trim())
            .filter(Boolean),
        ),
      z.array(z.string().trim().min(1).max(100)).max(50),
    ],
    { message: 'allergies must be a list of texts (or one text of at most 300 characters)' },
  ),
  temperament: oneOf('temperament', PET_TEMPERAMENTS, (s) => s.toLowerCase()),
  medicalNotes: z.string({ message: 'medicalNotes must be a string' }).trim().max(2000, 'medicalNotes must be at most 2000 characters'),
};

export const PetCreateBody = z
  .object({
    customerId: fields.customerId,
    name: fields.name,
    species: fields.species,
    sex: fields.sex,
    breed: fields.breed.optional(),
    size: fields.size.optional(),
    coatType: fields.coatType.optional(),
    weightKg: fields.weightKg.optional(),
    ageYears: fields.ageYears.optional(),
    allergies: fields.allergies.optional(),
    temperament: fields.temperament.optional(),
    medicalNotes: fields.medicalNotes.optional(),
  })
  .strict();
export type PetCreateBody = z.infer<typeof PetCreateBody>;

/** The fields null clears (the others always have a value). */
export const CLEARABLE_PET_FIELDS = ['breed', 'size', 'weightKg', 'ageYears', 'allergies', 'medicalNotes'] as const;

export const PetUpdateBody = z
  .object({
    customerId: fields.customerId.optional(),
    name: fields.name.optional(),
    species: fields.species.optional(),
    sex: fields.sex.optional(),
    coatType: fields.coatType.optional(),
    temperament: fields.temperament.optional(),
    breed: fields.breed.nullable().optional(),
    size: fields.size.nullable().optional(),
    weightKg: fields.weightKg.nullable().optional(),
    ageYears: fields.ageYears.nullable().optional(),
    allergies: fields.allergies.nullable().optional(),
    medicalNotes: fields.medicalNotes.nullable().optional(),
  })
  .strict();
export type PetUpdateBody = z.infer<typeof PetUpdateBody>;

export const PetListQuery = z.object({ customerId: objectId.optional(), ...pageParams, companyId: z.string().optional() }).strict();
export type PetListQuery = z.infer<typeof PetListQuery>;

/** 400 MISSING_FIELDS when a required field is absent or empty [COMPAT]. */
export const petPrecheck: RequestHandler = (req, _res, next) => {
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (!b.customerId || !b.name || !b.species || !b.sex)
    next(new AppError(400, 'MISSING_FIELDS', 'customerId, name, species and sex are required'));
  else next();
};
