/**
 * /api/v1/ai-prompts (contract §3.8): the global prompt library, read by any signed-in user (S5),
 * statistics for managers (B16), previews with the composed prompt (B15), no write over HTTP.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { AIPrompt, composeFullPrompt } from '../../models/AIPrompt';
import { promptLibrary, seedPromptLibrary } from '../../services/setup/seedPrompts';
import { accessTokenFor, bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { PROMPTS } from './support';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

let manager: { Authorization: string };
let groomer: { Authorization: string };
let other: { Authorization: string };

beforeEach(async () => {
  await seedPromptLibrary();
  const co = await companyWithStaff(config);
  manager = bearer(co.users.manager.token);
  groomer = bearer(co.users.groomer.token);
  const second = await companyWithStaff(config);
  other = bearer(accessTokenFor(config, second.users.trainer.userId));
});

const get = (path: string, auth: Record<string, string> = groomer) => request(app).get(`${PROMPTS}${path}`).set(auth);
const promptId = async (name: string) => String((await AIPrompt.findOne({ name }).lean())!._id);

describe('who may read', () => {
  test.each(['/defaults', '/categories/veterinary', '/search?q=groom', '/', `/${newObjectId()}`, `/${newObjectId()}/preview`, '/stats'])(
    'when nobody is signed in, then GET %s is 401 E1 (the original served the library to anyone, S5)',
    async (path) => {
      const res = await request(app).get(`${PROMPTS}${path}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Access token is required' } });
    },
  );

  test('when staff of two companies read the library, then both see the same global prompts', async () => {
    const a = await get('/');
    const b = await get('/', other);
    expect(a.status).toBe(200);
    expect(a.body.prompts.map((p: { _id: string }) => p._id)).toEqual(b.body.prompts.map((p: { _id: string }) => p._id));
  });
});

describe('GET /ai-prompts/defaults', () => {
  test('when a signed-in user asks, then the default prompts come grouped by category', async () => {
    const res = await get('/defaults');
    expect(res.status).toBe(200);
    expect(res.body.categories).toEqual(['pet_grooming', 'pet_sitting', 'pet_training', 'veterinary']);
    expect(res.body.prompts.pet_sitting.map((p: { name: string }) => p.name)).toEqual([
      'Dog Daycare Coordinator',
      'Pet Boarding Coordinator',
    ]);
    expect(Object.keys(res.body.prompts.veterinary[0]).sort()).toEqual(['_id', 'businessType', 'category', 'description', 'name', 'tags']);
  });

  test('when a prompt is switched off, then it is not among the defaults', async () => {
    await AIPrompt.updateOne({ name: 'Veterinary Clinic Assistant' }, { $set: { isActive: false } });
    const res = await get('/defaults');
    expect(res.body.categories).not.toContain('veterinary');
  });
});

describe('GET /ai-prompts/categories/:category', () => {
  test('when a category is asked for, then its active prompts by name', async () => {
    const res = await get('/categories/pet_sitting');
    expect(res.status).toBe(200);
    expect(res.body.prompts.map((p: { name: string }) => p.name)).toEqual(['Dog Daycare Coordinator', 'Pet Boarding Coordinator']);
    expect(Object.keys(res.body.prompts[0]).sort()).toEqual(['_id', 'businessType', 'description', 'isDefault', 'name', 'tags']);
  });

  test('when the category is unknown, then 400 VALIDATION_ERROR', async () => {
    const res = await get('/categories/cattery');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /ai-prompts/search', () => {
  test('when searching by text, then regex characters are literal and matches come most used first', async () => {
    await AIPrompt.updateOne({ name: 'Pet Boarding Coordinator' }, { $set: { usageCount: 7 } });
    const res = await get('/search?q=coordinator');
    expect(res.status).toBe(200);
    expect(res.body.prompts.map((p: { name: string }) => p.name)).toEqual(['Pet Boarding Coordinator', 'Dog Daycare Coordinator']);
    expect(res.body.prompts[0]).toMatchObject({ usageCount: 7, isDefault: true, category: 'pet_sitting' });
    expect((await get('/search?q=.*')).body.prompts).toEqual([]);
  });

  test('when searching by tags or business type, then those match', async () => {
    expect((await get('/search?tags=emergency,nothing')).body.prompts.map((p: { name: string }) => p.name)).toEqual([
      'Veterinary Clinic Assistant',
    ]);
    expect((await get('/search?businessType=daycare')).body.prompts.map((p: { name: string }) => p.name)).toEqual([
      'Dog Daycare Coordinator',
    ]);
  });

  test('when no search parameter is given, then 400 INVALID_REQUEST', async () => {
    const res = await get('/search?q=');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'INVALID_REQUEST', message: 'At least one search parameter is required' } });
  });

  test.each(['?category=cattery', '?q[$ne]=x', '?q=a&q=b', '?role=x'])('when the query is %s, then 400 VALIDATION_ERROR', async (q) => {
    const res = await get(`/search${q}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /ai-prompts', () => {
  test('when listing, then a page of prompts without __v and the pagination block', async () => {
    const res = await get('/?limit=2&page=2&sortBy=name&sortOrder=desc');
    expect(res.status).toBe(200);
    const all = promptLibrary()
      .map((p) => p.name)
      .sort()
      .reverse();
    expect(res.body.prompts.map((p: { name: string }) => p.name)).toEqual(all.slice(2, 4));
    expect(res.body.prompts[0].__v).toBeUndefined();
    expect(res.body.prompts[0]).toMatchObject({ systemInstruction: expect.any(String), version: 1, usageCount: 0 });
    expect(res.body.pagination).toEqual({ currentPage: 2, totalPages: 3, totalItems: 5, itemsPerPage: 2, hasNext: true, hasPrev: true });
  });

  test('when filtering by isActive=1 or false, then the flag is read as written (the original took "1" for false)', async () => {
    await AIPrompt.updateOne({ name: 'Pet Training Specialist' }, { $set: { isActive: false } });
    expect((await get('/?isActive=1')).body.pagination.totalItems).toBe(4);
    expect((await get('/?isActive=false')).body.prompts.map((p: { name: string }) => p.name)).toEqual(['Pet Training Specialist']);
    expect((await get('/?category=veterinary&search=clinic')).body.prompts).toHaveLength(1);
  });

  test.each(['?limit=0', '?limit=101', '?page=x', '?sortBy=systemInstruction', '?sortOrder=up', '?isActive=yes', '?category=cattery'])(
    'when the query is %s, then 400 VALIDATION_ERROR',
    async (q) => {
      const res = await get(`/${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    },
  );
});

describe('GET /ai-prompts/:id and /:id/preview', () => {
  test('when a prompt is read, then {prompt} as stored, version 1 (B36)', async () => {
    const res = await get(`/${await promptId('Veterinary Clinic Assistant')}`);
    expect(res.status).toBe(200);
    expect(res.body.prompt).toMatchObject({ name: 'Veterinary Clinic Assistant', category: 'veterinary', version: 1, isActive: true });
    expect(res.body.prompt.__v).toBeUndefined();
  });

  test('when a prompt is previewed, then fullPrompt is the composed prompt with its role and rules, not the bare instruction (B15)', async () => {
    await AIPrompt.updateOne({ name: 'Pet Training Specialist' }, { $set: { customerSupportRules: 'Never promise results.' } });
    const stored = (await AIPrompt.findOne({ name: 'Pet Training Specialist' }).lean())!;
    const res = await get(`/${String(stored._id)}/preview`);
    expect(res.status).toBe(200);
    expect(res.body.preview.fullPrompt).toBe(composeFullPrompt(stored));
    expect(res.body.preview.fullPrompt).toMatch(/^Role: Friendly virtual assistant of a dog training school\n\n/);
    expect(res.body.preview.fullPrompt).toMatch(/\n\nCustomer Support Rules:\nNever promise results\.$/);
    expect(Object.keys(res.body.preview).sort()).toEqual(
      ['businessType', 'category', 'conversationExamples', 'description', 'fullPrompt', 'name', 'tags'].sort(),
    );
  });

  test.each(['', '/preview'])('when the prompt does not exist (GET /:id%s), then 404 NOT_FOUND', async (suffix) => {
    const res = await get(`/${newObjectId()}${suffix}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'AI prompt not found' } });
  });

  test.each(['', '/preview'])('when the id is malformed (GET /:id%s), then 400 VALIDATION_ERROR', async (suffix) => {
    const res = await get(`/nope${suffix}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /ai-prompts/stats', () => {
  test('when a manager asks, then counts per category and a summary (the original required a role that does not exist, B16)', async () => {
    await AIPrompt.updateOne({ name: 'Pet Boarding Coordinator' }, { $set: { usageCount: 3, isActive: false } });
    await AIPrompt.updateOne({ name: 'Dog Daycare Coordinator' }, { $set: { usageCount: 2 } });
    const res = await get('/stats', manager);
    expect(res.status).toBe(200);
    expect(res.body.stats).toContainEqual({ _id: 'pet_sitting', count: 2, activeCount: 1, defaultCount: 2, totalUsage: 5 });
    expect(res.body.stats.map((s: { _id: string }) => s._id)).toEqual(['pet_grooming', 'pet_sitting', 'pet_training', 'veterinary']);
    expect(res.body.summary).toEqual({ totalPrompts: 5, activePrompts: 4, totalUsage: 5 });
  });

  test('when a groomer asks, then 403 E1 FORBIDDEN', async () => {
    const res = await get('/stats', groomer);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });
});

describe('writes', () => {
  test.each([
    ['post', '/:id/usage'],
    ['post', '/'],
    ['put', '/:id'],
    ['delete', '/:id'],
  ] as const)('when anyone %s %s, then nothing is written (no write route; usage is counted on selection, S5)', async (method, path) => {
    const id = await promptId('Professional Pet Groomer');
    const url = `${PROMPTS}${path.replace(':id', id)}`;
    for (const auth of [{}, manager]) {
      const res = await request(app)[method](url).set(auth).send({ name: 'Hacked', usageCount: 1000 });
      expect([401, 404]).toContain(res.status);
    }
    expect(await AIPrompt.findById(id).lean()).toMatchObject({ name: 'Professional Pet Groomer', usageCount: 0 });
    expect(await AIPrompt.countDocuments({})).toBe(5);
  });
});
