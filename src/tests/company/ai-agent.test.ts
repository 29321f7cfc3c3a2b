/**
 * GET/POST /settings/ai-agent: `{bot}` [COMPAT]; B39 booleans, B11 persona fields and the
 * active-hours zone stored; prompt selection; the OpenAI key encrypted at rest and never returned
 * or logged whole (S7, S8, decision 5); nothing half-written.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { CompanyIntegration } from '../../models/CompanyIntegration';
import { decryptSecret } from '../../utils/secrets';
import { newObjectId } from '../factories/accounts';
import { type CompanyWorld, companyWorld, createPrompt, promptUsage } from '../factories/company';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { captureLogs } from '../helpers/logs';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let w: CompanyWorld;
beforeEach(async () => {
  w = await companyWorld(config);
});

const URL = '/api/v1/settings/ai-agent';
const bot = async () => (await Company.findById(w.home.companyId).lean())!.bot!;
const post = (body: object, auth = w.as.manager) => request(app).post(URL).set(auth).send(body);
const storedKey = async () => (await CompanyIntegration.findOne({ companyId: w.home.companyId }).lean())?.openaiApiKey;

const OPENAI_KEY = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678Stu9WXYZ';

describe('GET /settings/ai-agent', () => {
  test('when a manager opens the AI Agent page, then {bot} with its documented fields and no key', async () => {
    const res = await request(app).get(URL).set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body.bot).toMatchObject({
      active: false,
      activeHours: { intervalActive: false, timezone: 'Asia/Tbilisi' },
      responseDelay: { standard: 4000, sentenceEnd: 1000 },
      conversationExamples: [],
      services: [],
    });
    expect(res.body).toMatchObject({ hasOpenaiApiKey: false, openaiApiKeyLast4: null });
  });
});

describe('POST /settings/ai-agent', () => {
  test('when the page saves {systemInstruction, active, activeHours} with a zone, then all are stored, the zone too (B11)', async () => {
    const res = await post({
      systemInstruction: 'Help customers book grooming.',
      active: true,
      activeHours: { intervalActive: true, startTime: '20:00', endTime: '8:00', timezone: 'Asia/Tbilisi' },
    });
    expect(res.status).toBe(200);
    expect(res.body.bot).toMatchObject({
      systemInstruction: 'Help customers book grooming.',
      active: true,
      activeHours: { intervalActive: true, startTime: '20:00', endTime: '8:00', timezone: 'Asia/Tbilisi' },
    });
    expect((await bot()).activeHours).toMatchObject({ intervalActive: true, startTime: '20:00', timezone: 'Asia/Tbilisi' });
  });

  test.each([
    [false, true],
    ['false', true],
    ['0', true],
    [0, true],
    ['true', false],
    ['1', false],
  ])('when active is %p (B39), then it is stored as written', async (active, before) => {
    await Company.updateOne({ _id: w.home.companyId }, { $set: { 'bot.active': before } });
    const res = await post({ active, activeHours: { intervalActive: active } });
    expect(res.status).toBe(200);
    expect((await bot()).active).toBe(!before);
    expect((await bot()).activeHours?.intervalActive).toBe(!before);
  });

  test('when the role and the three rules are sent (B11), then the Meta Bot finds them on the company', async () => {
    const rules = {
      role: 'Receptionist of Happy Paws',
      givenInformationRules: 'Prices are in GEL.',
      informationCollectionRules: "Ask for the pet's name.",
      customerSupportRules: 'Escalate complaints.',
    };
    const res = await post(rules);
    expect(res.status).toBe(200);
    expect(res.body.bot).toMatchObject(rules);
    expect(await bot()).toMatchObject(rules);
  });

  test.each([
    ['active that is not a boolean', { active: 'maybe' }],
    ['a zone that is not IANA', { activeHours: { timezone: 'Georgia/Tbilisi' } }],
    ['a time past midnight', { activeHours: { startTime: '24:30' } }],
    ['a rule over 1000 characters', { customerSupportRules: 'x'.repeat(1001) }],
    ['a malformed prompt id', { selectedPromptId: 'abc' }],
    ['an unknown field', { temperature: 0.2 }],
    ['a key with spaces', { openaiApiKey: 'sk not a key at all' }],
  ])('when the body has %s, then 400 VALIDATION_ERROR and nothing is written', async (_what, extra) => {
    const res = await post({ systemInstruction: 'Changed', active: true, ...extra });
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(await bot()).toMatchObject({ active: false });
    expect((await bot()).systemInstruction).toBeUndefined();
    expect(await storedKey()).toBeUndefined();
  });

  test('when a library prompt is selected, then its texts become the bot’s and its usage count rises', async () => {
    const prompt = await createPrompt();
    const res = await post({ selectedPromptId: String(prompt._id), systemInstruction: 'ignored', active: true });
    expect(res.status).toBe(200);
    expect(res.body.bot).toMatchObject({
      systemInstruction: prompt.systemInstruction,
      role: prompt.role,
      customerSupportRules: prompt.customerSupportRules,
      selectedPromptId: String(prompt._id),
      selectedPromptName: prompt.name,
      selectedPromptCategory: 'pet_grooming',
      active: true,
    });
    expect(await promptUsage(prompt._id)).toBe(1);
  });

  test('when the selection is cleared with null, then the prompt fields are null and the instruction stays', async () => {
    const prompt = await createPrompt();
    await post({ selectedPromptId: String(prompt._id) });
    const res = await post({ selectedPromptId: null });
    expect(res.body.bot).toMatchObject({ selectedPromptId: null, selectedPromptName: null, selectedPromptCategory: null });
    expect(res.body.bot.systemInstruction).toBe(prompt.systemInstruction);
  });

  test('when the prompt does not exist or is inactive, then 404 PROMPT_NOT_FOUND and nothing is written', async () => {
    const inactive = await createPrompt({ isActive: false });
    for (const id of [newObjectId(), String(inactive._id)]) {
      const res = await post({ selectedPromptId: id, active: true, openaiApiKey: OPENAI_KEY });
      expect([res.status, res.body.error.code]).toEqual([404, 'PROMPT_NOT_FOUND']);
    }
    expect((await bot()).active).toBe(false);
    expect(await storedKey()).toBeUndefined();
    expect(await promptUsage(inactive._id)).toBe(0);
  });
});

describe('the OpenAI key', () => {
  test('when a manager saves a key, then it is stored encrypted and only its last four characters come back, in no log line', async () => {
    await CompanyIntegration.create({ companyId: w.home.companyId, facebookChatId: 'page-1' });
    const logs = captureLogs();
    let res;
    try {
      res = await post({ openaiApiKey: OPENAI_KEY });
    } finally {
      logs.stop();
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hasOpenaiApiKey: true, openaiApiKeyLast4: 'WXYZ' });
    expect(JSON.stringify(res.body)).not.toContain(OPENAI_KEY.slice(0, 12));
    const stored = (await storedKey())!;
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(OPENAI_KEY);
    expect(decryptSecret(stored, config.dataEncryptionKey)).toBe(OPENAI_KEY);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.lines)).not.toContain(OPENAI_KEY.slice(8));
    // The integrations area's fields are left alone.
    expect((await CompanyIntegration.findOne({ companyId: w.home.companyId }).lean())?.facebookChatId).toBe('page-1');

    const read = await request(app).get(URL).set(w.as.manager);
    expect(read.body).toMatchObject({ hasOpenaiApiKey: true, openaiApiKeyLast4: 'WXYZ' });
    expect(JSON.stringify(read.body)).not.toContain(OPENAI_KEY.slice(0, 12));
  });

  test("when the key is cleared with null, then it is removed; another company's key is untouched", async () => {
    await post({ openaiApiKey: OPENAI_KEY });
    await post({ openaiApiKey: OPENAI_KEY.replace('WXYZ', 'OTHR') }, w.otherManager);
    const res = await post({ openaiApiKey: null });
    expect(res.body).toMatchObject({ hasOpenaiApiKey: false, openaiApiKeyLast4: null });
    expect(await storedKey()).toBeUndefined();
    const theirs = await request(app).get(URL).set(w.otherManager);
    expect(theirs.body).toMatchObject({ hasOpenaiApiKey: true, openaiApiKeyLast4: 'OTHR' });
  });

  test('when a short plaintext key was written by the Meta Bot, then it is reported as set without any of its characters', async () => {
    await CompanyIntegration.create({ companyId: w.home.companyId, openaiApiKey: 'sk-short' });
    const res = await request(app).get(URL).set(w.as.manager);
    expect(res.body).toMatchObject({ hasOpenaiApiKey: true, openaiApiKeyLast4: null });
  });
});
