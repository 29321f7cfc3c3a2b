/** Request schemas of /api/v1/ai-prompts (reads only: the library is written by the seed script). */
import { z } from 'zod';
import { PROMPT_CATEGORIES } from '../../models/AIPrompt';

const text = (max: number) => z.string().trim().max(max).optional();

const category = z.enum(PROMPT_CATEGORIES, { message: `category must be one of: ${PROMPT_CATEGORIES.join(', ')}` });

/** `true`/`1` and `false`/`0` (the original treated `1` as false). */
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** A comma-separated list of tags, blanks dropped. */
const tagList = text(500).transform((v) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
);

export const CategoryParams = z.object({ category }).strict();
export type CategoryParams = z.infer<typeof CategoryParams>;

export const PromptSearchQuery = z
  .object({
    q: text(200),
    category: category.optional(),
    businessType: text(50),
    tags: tagList,
  })
  .strict();
export type PromptSearchQuery = z.infer<typeof PromptSearchQuery>;

export const PROMPT_SORT_FIELDS = ['name', 'category', 'businessType', 'createdAt', 'usageCount'] as const;

export const PromptListQuery = z
  .object({
    category: category.optional(),
    businessType: text(50),
    tags: tagList,
    search: text(200),
    isActive: flag,
    isDefault: flag,
    page: z.coerce.number({ message: 'page must be a number' }).int().min(1).max(100_000).default(1),
    limit: z.coerce.number({ message: 'limit must be a number' }).int().min(1).max(100).default(20),
    sortBy: z.enum(PROMPT_SORT_FIELDS, { message: `sortBy must be one of: ${PROMPT_SORT_FIELDS.join(', ')}` }).default('name'),
    sortOrder: z.enum(['asc', 'desc'], { message: 'sortOrder must be asc or desc' }).default('asc'),
  })
  .strict();
export type PromptListQuery = z.infer<typeof PromptListQuery>;
