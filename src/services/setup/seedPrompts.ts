/**
 * The AI prompt library and its seeding. Each library prompt is the Meta Bot prompt a business
 * type starts with (src/config/botPrompts.ts), so what a manager picks from the library is what
 * registration gives a company of that type. Seeding upserts by category and name, in one
 * transaction: a new prompt starts at version 1, a changed text bumps the version, an unchanged
 * one is left as it is (its usage count and whether an operator switched it off included).
 */
import { botPromptFor } from '../../config/botPrompts';
import type { BusinessType } from '../../models/constants';
import { AIPrompt, type AIPromptDoc, type PromptCategory } from '../../models/AIPrompt';
import { inTransaction } from '../tenant';

export interface LibraryPrompt {
  name: string;
  category: PromptCategory;
  businessType: string;
  description: string;
  role: string;
  tags: string[];
  systemInstruction: string;
  conversationExamples: { user: string; assistant: string }[];
}

interface LibraryEntry extends Omit<LibraryPrompt, 'systemInstruction' | 'conversationExamples'> {
  /** The business type whose bot prompt this entry carries. */
  from: BusinessType;
}

const ENTRIES: readonly LibraryEntry[] = [
  {
    from: 'grooming',
    name: 'Professional Pet Groomer',
    category: 'pet_grooming',
    businessType: 'Grooming Salon',
    description: 'Answers grooming questions and books grooms for dogs and cats at a grooming salon.',
    role: 'Friendly virtual assistant of a pet grooming salon',
    tags: ['grooming', 'booking', 'dogs', 'cats'],
  },
  {
    from: 'vet',
    name: 'Veterinary Clinic Assistant',
    category: 'veterinary',
    businessType: 'Veterinary Clinic',
    description: 'Books check-ups, vaccinations and dental care; never gives medical advice and escalates emergencies.',
    role: 'Friendly virtual assistant of a veterinary clinic',
    tags: ['veterinary', 'booking', 'vaccination', 'emergency'],
  },
  {
    from: 'training',
    name: 'Pet Training Specialist',
    category: 'pet_training',
    businessType: 'Pet Training Center',
    description: 'Explains classes and private sessions of a dog training school and books them.',
    role: 'Friendly virtual assistant of a dog training school',
    tags: ['training', 'booking', 'puppies', 'behaviour'],
  },
  {
    from: 'boarding',
    name: 'Pet Boarding Coordinator',
    category: 'pet_sitting',
    businessType: 'Boarding Facility',
    description: 'Answers questions about overnight stays and reserves kennels, suites and cat condos.',
    role: 'Friendly virtual assistant of a pet boarding facility',
    tags: ['boarding', 'booking', 'overnight'],
  },
  {
    from: 'daycare',
    name: 'Dog Daycare Coordinator',
    category: 'pet_sitting',
    businessType: 'Dog Daycare',
    description: 'Books full and half days of dog daycare and puppy socialization sessions.',
    role: 'Friendly virtual assistant of a dog daycare',
    tags: ['daycare', 'booking', 'puppies'],
  },
];

/** The library as the seed writes it. */
export function promptLibrary(): LibraryPrompt[] {
  return ENTRIES.map(({ from, ...entry }) => ({ ...entry, ...botPromptFor([from]) }));
}

export interface SeedPromptsResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

const sameExamples = (doc: AIPromptDoc, want: LibraryPrompt['conversationExamples']): boolean =>
  doc.conversationExamples.length === want.length &&
  doc.conversationExamples.every((e, i) => e.user === want[i]!.user && e.assistant === want[i]!.assistant);

const sameTags = (doc: AIPromptDoc, want: string[]): boolean => doc.tags.length === want.length && doc.tags.every((t, i) => t === want[i]);

/** Writes the library: creates what is missing, brings changed prompts up to date. Safe to run again. */
export async function seedPromptLibrary(library: LibraryPrompt[] = promptLibrary()): Promise<SeedPromptsResult> {
  // The collection and its unique index exist before the transaction writes to them.
  await AIPrompt.init();
  return inTransaction(async (session) => {
    const result: SeedPromptsResult = { created: [], updated: [], unchanged: [] };
    for (const p of library) {
      const doc = await AIPrompt.findOne({ category: p.category, name: p.name }).session(session);
      if (!doc) {
        await AIPrompt.create([{ ...p, isActive: true, isDefault: true, createdBy: 'seed' }], { session });
        result.created.push(p.name);
        continue;
      }
      doc.set({ businessType: p.businessType, description: p.description, role: p.role, systemInstruction: p.systemInstruction });
      // Arrays are compared by content: setting an equal array would still mark it (and examples' ids) as changed.
      if (!sameTags(doc, p.tags)) doc.set('tags', p.tags);
      if (!sameExamples(doc, p.conversationExamples)) doc.set('conversationExamples', p.conversationExamples);
      if (doc.isModified()) {
        await doc.save({ session });
        result.updated.push(p.name);
      } else result.unchanged.push(p.name);
    }
    return result;
  });
}
