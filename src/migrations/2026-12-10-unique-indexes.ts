/**
 * Builds the unique indexes the port relies on that an original database lacks or has without
 * `unique` (contacts' social ids, users' company + email, service-item variants, messages'
 * external ids, one summary per conversation, ...), and drops the original's global unique
 * `users.email_1` (S14: the same address may work for two companies), after reporting the
 * documents that would break them. With duplicates it stops, lists them and changes nothing,
 * unless run with `--resolve-duplicates` (see uniqueIndexes/resolve.ts for what that does).
 * Down: drops the indexes it built and re-creates the legacy ones it dropped; merged or renamed
 * documents stay as they are.
 */
import mongoose from 'mongoose';
import { AIPrompt } from '../models/AIPrompt';
import { Company } from '../models/Company';
import { CompanyIntegration } from '../models/CompanyIntegration';
import { Contact } from '../models/Contact';
import { Conversation } from '../models/Conversation';
import { Message } from '../models/Message';
import { ServiceItem } from '../models/ServiceItem';
import { StaffSchedule } from '../models/StaffSchedule';
import { User } from '../models/User';
import {
  clashingLegacyIndexes,
  describeGroup,
  duplicatesOf,
  missingUniqueIndexes,
  type DuplicateGroup,
  type UniqueIndex,
} from './uniqueIndexes/detect';
import { canResolve, resolveGroups } from './uniqueIndexes/resolve';
import { MigrationBlockedError, quietContext, type Migration, type MigrationContext } from './types';

const ID = '2026-12-10-unique-indexes';
/** The collections an original database has, whose models declare unique indexes. */
const MODELS = [Contact, User, ServiceItem, Message, Conversation, StaffSchedule, Company, AIPrompt, CompanyIntegration];
/** How many groups of each index the report lists. */
const SHOWN = 20;
/** Passes of settling and looking again before giving up. */
const MAX_PASSES = 5;

interface Built {
  collection: string;
  name: string;
  legacy?: { key: Record<string, unknown>; options: Record<string, unknown> };
}
const state = () => mongoose.connection.db!.collection<{ _id: string; built: Built[] }>('migrationstate');

async function hasDocuments(index: UniqueIndex): Promise<boolean> {
  return (await index.model.collection.findOne({}, { projection: { _id: 1 } })) !== null;
}

/** Every group of duplicates of the missing indexes; prints them (at most SHOWN per index) when `ctx` is given. */
async function findDuplicates(missing: UniqueIndex[], ctx?: MigrationContext): Promise<DuplicateGroup[]> {
  const groups: DuplicateGroup[] = [];
  for (const index of missing) {
    const found = await duplicatesOf(index);
    if (found.length === 0) continue;
    if (ctx) {
      ctx.report(
        `  ${index.collection}.${index.name}: ${found.length} group(s) of duplicates${canResolve(index.collection) ? '' : ' (no automatic resolution)'}`,
      );
      for (const g of found.slice(0, SHOWN)) ctx.report(`    ${describeGroup(g)}`);
      if (found.length > SHOWN) ctx.report(`    … and ${found.length - SHOWN} more`);
    }
    groups.push(...found);
  }
  return groups;
}

function assertResolvable(groups: DuplicateGroup[]): void {
  const blocking = groups.filter((g) => !canResolve(g.index.collection));
  if (blocking.length > 0) {
    throw new MigrationBlockedError(
      `${blocking.length} group(s) of duplicates have no automatic resolution (listed above): settle them by hand, then run it again`,
    );
  }
}

/** Drops a same-named legacy index, builds the new one (putting the legacy one back if that fails) and records it for down. */
async function build(index: UniqueIndex): Promise<Built> {
  if (index.conflicting) await index.model.collection.dropIndex(index.name);
  try {
    await index.model.collection.createIndex(index.key as never, { ...index.options, name: index.name });
  } catch (err) {
    if (index.conflicting)
      await index.model.collection.createIndex(index.conflicting.key as never, { ...index.conflicting.options, name: index.name });
    throw err;
  }
  const built: Built = { collection: index.collection, name: index.name, legacy: index.conflicting };
  await state().updateOne({ _id: ID }, { $push: { built } }, { upsert: true });
  return built;
}

export const uniqueIndexes: Migration = {
  id: ID,
  description: 'report (and with --resolve-duplicates settle) duplicates, then build the unique indexes',
  async needed() {
    for (const index of [...(await missingUniqueIndexes(MODELS)), ...(await clashingLegacyIndexes(MODELS))]) {
      if (await hasDocuments(index)) return true;
    }
    return false;
  },
  async up(ctx = quietContext) {
    const missing = await missingUniqueIndexes(MODELS);
    const clashing = await clashingLegacyIndexes(MODELS);
    let groups = await findDuplicates(missing, ctx);
    assertResolvable(groups);
    if (groups.length > 0 && !ctx.resolveDuplicates) {
      throw new MigrationBlockedError(
        `${groups.length} group(s) of duplicates (listed above) would break the unique indexes; nothing was changed. ` +
          'Run `npm run migrate -- --resolve-duplicates` to settle them (contacts merged, users renamed and deactivated, service items and messages collapsed)',
      );
    }
    let resolved = 0;
    // Settling can make new duplicates (a merged contact takes over another social id), so look again until none are left.
    for (let pass = 1; groups.length > 0; pass++) {
      if (pass > MAX_PASSES) throw new MigrationBlockedError(`duplicates remain after ${MAX_PASSES} passes (listed above)`);
      for (const line of await resolveGroups(groups)) ctx.report(`  ${line}`);
      resolved += groups.length;
      groups = await findDuplicates(missing, ctx);
      if (groups.length > 0) ctx.report(`  settling made ${groups.length} new group(s) of duplicates: pass ${pass + 1}`);
      assertResolvable(groups);
    }
    const built: Built[] = [];
    for (const index of [...missing, ...clashing]) built.push(await build(index));
    const names = built.map((b) => `${b.collection}.${b.name}`).join(', ');
    return `${resolved} duplicate group(s) settled, ${built.length} index(es) built${names ? `: ${names}` : ''}`;
  },
  async down() {
    const saved = await state().findOne({ _id: ID });
    const notes: string[] = [];
    for (const b of [...(saved?.built ?? [])].reverse()) {
      const coll = mongoose.connection.db!.collection(b.collection);
      await coll.dropIndex(b.name).catch(() => undefined);
      if (!b.legacy) continue;
      try {
        await coll.createIndex(b.legacy.key as never, { ...b.legacy.options, name: b.name });
      } catch (err) {
        notes.push(`${b.collection}.${b.name} not restored (${(err as Error).message})`);
      }
    }
    await state().deleteOne({ _id: ID });
    return `${saved?.built.length ?? 0} index(es) dropped${notes.length ? `; ${notes.join('; ')}` : ''}; settled duplicates stay settled`;
  },
};
