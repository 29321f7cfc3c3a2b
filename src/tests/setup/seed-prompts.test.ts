/** The prompt library: the AIPrompt model's versioning (B36), the idempotent seed, and counting a selection. */
import { botPromptFor } from '../../config/botPrompts';
import type { BusinessType } from '../../models/constants';
import { AIPrompt } from '../../models/AIPrompt';
import { usePrompt } from '../../services/setup/aiPrompt.service';
import { promptLibrary, seedPromptLibrary } from '../../services/setup/seedPrompts';
import { newObjectId } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const NAMES = promptLibrary().map((p) => p.name);

describe('AIPrompt versions', () => {
  const base = {
    name: 'Test Prompt',
    category: 'general_pet_care',
    businessType: 'Pet Care Center',
    description: 'A prompt for tests',
    systemInstruction: 'Help pet owners.',
    role: 'Assistant',
  };

  test('when a prompt is created, then it starts at version 1 (the original started at 2, B36)', async () => {
    const p = await AIPrompt.create(base);
    expect(p.version).toBe(1);
    expect((await AIPrompt.findById(p._id).lean())!.version).toBe(1);
  });

  test('when its text changes, then the version goes up; when only its description changes, then it does not', async () => {
    const p = await AIPrompt.create(base);
    p.description = 'Still a prompt for tests';
    await p.save();
    expect(p.version).toBe(1);
    p.customerSupportRules = 'Be kind.';
    await p.save();
    expect(p.version).toBe(2);
    expect((p.toJSON() as { fullPrompt?: string }).fullPrompt).toBe(
      'Role: Assistant\n\nHelp pet owners.\n\nCustomer Support Rules:\nBe kind.',
    );
  });

  test('when two prompts of one category share a name, then the database refuses the second', async () => {
    await AIPrompt.create(base);
    await expect(AIPrompt.create(base)).rejects.toMatchObject({ code: 11000 });
  });
});

describe('seedPromptLibrary', () => {
  test('when the library is empty, then every prompt is created active, default, at version 1', async () => {
    const result = await seedPromptLibrary();
    expect(result).toEqual({ created: NAMES, updated: [], unchanged: [] });
    const stored = await AIPrompt.find({}).lean();
    expect(stored.map((p) => p.name).sort()).toEqual([...NAMES].sort());
    for (const p of stored) expect(p).toMatchObject({ isActive: true, isDefault: true, version: 1, usageCount: 0 });
  });

  test('when it runs again, then nothing is written twice or changed (ids, versions and examples stay)', async () => {
    await seedPromptLibrary();
    const before = await AIPrompt.find({}).sort({ _id: 1 }).lean();
    expect(await seedPromptLibrary()).toEqual({ created: [], updated: [], unchanged: NAMES });
    expect(await AIPrompt.find({}).sort({ _id: 1 }).lean()).toEqual(before);
  });

  test("when a stored prompt's text differs, then it is brought up to date with a new version, keeping its use and on/off state", async () => {
    await seedPromptLibrary();
    await AIPrompt.updateOne(
      { name: 'Veterinary Clinic Assistant' },
      { $set: { systemInstruction: 'Old text', usageCount: 9, isActive: false, conversationExamples: [] } },
    );
    const result = await seedPromptLibrary();
    expect(result.updated).toEqual(['Veterinary Clinic Assistant']);
    const vet = (await AIPrompt.findOne({ name: 'Veterinary Clinic Assistant' }).lean())!;
    expect(vet).toMatchObject({ systemInstruction: botPromptFor(['vet']).systemInstruction, version: 2, usageCount: 9, isActive: false });
    expect(vet.conversationExamples.map(({ user, assistant }) => ({ user, assistant }))).toEqual(
      botPromptFor(['vet']).conversationExamples,
    );
  });

  test('when a library prompt is invalid, then nothing of the library is written', async () => {
    const library = promptLibrary();
    library[3] = { ...library[3]!, role: 'x'.repeat(201) };
    await expect(seedPromptLibrary(library)).rejects.toThrow(/role/);
    expect(await AIPrompt.countDocuments({})).toBe(0);
  });

  test.each([
    ['grooming', 'Professional Pet Groomer'],
    ['vet', 'Veterinary Clinic Assistant'],
    ['training', 'Pet Training Specialist'],
    ['boarding', 'Pet Boarding Coordinator'],
    ['daycare', 'Dog Daycare Coordinator'],
  ] as [BusinessType, string][])(
    'when a %s company picks "%s", then it gets the prompt registration gives that type',
    async (type, name) => {
      await seedPromptLibrary();
      const p = (await AIPrompt.findOne({ name }).lean())!;
      expect(p.systemInstruction).toBe(botPromptFor([type]).systemInstruction);
    },
  );
});

describe('usePrompt', () => {
  test('when an active prompt is selected, then its use is counted and it is returned', async () => {
    await seedPromptLibrary();
    const p = (await AIPrompt.findOne({ name: 'Pet Training Specialist' }).lean())!;
    expect(await usePrompt(String(p._id))).toMatchObject({ name: 'Pet Training Specialist', usageCount: 1 });
    expect(await usePrompt(String(p._id))).toMatchObject({ usageCount: 2 });
  });

  test('when the prompt is switched off or unknown, then null and nothing is counted', async () => {
    await seedPromptLibrary();
    const p = (await AIPrompt.findOneAndUpdate({ name: 'Pet Training Specialist' }, { $set: { isActive: false } }).lean())!;
    expect(await usePrompt(String(p._id))).toBeNull();
    expect(await usePrompt(newObjectId())).toBeNull();
    expect((await AIPrompt.findById(p._id).lean())!.usageCount).toBe(0);
  });
});
