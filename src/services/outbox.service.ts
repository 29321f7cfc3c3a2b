/**
 * The durable outbox for operator messages to Facebook/Instagram. Queued messages live in the
 * `messages` collection (delivery_status 'queued'); a worker claims one at a time with an atomic
 * findOneAndUpdate lease, so processes sharing the database never deliver the same message twice,
 * and a lease left by a crashed process expires so the message is delivered after a restart.
 * Each attempt sends the message's idempotency key; failures retry with exponential backoff and
 * jitter within a bounded period, then end `failed`. `message:status` reports sent and failed.
 * Each outcome is counted (petbuddy_outbox_deliveries_total{outcome}).
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/env';
import { recordDelivery, type DeliveryOutcome } from '../metrics/outbox';
import { safely } from '../metrics/registry';
import { CompanyIntegration } from '../models/CompanyIntegration';
import { Message, type MessageFields } from '../models/Message';
import { crossTenant } from '../models/plugins/tenantScoped';
import type { Realtime } from '../socket/realtime';
import type { Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { decryptSecret } from '../utils/secrets';
import { ttlCache } from '../utils/ttlCache';
import { contactRef } from './contactRefs';
import type { MetaBotClient, SendResult } from './metaBot.client';

const log = moduleLogger('outbox');

export interface OutboxDeps {
  config: Config;
  metaBot: MetaBotClient;
  realtime: Realtime;
  clock: Clock;
  random?: () => number;
  /** Where delivery outcomes are counted: the process's metrics by default (the outbox thread forwards them to its host). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

export interface Outbox {
  /** Delivers what is due now; resolves when nothing due is left (or stop was requested). */
  drain(): Promise<number>;
  /** Starts a drain soon without waiting for the poll. */
  kick(): void;
  stop(): Promise<void>;
  readonly workerId: string;
  /** How long a claimed batch stays leased to this worker. */
  readonly leaseMs: number;
}

type Attempt =
  { kind: 'sent'; messageId: string | undefined } | { kind: 'retry'; error: string; delayMs?: number } | { kind: 'fail'; error: string };

