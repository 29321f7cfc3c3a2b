/** /settings handlers (manager only): the Company and AI Agent pages' data, `{company}` and `{bot}` [COMPAT]. */
import type { RequestHandler } from 'express';
import { currentUser } from '../../middleware/auth';
import { valid } from '../../middleware/validate';
import type { CompanyService } from '../../services/company/company.service';
import type { SettingsService } from '../../services/company/settings.service';
import { AiAgentBody, SettingsCompanyBody } from '../../validators/company/settings.schemas';
import { asyncHandler } from '../asyncHandler';

type Handlers = 'overview' | 'company' | 'updateCompany' | 'aiAgent' | 'updateAiAgent';

export function settingsController(companies: CompanyService, settings: SettingsService): Record<Handlers, RequestHandler> {
  const company = (res: Parameters<RequestHandler>[1]) => currentUser(res).companyObjectId;
  return {
    overview: asyncHandler(async (_req, res) => {
      const [view, agent] = await Promise.all([companies.settingsView(company(res)), settings.aiAgent(company(res))]);
      res.json({ company: view, ...agent });
    }),
    company: asyncHandler(async (_req, res) => {
      res.json({ company: await companies.settingsView(company(res)) });
    }),
    updateCompany: asyncHandler(async (_req, res) => {
      res.json({ company: await companies.update(company(res), valid(res, 'body', SettingsCompanyBody), 'settings') });
    }),
    aiAgent: asyncHandler(async (_req, res) => {
      res.json(await settings.aiAgent(company(res)));
    }),
    updateAiAgent: asyncHandler(async (_req, res) => {
      res.json(await settings.updateAiAgent(company(res), valid(res, 'body', AiAgentBody)));
    }),
  };
}
