/**
 * Builds the per-contact conversation summaries (`conversations`) from `messages`, for a database
 * written before the inbox list read them. Idempotent: running it again rebuilds the same
 * summaries. Down: drops them (the list is then empty until it runs again).
 */
import mongoose from 'mongoose';
import { rebuildConversationSummaries } from '../services/conversationSummary.service';
import type { Migration } from './types';

export const conversationSummaries: Migration = {
  id: '2026-12-05-conversation-summaries',
  description: 'build conversation summaries from messages (inbox list)',
  async up() {
    const { conversations, messages } = await rebuildConversationSummaries();
    return `${conversations} conversations from ${messages} messages`;
  },
  async needed() {
    return (await mongoose.connection.db!.collection('messages').findOne({}, { projection: { _id: 1 } })) !== null;
  },
  async down() {
    await mongoose.connection.db!.collection('conversations').deleteMany({});
    return 'conversation summaries removed';
  },
};
