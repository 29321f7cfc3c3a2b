/**
 * Reads of the global AI prompt library (contract §3.8). The library is not tenant data: every
 * signed-in user sees the same prompts. Nothing here writes a prompt; the seed script does, and
 * choosing a prompt in the AI agent settings counts its use (usePrompt).
 */
import type { ClientSession, FilterQuery, SortOrder } from 'mongoose';
import { AIPrompt, composeFullPrompt, type AIPromptFields, type PromptCategory } from '../../models/AIPrompt';
import { AppError, NotFoundError } from '../../utils/errors';
import { escapeRegex } from '../../utils/regex';
import type { PromptListQuery, PromptSearchQuery } from '../../validators/setup/aiPrompt.schemas';

const NOT_FOUND = 'AI prompt not found';
const SEARCH_LIMIT = 50;

type Filter = FilterQuery<AIPromptFields>;

const literal = (s: string): RegExp => new RegExp(escapeRegex(s), 'i');

/** Active prompts that carry any of the tags. */
const withTags = (tags: string[] | undefined): Filter => (tags && tags.length > 0 ? { tags: { $in: tags } } : {});

export function createAIPromptService() {
  return {
    /** Active default prompts grouped by category: `{ prompts: { <category>: [...] }, categories }`. */
    async defaults() {
      const rows = await AIPrompt.find({ isActive: true, isDefault: true })
        .sort({ category: 1, name: 1 })
        .select('name category description businessType tags')
        .lean();
      const prompts: Record<string, typeof rows> = {};
      for (const p of rows) (prompts[p.category] ??= []).push(p);
      return { prompts, categories: Object.keys(prompts) };
    },

    async byCategory(category: PromptCategory) {
      return AIPrompt.find({ category, isActive: true }).sort({ name: 1 }).select('name description businessType tags isDefault').lean();
    },

    async search(q: PromptSearchQuery) {
      const terms = [q.q, q.category, q.businessType].filter((v) => v !== undefined && v !== '');
      if (terms.length === 0 && !q.tags?.length) {
        throw new AppError(400, 'INVALID_REQUEST', 'At least one search parameter is required');
      }
      const filter: Filter = { isActive: true, ...withTags(q.tags) };
      if (q.q) filter.$or = [{ name: literal(q.q) }, { description: literal(q.q) }, { role: literal(q.q) }];
      if (q.category) filter.category = q.category;
      if (q.businessType) filter.businessType = literal(q.businessType);
      return AIPrompt.find(filter)
        .sort({ isDefault: -1, usageCount: -1, name: 1 })
        .limit(SEARCH_LIMIT)
        .select('name category description businessType tags isDefault usageCount')
        .lean();
    },

    async list(q: PromptListQuery) {
      const filter: Filter = { ...withTags(q.tags) };
      if (q.category) filter.category = q.category;
      if (q.businessType) filter.businessType = literal(q.businessType);
      if (q.isActive !== undefined) filter.isActive = q.isActive;
      if (q.isDefault !== undefined) filter.isDefault = q.isDefault;
      if (q.search) {
        const re = literal(q.search);
        filter.$or = [{ name: re }, { description: re }, { businessType: re }, { tags: re }];
      }
      const order: SortOrder = q.sortOrder === 'desc' ? -1 : 1;
      // _id breaks ties, so pages do not overlap when sort keys are equal.
      const [prompts, totalItems] = await Promise.all([
        AIPrompt.find(filter)
          .sort({ [q.sortBy]: order, _id: 1 })
          .skip((q.page - 1) * q.limit)
          .limit(q.limit)
          .select('-__v')
          .lean(),
        AIPrompt.countDocuments(filter),
      ]);
      const totalPages = Math.ceil(totalItems / q.limit);
      return {
        prompts,
        pagination: {
          currentPage: q.page,
          totalPages,
          totalItems,
          itemsPerPage: q.limit,
          hasNext: q.page < totalPages,
          hasPrev: q.page > 1,
        },
      };
    },

    /** Per category and overall: how many prompts, how many active and default, and their use. */
    async stats() {
      const stats = await AIPrompt.aggregate<{ _id: string; count: number; activeCount: number; defaultCount: number; totalUsage: number }>(
        [
          {
            $group: {
              _id: '$category',
              count: { $sum: 1 },
              activeCount: { $sum: { $cond: ['$isActive', 1, 0] } },
              defaultCount: { $sum: { $cond: ['$isDefault', 1, 0] } },
              totalUsage: { $sum: '$usageCount' },
            },
          },
          { $sort: { _id: 1 } },
        ],
      );
      const summary = stats.reduce(
        (s, c) => ({
          totalPrompts: s.totalPrompts + c.count,
          activePrompts: s.activePrompts + c.activeCount,
          totalUsage: s.totalUsage + c.totalUsage,
        }),
        { totalPrompts: 0, activePrompts: 0, totalUsage: 0 },
      );
      return { stats, summary };
    },

    async get(id: string) {
      const prompt = await AIPrompt.findById(id).select('-__v').lean();
      if (!prompt) throw new NotFoundError(NOT_FOUND);
      return prompt;
    },

    /** What the bot would be told: `fullPrompt` is computed here (a lean read has no virtuals, B15). */
    async preview(id: string) {
      const p = await AIPrompt.findById(id).lean();
      if (!p) throw new NotFoundError(NOT_FOUND);
      return {
        name: p.name,
        category: p.category,
        businessType: p.businessType,
        description: p.description,
        fullPrompt: composeFullPrompt(p),
        conversationExamples: p.conversationExamples,
        tags: p.tags,
      };
    },
  };
}

export type AIPromptService = ReturnType<typeof createAIPromptService>;

/**
 * An active prompt chosen for a company's bot, with its use counted in the same write (the AI
 * agent settings call this when a manager selects a prompt; there is no public usage endpoint, S5).
 * Null when the prompt does not exist or is switched off.
 */
export async function usePrompt(id: string, session?: ClientSession) {
  return AIPrompt.findOneAndUpdate(
    { _id: id, isActive: true },
    { $inc: { usageCount: 1 } },
    { new: true, ...(session ? { session } : {}) },
  ).lean();
}
