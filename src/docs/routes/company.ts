/** Reference entries: the company profile, settings, setup and the AI prompt library (contract core §3.4–§3.8). */
import type { AreaDoc } from '../routeDoc';

export const companyDocs: AreaDoc[] = [
  {
    tag: 'Company',
    description:
      "The caller's company profile. Any staff role reads, managers write; a path naming another company is refused (403). " +
      'Errors of these handlers use the legacy `{message}` envelope.',
    errors: 'E2',
    routes: {
      'GET /api/v1/company': { summary: "Get the caller's company profile", auth: 'bearer', returns: 'The company profile' },
      'PUT /api/v1/company': {
        summary: "Update the caller's company profile",
        auth: 'manager',
        returns: '`{company, message}`',
      },
      'GET /api/v1/company/:companyId': {
        summary: 'Get the company profile',
        auth: 'bearer',
        returns: 'The company profile',
        description: "`undefined` in the path stands for the caller's company.",
      },
      'PUT /api/v1/company/:companyId': {
        summary: 'Update the company profile',
        auth: 'manager',
        returns: '`{company, message}`',
        description: "`undefined` in the path stands for the caller's company.",
      },
    },
  },
  {
    tag: 'Settings',
    description: 'What the Company and AI Agent settings pages load and save. Managers only.',
    errors: 'E1',
    routes: {
      'GET /api/v1/settings': { summary: 'Get the settings overview', auth: 'manager', returns: '`{company, bot}`' },
      'GET /api/v1/settings/company': { summary: 'Get the company settings', auth: 'manager', returns: '`{company}`' },
      'POST /api/v1/settings/company': { summary: 'Update the company settings', auth: 'manager', returns: '`{company}`' },
      'GET /api/v1/settings/ai-agent': { summary: 'Get the AI agent settings', auth: 'manager', returns: '`{bot}`' },
      'POST /api/v1/settings/ai-agent': { summary: 'Update the AI agent settings', auth: 'manager', returns: '`{bot}`' },
    },
  },
  {
    tag: 'Setup',
    description: "Default configuration and onboarding; resetting a company's services and resources to the defaults.",
    errors: 'E3',
    routes: {
      'GET /api/v1/setup/defaults': {
        summary: 'Get the default configuration',
        auth: 'public',
        returns: '`{success: true, data, message}`',
      },
      'GET /api/v1/setup/onboarding': {
        summary: 'Get the onboarding guide',
        auth: 'public',
        returns: '`{success: true, data, message}`',
      },
      'GET /api/v1/setup/company/:companyId': {
        summary: "Get the company's configuration",
        auth: 'manager',
        returns: '`{success: true, data, message}`',
        description: 'Own company only (403 UNAUTHORIZED otherwise).',
      },
      'POST /api/v1/setup/company/:companyId/reset-services': {
        summary: 'Reset the services to the defaults',
        auth: 'manager',
        returns: '`{success: true, data, message}`',
        description: 'Own company only.',
      },
      'POST /api/v1/setup/company/:companyId/reset-resources': {
        summary: 'Reset the resources to the defaults',
        auth: 'manager',
        returns: '`{success: true, data, message}`',
        description: 'Own company only.',
      },
      'POST /api/v1/setup/company/:companyId/reset-all': {
        summary: 'Reset services and resources to the defaults',
        auth: 'manager',
        returns: '`{success: true, data, message}`',
        description: 'Own company only.',
      },
    },
  },
  {
    tag: 'AI prompts',
    description: 'The global library of AI agent prompts (read-only; the seed writes it).',
    errors: 'E1',
    routes: {
      'GET /api/v1/ai-prompts/defaults': {
        summary: 'List the default prompts by category',
        auth: 'bearer',
        returns: '`{prompts, categories}`',
      },
      'GET /api/v1/ai-prompts/categories/:category': {
        summary: 'List the prompts of a category',
        auth: 'bearer',
        returns: '`{prompts}`',
      },
      'GET /api/v1/ai-prompts/search': { summary: 'Search prompts', auth: 'bearer', returns: '`{prompts}` (at most 50)' },
      'GET /api/v1/ai-prompts/stats': {
        summary: 'Prompt usage statistics',
        auth: 'manager',
        returns: 'Counts by category and the most used',
      },
      'GET /api/v1/ai-prompts': { summary: 'List prompts (paged)', auth: 'bearer', returns: 'A page of prompts' },
      'GET /api/v1/ai-prompts/:id': { summary: 'Get a prompt', auth: 'bearer', returns: '`{prompt}`' },
      'GET /api/v1/ai-prompts/:id/preview': {
        summary: 'Preview a prompt as the agent will see it',
        auth: 'bearer',
        returns: '`{preview}`',
      },
    },
  },
];
