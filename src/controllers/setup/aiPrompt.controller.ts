/** /api/v1/ai-prompts handlers: the contract's top-level keys (`prompts`, `prompt`, `preview`, `stats`). */
import type { RequestHandler } from 'express';
import { valid } from '../../middleware/validate';
import type { AIPromptService } from '../../services/setup/aiPrompt.service';
import { IdParams } from '../../validators/common.schemas';
import { CategoryParams, PromptListQuery, PromptSearchQuery } from '../../validators/setup/aiPrompt.schemas';
import { asyncHandler } from '../asyncHandler';

export function aiPromptController(
  prompts: AIPromptService,
): Record<'defaults' | 'byCategory' | 'search' | 'list' | 'stats' | 'get' | 'preview', RequestHandler> {
  return {
    defaults: asyncHandler(async (_req, res) => {
      res.json(await prompts.defaults());
    }),
    byCategory: asyncHandler(async (_req, res) => {
      res.json({ prompts: await prompts.byCategory(valid(res, 'params', CategoryParams).category) });
    }),
    search: asyncHandler(async (_req, res) => {
      res.json({ prompts: await prompts.search(valid(res, 'query', PromptSearchQuery)) });
    }),
    list: asyncHandler(async (_req, res) => {
      res.json(await prompts.list(valid(res, 'query', PromptListQuery)));
    }),
    stats: asyncHandler(async (_req, res) => {
      res.json(await prompts.stats());
    }),
    get: asyncHandler(async (_req, res) => {
      res.json({ prompt: await prompts.get(valid(res, 'params', IdParams).id) });
    }),
    preview: asyncHandler(async (_req, res) => {
      res.json({ preview: await prompts.preview(valid(res, 'params', IdParams).id) });
    }),
  };
}
