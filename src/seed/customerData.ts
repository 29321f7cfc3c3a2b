/** The demo's customers (the original seed's Ana Garcia and David Brown, and more) with their dogs and cats. */
import type { LocationLabel } from './data';

export interface PetSeed {
  name: string;
  species: 'dog' | 'cat';
  sex: 'male' | 'female';
  breed: string;
  size: 'S' | 'M' | 'L' | 'XL';
  coatType: 'short' | 'medium' | 'long' | 'curly' | 'double' | 'wire';
  temperament: 'calm' | 'normal' | 'anxious' | 'aggressive';
  ageYears: number;
  weightKg: number;
  allergies?: string[];
  medicalNotes?: string;
}

export interface CustomerSeed {
  fullName: string;
  /** The natural key: the customers API keeps one contact per normalised number. */
  phone: string;
  email?: string;
  notes?: string;
  /** The customer's WhatsApp id (their number's digits), so their WhatsApp messages land on this contact. */
  whatsapp?: string;
  /** Where their pets are groomed in the demo. */
  location: LocationLabel;
  pets: PetSeed[];
}

export const DEMO_CUSTOMERS: readonly CustomerSeed[] = [
  {
    fullName: 'Ana Garcia',
    phone: '+995 555 12 34 56',
    email: 'ana.garcia@example.com',
    whatsapp: '995555123456',
    location: 'Main',
    pets: [
      {
        name: 'Buddy',
        species: 'dog',
        sex: 'male',
        breed: 'Golden Retriever',
        size: 'L',
        coatType: 'double',
        temperament: 'normal',
        ageYears: 4,
        weightKg: 32,
      },
    ],
  },
  {
    fullName: 'David Brown',
    phone: '+995 555 23 45 67',
    email: 'david.brown@example.com',
    location: 'Main',
    pets: [
      {
        name: 'Bella',
        species: 'cat',
        sex: 'female',
        breed: 'Persian',
        size: 'M',
        coatType: 'long',
        temperament: 'anxious',
        ageYears: 6,
        weightKg: 4.5,
        medicalNotes: 'Sensitive skin: hypoallergenic shampoo only.',
      },
    ],
  },
  {
    fullName: 'Tamar Kvaratskhelia',
    phone: '+995 599 11 22 33',
    email: 'tamar.k@example.com',
    location: 'Main',
    pets: [
      {
        name: 'Rocky',
        species: 'dog',
        sex: 'male',
        breed: 'French Bulldog',
        size: 'S',
        coatType: 'short',
        temperament: 'calm',
        ageYears: 3,
        weightKg: 12,
      },
      {
        name: 'Luna',
        species: 'cat',
        sex: 'female',
        breed: 'British Shorthair',
        size: 'M',
        coatType: 'short',
        temperament: 'calm',
        ageYears: 2,
        weightKg: 4,
      },
    ],
  },
  {
    fullName: 'Sandro Lomidze',
    phone: '+995 577 44 55 66',
    location: 'Main',
    notes: 'Prefers morning appointments.',
    pets: [
      {
        name: 'Max',
        species: 'dog',
        sex: 'male',
        breed: 'Standard Poodle',
        size: 'L',
        coatType: 'curly',
        temperament: 'anxious',
        ageYears: 5,
        weightKg: 27,
        allergies: ['chicken'],
      },
    ],
  },
  {
    fullName: 'Maria Rossi',
    phone: '+995 591 22 33 44',
    email: 'maria.rossi@example.com',
    location: 'Main',
    pets: [
      {
        name: 'Coco',
        species: 'dog',
        sex: 'female',
        breed: 'Maltese',
        size: 'S',
        coatType: 'long',
        temperament: 'normal',
        ageYears: 7,
        weightKg: 3.5,
      },
      {
        name: 'Simba',
        species: 'cat',
        sex: 'male',
        breed: 'Maine Coon',
        size: 'L',
        coatType: 'long',
        temperament: 'normal',
        ageYears: 4,
        weightKg: 8,
      },
    ],
  },
  {
    fullName: 'Irakli Gelashvili',
    phone: '+995 558 77 88 99',
    location: 'Main',
    pets: [
      {
        name: 'Charlie',
        species: 'dog',
        sex: 'male',
        breed: 'Caucasian Shepherd',
        size: 'XL',
        coatType: 'double',
        temperament: 'aggressive',
        ageYears: 5,
        weightKg: 62,
        medicalNotes: 'Muzzle for nail trims.',
      },
    ],
  },
  {
    fullName: 'Ayşe Demir',
    phone: '+90 532 111 22 33',
    email: 'ayse.demir@example.com',
    location: 'Istanbul',
    pets: [
      {
        name: 'Pamuk',
        species: 'cat',
        sex: 'female',
        breed: 'Turkish Angora',
        size: 'S',
        coatType: 'long',
        temperament: 'calm',
        ageYears: 3,
        weightKg: 3.2,
      },
      {
        name: 'Zeytin',
        species: 'cat',
        sex: 'male',
        breed: 'Domestic Shorthair',
        size: 'M',
        coatType: 'short',
        temperament: 'anxious',
        ageYears: 1,
        weightKg: 4.1,
      },
    ],
  },
  {
    fullName: 'Mehmet Kaya',
    phone: '+90 533 222 33 44',
    location: 'Istanbul',
    pets: [
      {
        name: 'Karabaş',
        species: 'dog',
        sex: 'male',
        breed: 'Kangal',
        size: 'XL',
        coatType: 'double',
        temperament: 'calm',
        ageYears: 6,
        weightKg: 58,
      },
    ],
  },
  {
    fullName: 'Can Öztürk',
    phone: '+90 542 333 44 55',
    email: 'can.ozturk@example.com',
    location: 'Istanbul',
    pets: [
      {
        name: 'Paşa',
        species: 'dog',
        sex: 'male',
        breed: 'Cavalier King Charles Spaniel',
        size: 'M',
        coatType: 'medium',
        temperament: 'normal',
        ageYears: 2,
        weightKg: 8,
      },
    ],
  },
];
