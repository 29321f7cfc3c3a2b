/**
 * The original's `migrate:service-provider`: every user's `serviceProvider` flag follows their
 * roles (groomers, vets, vet technicians and trainers provide services; managers and receptionists
 * do not), which the original left false for everyone its seed and staff API created. The users
 * it changes and their previous values are kept in `migrationstate`, so down restores them.
 */
import mongoose, { type Types } from 'mongoose';
import { isServiceProvider } from '../models/constants';
import type { Migration } from './types';

const ID = '2026-12-09-service-providers';
const users = () => mongoose.connection.db!.collection('users');
const state = () =>
  mongoose.connection.db!.collection<{ _id: string; previous: { _id: Types.ObjectId; serviceProvider: unknown }[] }>('migrationstate');

interface UserRow {
  _id: Types.ObjectId;
  role?: string;
  roles?: string[];
  serviceProvider?: unknown;
}

const rolesOf = (u: UserRow): string[] => (u.roles?.length ? u.roles : u.role ? [u.role] : []);

async function mismatched(limit?: number): Promise<UserRow[]> {
  const rows: UserRow[] = [];
  const cursor = users().find({}, { projection: { role: 1, roles: 1, serviceProvider: 1 } });
  for await (const u of cursor as AsyncIterable<UserRow>) {
    if (u.serviceProvider !== isServiceProvider(rolesOf(u))) rows.push(u);
    if (limit && rows.length >= limit) break;
  }
  return rows;
}

export const serviceProviders: Migration = {
  id: ID,
  description: "set users' serviceProvider from their roles (the original's migrate:service-provider)",
  async needed() {
    return (await mismatched(1)).length > 0;
  },
  async up() {
    const rows = await mismatched();
    if (rows.length === 0) return 'every user already matches their roles';
    // The previous values first: a run stopped half-way and repeated keeps the first values seen.
    await state().updateOne(
      { _id: ID },
      { $push: { previous: { $each: rows.map((u) => ({ _id: u._id, serviceProvider: u.serviceProvider ?? null })) } } },
      { upsert: true },
    );
    let providers = 0;
    for (const u of rows) {
      const flag = isServiceProvider(rolesOf(u));
      await users().updateOne({ _id: u._id }, { $set: { serviceProvider: flag } });
      if (flag) providers++;
    }
    return `${providers} user(s) marked as service providers, ${rows.length - providers} as not`;
  },
  async down() {
    const saved = await state().findOne({ _id: ID });
    if (!saved) return 'nothing to restore';
    const seen = new Set<string>();
    for (const p of saved.previous) {
      if (seen.has(String(p._id))) continue;
      seen.add(String(p._id));
      await users().updateOne(
        { _id: p._id },
        p.serviceProvider === null ? { $unset: { serviceProvider: '' } } : { $set: { serviceProvider: p.serviceProvider } },
      );
    }
    await state().deleteOne({ _id: ID });
    return `${seen.size} user(s) restored`;
  },
};
