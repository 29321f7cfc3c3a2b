/**
 * Seeding for the benchmarks, through the default mongoose connection: a company with its staff
 * and a connected Facebook/Instagram page, contacts, and message history written with the
 * driver in bulk (so hundreds of thousands of messages take seconds, not minutes).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Types } from 'mongoose';
import { Company } from '../models/Company';
import { CompanyIntegration } from '../models/CompanyIntegration';
import { Contact } from '../models/Contact';
import { Message } from '../models/Message';
import { User } from '../models/User';

export interface StaffSeed {
  email: string;
  fullName: string;
  role: 'manager' | 'receptionist';
}

export interface SeededCompany {
  companyId: string;
  staff: (StaffSeed & { userId: string })[];
}

/** A contact the benchmark can write to as the Meta Bot (by social id) or as staff (by id). */
export interface SeededContact {
  id: string;
  platform: 'facebook' | 'instagram';
  socialId: string;
}

/** Something unique to this run, for emails and social ids. */
export function runTag(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A company, its staff (all with `passwordHash`) and, if asked, a connected page the outbox can deliver through. */
export async function seedCompany(opts: {
  name: string;
  staff: StaffSeed[];
  passwordHash: string;
  page?: boolean;
}): Promise<SeededCompany> {
  const company = await Company.create({ name: opts.name, email: `bench-${runTag()}@example.com`, timezone: 'UTC' });
  const staff: SeededCompany['staff'] = [];
  for (const s of opts.staff) {
    const user = await User.create({ companyId: company._id, passwordHash: opts.passwordHash, roles: [s.role], ...s });
    staff.push({ ...s, userId: String(user._id) });
  }
  if (opts.page) {
    await CompanyIntegration.create({
      companyId: company._id,
      facebookChatId: `page-${runTag()}`,
      instagramChatId: `ig-${runTag()}`,
      facebookAccessToken: 'PAGE-TOKEN',
    });
  }
  return { companyId: String(company._id), staff };
}

const HISTORY_STEP_MS = 5 * 60_000;
const BATCH = 5000;

/**
 * `count` contacts (Facebook and Instagram in turn) with `perContact` messages each, inbound and
 * outbound in turn, the last inbound ones unread; contact i's latest message is i × 7 s older than
 * contact 0's. Messages go in with the driver in batches (the unique indexes are created first).
 */
export async function seedContactsWithHistory(companyId: string, count: number, perContact: number): Promise<SeededContact[]> {
  await Promise.all([Message.createIndexes(), Contact.createIndexes()]);
  const company = new Types.ObjectId(companyId);
  const tag = runTag();
  const now = Date.now();
  const contacts: SeededContact[] = [];
  const contactDocs = [];
  for (let i = 0; i < count; i++) {
    const platform = i % 2 === 0 ? 'facebook' : 'instagram';
    const socialId = `seed-${tag}-${i}`;
    const id = new Types.ObjectId();
    contacts.push({ id: String(id), platform, socialId });
    contactDocs.push({
      _id: id,
      companyId: company,
      fullName: `Seeded Customer ${i}`,
      social: platform === 'facebook' ? { facebookId: socialId } : { instagramId: socialId },
      contactStatus: 'lead',
      leadSource: platform,
      lastMessageAt: new Date(now - 60_000 - i * 7000),
      messageCount: Math.ceil(perContact / 2),
    });
  }
  await Contact.insertMany(contactDocs);
  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const c = contacts[i]!;
    const latest = now - 60_000 - i * 7000;
    for (let j = 0; j < perContact; j++) {
      const at = new Date(latest - (perContact - 1 - j) * HISTORY_STEP_MS);
      const inbound = (perContact - 1 - j) % 2 === 0;
      batch.push({
        _id: new Types.ObjectId(),
        company_id: company,
        contact_id: new Types.ObjectId(c.id),
        role: inbound ? 'user' : j % 4 === 0 ? 'operator' : 'assistant',
        platform: c.platform,
        content: `${inbound ? 'Question' : 'Answer'} ${j} about grooming`,
        attachments: [],
        direction: inbound ? 'inbound' : 'outbound',
        ...(inbound ? { external_message_id: `seed-mid-${tag}-${i}-${j}` } : {}),
        delivered: true,
        // The last two inbound messages of a conversation are unread.
        read: !inbound || perContact - 1 - j >= 4,
        created_at: at,
        updated_at: at,
        __v: 0,
      });
      if (batch.length >= BATCH) {
        await Message.collection.insertMany(batch, { ordered: false });
        batch = [];
      }
    }
  }
  if (batch.length > 0) await Message.collection.insertMany(batch, { ordered: false });
  return contacts;
}

/**
 * Messages written straight to the database (as above) bypass the services, so the per-contact
 * conversation summaries the services keep up to date on every message write do not exist for
 * them: rebuild them, if this tree has them, through the default mongoose connection. The module
 * is looked up at run time so the benchmark works before and after it exists.
 */
export async function rebuildConversationSummaries(): Promise<'rebuilt' | 'not in this tree'> {
  const file = path.resolve(__dirname, '../services/conversationSummary.service');
  if (!['.ts', '.js'].some((ext) => existsSync(file + ext))) return 'not in this tree';
  const mod = (await import(file)) as { rebuildConversationSummaries?: () => Promise<unknown> };
  if (typeof mod.rebuildConversationSummaries !== 'function') throw new Error(`${file} exports no rebuildConversationSummaries()`);
  await mod.rebuildConversationSummaries();
  return 'rebuilt';
}
