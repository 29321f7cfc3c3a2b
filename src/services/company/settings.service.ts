/**
 * The AI Agent settings (`Company.bot`) and the company's OpenAI key. The key is stored encrypted
 * in CompanyIntegration.openaiApiKey (like page tokens), never logged and never returned: callers
 * learn only whether one is set and its last four characters. A change of the bot, the prompt's
 * usage count and the key is written in one transaction, after every check has passed.
 */
import type { ClientSession, Types } from 'mongoose';
import { AIPrompt, type AIPromptFields } from '../../models/AIPrompt';
import { Company } from '../../models/Company';
import { CompanyIntegration } from '../../models/CompanyIntegration';
import { NotFoundError } from '../../utils/errors';
import { moduleLogger } from '../../utils/logger';
import { decryptSecret, encryptSecret } from '../../utils/secrets';
import type { AiAgentBody } from '../../validators/company/settings.schemas';
import { inTransaction } from '../tenant';
import { COMPANY_NOT_FOUND } from './company.service';

const log = moduleLogger('settings');

type CompanyId = Types.ObjectId;

const RULES = ['role', 'givenInformationRules', 'informationCollectionRules', 'customerSupportRules'] as const;

type LibraryPrompt = Pick<AIPromptFields, '_id' | 'name' | 'category' | 'systemInstruction' | 'isActive' | (typeof RULES)[number]>;

export interface OpenaiKeySummary {
  hasOpenaiApiKey: boolean;
  /** Only for keys long enough that four characters do not give them away. */
  openaiApiKeyLast4: string | null;
}

/** The bot's `$set`/`$unset` for a body; a selected prompt's texts replace the body's (as the original did for the instruction). */
function botUpdate(b: AiAgentBody, prompt: LibraryPrompt | null) {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  if (b.systemInstruction !== undefined) $set['bot.systemInstruction'] = b.systemInstruction;
  if (b.active !== undefined) $set['bot.active'] = b.active;
  for (const key of RULES) if (b[key] !== undefined) $set[`bot.${key}`] = b[key];
  const hours = b.activeHours ?? {};
  if (hours.intervalActive !== undefined) $set['bot.activeHours.intervalActive'] = hours.intervalActive;
  if (hours.timezone !== undefined) $set['bot.activeHours.timezone'] = hours.timezone;
  for (const key of ['startTime', 'endTime'] as const) {
    if (hours[key] === null) $unset[`bot.activeHours.${key}`] = 1;
    else if (hours[key] !== undefined) $set[`bot.activeHours.${key}`] = hours[key];
  }
  if (prompt) {
    $set['bot.selectedPromptId'] = prompt._id;
    $set['bot.selectedPromptName'] = prompt.name;
    $set['bot.selectedPromptCategory'] = prompt.category;
    $set['bot.systemInstruction'] = prompt.systemInstruction;
    for (const key of RULES) if (prompt[key] != null) $set[`bot.${key}`] = prompt[key];
  } else if (b.selectedPromptId === null) {
    for (const key of ['selectedPromptId', 'selectedPromptName', 'selectedPromptCategory']) $set[`bot.${key}`] = null;
  }
  return { ...(Object.keys($set).length > 0 ? { $set } : {}), ...(Object.keys($unset).length > 0 ? { $unset } : {}) };
}

export function createSettingsService(deps: { dataEncryptionKey: string }) {
  async function openaiKey(companyId: CompanyId): Promise<OpenaiKeySummary> {
    const stored = (await CompanyIntegration.findOne({ companyId }, { openaiApiKey: 1 }).lean())?.openaiApiKey;
    if (!stored) return { hasOpenaiApiKey: false, openaiApiKeyLast4: null };
    try {
      const plain = decryptSecret(stored, deps.dataEncryptionKey);
      return { hasOpenaiApiKey: true, openaiApiKeyLast4: plain.length >= 12 ? plain.slice(-4) : null };
    } catch {
      log.warn('the stored OpenAI key cannot be decrypted (DATA_ENCRYPTION_KEY changed?)', { companyId: String(companyId) });
      return { hasOpenaiApiKey: true, openaiApiKeyLast4: null };
    }
  }

  async function saveOpenaiKey(companyId: CompanyId, key: string | null, session: ClientSession): Promise<void> {
    if (key === null) {
      await CompanyIntegration.updateOne({ companyId }, { $unset: { openaiApiKey: 1 } }, { session });
      return;
    }
    const openaiApiKey = encryptSecret(key, deps.dataEncryptionKey);
    await CompanyIntegration.updateOne({ companyId }, { $set: { openaiApiKey } }, { upsert: true, session });
  }

  /** The selected prompt, which must exist and be active (the original silently ignored a missing one). */
  async function promptOf(id: string | null | undefined): Promise<LibraryPrompt | null> {
    if (!id) return null;
    const prompt = await AIPrompt.findById(id).lean<LibraryPrompt>();
    if (!prompt || prompt.isActive === false) throw new NotFoundError('AI prompt not found', 'PROMPT_NOT_FOUND');
    return prompt;
  }

  async function bot(companyId: CompanyId) {
    const company = await Company.findById(companyId, { bot: 1 });
    if (!company) throw new NotFoundError(COMPANY_NOT_FOUND);
    return (company.toJSON().bot as unknown) ?? null;
  }

  return {
    openaiKey,

    /** GET /settings/ai-agent: `{bot}` [COMPAT] and the key summary. */
    async aiAgent(companyId: CompanyId) {
      return { bot: await bot(companyId), ...(await openaiKey(companyId)) };
    },

    /** POST /settings/ai-agent. */
    async updateAiAgent(companyId: CompanyId, b: AiAgentBody) {
      const prompt = await promptOf(b.selectedPromptId);
      const update = botUpdate(b, prompt);
      await inTransaction(async (session) => {
        const found = await Company.findOneAndUpdate({ _id: companyId }, update, { runValidators: true, session, projection: { _id: 1 } });
        if (!found) throw new NotFoundError(COMPANY_NOT_FOUND);
        if (prompt) await AIPrompt.updateOne({ _id: prompt._id }, { $inc: { usageCount: 1 } }, { session });
        if (b.openaiApiKey !== undefined) await saveOpenaiKey(companyId, b.openaiApiKey, session);
      });
      return { bot: await bot(companyId), ...(await openaiKey(companyId)) };
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