export function createOutbox(deps: OutboxDeps): Outbox {
  const { config, clock } = deps;
  const opts = config.outbox;
  const random = deps.random ?? Math.random;
  const onOutcome = deps.onOutcome ?? recordDelivery;
  const count = (outcome: DeliveryOutcome): void => safely('petbuddy_outbox_deliveries_total', () => onOutcome(outcome));
  const workerId = randomUUID();
  /**
   * A lease covers a whole batch: its messages are sent `concurrency` at a time, each attempt
   * bounded by the timeout, so a live worker's lease never expires under it.
   */
  const leaseMs = config.metaBot.timeoutMs * Math.ceil(opts.batchSize / opts.concurrency) + 30_000;
  let draining: Promise<number> | null = null;
  const tokens = ttlCache<string, string>(30_000);
  let again = false;
  let stopped = false;

  const backoff = (attempt: number): number => {
    const exp = Math.min(opts.retryMaxDelayMs, opts.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  };

  /**
   * Claims up to `limit` due messages: pick candidates, lease them with one conditional update
   * (a message leased by another worker meanwhile no longer matches), read back what this batch
   * holds. Three queries per batch instead of one per message.
   */
  async function claimBatch(limit: number): Promise<{ claimed: MessageFields[]; due: number }> {
    const now = clock.now();
    const due = {
      delivery_status: 'queued',
      delivery_next_attempt_at: { $lte: now },
      $or: [{ delivery_locked_until: null }, { delivery_locked_until: { $lt: now } }],
    };
    const candidates = await crossTenant(
      Message.find(due, { _id: 1 })
        .sort({ delivery_next_attempt_at: 1 })
        .limit(limit * 3),
    ).lean();
    if (candidates.length === 0) return { claimed: [], due: 0 };
    // Workers racing for the same oldest messages would mostly collide: each takes a random part.
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
    }
    const ids = candidates.slice(0, limit).map((c) => c._id);
    const owner = `${workerId}/${randomUUID()}`;
    await crossTenant(
      Message.updateMany(
        { ...due, _id: { $in: ids } },
        { $set: { delivery_locked_until: new Date(now.getTime() + leaseMs), delivery_lock_owner: owner }, $inc: { delivery_attempts: 1 } },
      ),
    );
    const claimed = await crossTenant(Message.find({ _id: { $in: ids }, delivery_lock_owner: owner })).lean<MessageFields[]>();
    return { claimed, due: candidates.length };
  }

  /** The company's page token, briefly cached (it changes only when the page is reconnected). */
  async function pageToken(companyId: MessageFields['company_id']): Promise<string | null> {
    const key = String(companyId);
    const cached = tokens.get(key);
    if (cached !== undefined) return cached;
    const integration = await CompanyIntegration.findOne({ companyId }, { facebookAccessToken: 1 }).lean();
    const stored = integration?.facebookAccessToken ? decryptSecret(integration.facebookAccessToken, config.dataEncryptionKey) : null;
    // Only a token is remembered: a page connected a moment later must work at once.
    if (stored) tokens.set(key, stored);
    return stored;
  }

  async function attempt(msg: MessageFields): Promise<Attempt> {
    const platform = msg.platform as 'facebook' | 'instagram';
    const contact = await contactRef(msg.company_id, msg.contact_id);
    if (!contact) return { kind: 'fail', error: `Contact not found: ${String(msg.contact_id)}` };
    const recipient = platform === 'facebook' ? contact.social?.facebookId : contact.social?.instagramId;
    if (!recipient) return { kind: 'fail', error: `Contact ${platform} ID not found` };
    const token = await pageToken(msg.company_id);
    if (!token) return { kind: 'fail', error: 'The company has no connected Facebook page (no page access token)' };
    const result: SendResult = await deps.metaBot.sendManual(
      {
        company_id: String(msg.company_id),
        customer_id: String(msg.contact_id),
        platform,
        content: msg.content ?? '',
        ...(msg.external_message_id ? { external_message_id: msg.external_message_id } : {}),
        access_token: token,
        customer_social_id: recipient,
      },
      msg.delivery_key ?? String(msg._id),
    );
    if (result.ok) return { kind: 'sent', messageId: result.messageId };
    if (!result.retryable) return { kind: 'fail', error: result.error };
    return { kind: 'retry', error: result.error, ...(result.retryAfterMs !== undefined ? { delayMs: result.retryAfterMs } : {}) };
  }

  const mine = (msg: MessageFields) => ({ _id: msg._id, company_id: msg.company_id, delivery_lock_owner: msg.delivery_lock_owner });
  /** Whether this worker still held the lease when it recorded the outcome (else another took over). */
  const owned = (res: { matchedCount: number }, msg: MessageFields): boolean => {
    if (res.matchedCount > 0) return true;
    count('lease_lost');
    log.warn('delivery outcome dropped: the lease expired and another worker took the message over', { messageId: String(msg._id) });
    return false;
  };
  const releaseLock = { delivery_locked_until: 1, delivery_lock_owner: 1, delivery_next_attempt_at: 1 } as const;

  /** Records an attempt's outcome (with the driver: one small update per message). */
  async function finish(msg: MessageFields, outcome: Attempt): Promise<void> {
    const now = clock.now();
    const attempts = msg.delivery_attempts ?? 1;
    const companyId = String(msg.company_id);
    const status = (s: 'sent' | 'failed', error?: string) =>
      deps.realtime.messageStatus(companyId, {
        conversationId: String(msg.contact_id),
        messageIds: [String(msg._id)],
        status: s,
        timestamp: now.toISOString(),
        ...(error ? { error } : {}),
      });

    if (outcome.kind === 'sent') {
      const set: Record<string, unknown> = { delivery_status: 'sent', delivered: true, delivered_at: now, updated_at: now };
      if (outcome.messageId && !msg.external_message_id) set.external_message_id = outcome.messageId;
      const sentUpdate = { $set: set, $unset: { ...releaseLock, delivery_error: 1 } };
      const res = await Message.collection.updateOne(mine(msg), sentUpdate).catch(async (err: { code?: number }) => {
        // The Meta Bot may already have stored the platform id (an echo): keep its copy, mark ours sent.
        if (err.code !== 11000) throw err;
        delete set.external_message_id;
        return Message.collection.updateOne(mine(msg), sentUpdate);
      });
      if (!owned(res, msg)) return;
      count('delivered');
      log.debug('message delivered', { messageId: String(msg._id), attempts });
      status('sent');
      return;
    }
    const age = now.getTime() - (msg.created_at ?? now).getTime();
    if (outcome.kind === 'retry' && attempts < opts.maxAttempts && age < opts.maxAgeMs) {
      const delay = Math.min(outcome.delayMs ?? backoff(attempts), opts.retryMaxDelayMs);
      await Message.collection.updateOne(mine(msg), {
        $set: { delivery_next_attempt_at: new Date(now.getTime() + delay), delivery_error: outcome.error },
        $unset: { delivery_locked_until: 1, delivery_lock_owner: 1 },
      });
      count('retry');
      log.warn('message delivery failed; will retry', { messageId: String(msg._id), attempts, delayMs: delay, error: outcome.error });
      return;
    }
    const error =
      outcome.kind === 'retry' ? `Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${outcome.error}` : outcome.error;
    const res = await Message.collection.updateOne(mine(msg), {
      $set: { delivery_status: 'failed', delivery_error: error, updated_at: now },
      $unset: releaseLock,
    });
    if (!owned(res, msg)) return;
    count('failed');
    log.error('message delivery failed', { messageId: String(msg._id), attempts, error });
    status('failed', error);
  }

  async function deliver(msg: MessageFields): Promise<void> {
    let outcome: Attempt;
    try {
      outcome = await attempt(msg);
    } catch (err) {
      outcome = { kind: 'retry', error: `Delivery error: ${(err as Error).message}` };
    }
    await finish(msg, outcome);
  }

  async function runDrain(): Promise<number> {
    let delivered = 0;
    do {
      again = false;
      for (;;) {
        if (stopped) break;
        const { claimed: batch, due } = await claimBatch(opts.batchSize);
        if (due === 0) break;
        // Messages were due but another worker leased them first: look again.
        if (batch.length === 0) continue;
        // Deliver the batch with at most `concurrency` calls to the Meta Bot in flight.
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(opts.concurrency, batch.length) }, async () => {
            while (next < batch.length) await deliver(batch[next++]!);
          }),
        );
        delivered += batch.length;
      }
    } while (again && !stopped);
    return delivered;
  }

  const drain = (): Promise<number> => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = runDrain().finally(() => {
      draining = null;
    });
    return draining;
  };

  return {
    workerId,
    leaseMs,
    drain,
    kick: () => {
      if (stopped) return;
      // drain() joins a drain in progress (it runs again), so a burst of kicks is one drain.
      void drain().catch((err: Error) => log.error('outbox drain failed', { error: err.message }));
    },
    stop: async () => {
      stopped = true;
      await (draining ?? Promise.resolve()).catch(() => undefined);
    },
  };
}
