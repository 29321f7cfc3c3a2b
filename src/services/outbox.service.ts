/**
 * The durable outbox for operator messages to Facebook/Instagram. Queued messages live in the
 * `messages` collection (delivery_status 'queued'); a worker claims one at a time with an atomic
 * findOneAndUpdate lease, so processes sharing the database never deliver the same message twice,
 * and a lease left by a crashed process expires so the message is delivered after a restart.
 * Each attempt sends the message's idempotency key; failures retry with exponential backoff and
 * jitter within a bounded period, then end `failed`. `message:status` reports sent and failed.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/env';
import { CompanyIntegration } from '../models/CompanyIntegration';
import { Contact } from '../models/Contact';
import { Message, type MessageFields } from '../models/Message';
import { crossTenant } from '../models/plugins/tenantScoped';
import type { Realtime } from '../socket/realtime';
import type { Clock } from '../utils/clock';
import { moduleLogger } from '../utils/logger';
import { decryptSecret } from '../utils/secrets';
import type { MetaBotClient, SendResult } from './metaBot.client';

const log = moduleLogger('outbox');

export interface OutboxDeps {
  config: Config;
  metaBot: MetaBotClient;
  realtime: Realtime;
  clock: Clock;
  random?: () => number;
}

export interface Outbox {
  /** Delivers what is due now; resolves when nothing due is left (or stop was requested). */
  drain(): Promise<number>;
  /** Starts a drain soon without waiting for the poll. */
  kick(): void;
  stop(): Promise<void>;
  readonly workerId: string;
}

type Attempt =
  { kind: 'sent'; messageId: string | undefined } | { kind: 'retry'; error: string; delayMs?: number } | { kind: 'fail'; error: string };

export function createOutbox(deps: OutboxDeps): Outbox {
  const { config, clock } = deps;
  const opts = config.outbox;
  const random = deps.random ?? Math.random;
  const workerId = randomUUID();
  /** Longer than one attempt can take, so a live worker's lease never expires under it. */
  const leaseMs = config.metaBot.timeoutMs + 30_000;
  let draining: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const backoff = (attempt: number): number => {
    const exp = Math.min(opts.retryMaxDelayMs, opts.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  };

  async function claim(): Promise<MessageFields | null> {
    const now = clock.now();
    return crossTenant(
      Message.findOneAndUpdate(
        {
          delivery_status: 'queued',
          delivery_next_attempt_at: { $lte: now },
          $or: [{ delivery_locked_until: null }, { delivery_locked_until: { $lt: now } }],
        },
        {
          $set: { delivery_locked_until: new Date(now.getTime() + leaseMs), delivery_lock_owner: workerId },
          $inc: { delivery_attempts: 1 },
        },
        { new: true, sort: { delivery_next_attempt_at: 1 } },
      ),
    ).lean<MessageFields>();
  }

  async function attempt(msg: MessageFields): Promise<Attempt> {
    const platform = msg.platform as 'facebook' | 'instagram';
    const contact = await Contact.findOne({ _id: msg.contact_id, companyId: msg.company_id }).lean();
    if (!contact) return { kind: 'fail', error: `Contact not found: ${String(msg.contact_id)}` };
    const recipient = platform === 'facebook' ? contact.social?.facebookId : contact.social?.instagramId;
    if (!recipient) return { kind: 'fail', error: `Contact ${platform} ID not found` };
    const integration = await CompanyIntegration.findOne({ companyId: msg.company_id }, { facebookAccessToken: 1 }).lean();
    const stored = integration?.facebookAccessToken;
    if (!stored) return { kind: 'fail', error: 'The company has no connected Facebook page (no page access token)' };
    const result: SendResult = await deps.metaBot.sendManual(
      {
        company_id: String(msg.company_id),
        customer_id: String(msg.contact_id),
        platform,
        content: msg.content ?? '',
        ...(msg.external_message_id ? { external_message_id: msg.external_message_id } : {}),
        access_token: decryptSecret(stored, config.dataEncryptionKey),
        customer_social_id: recipient,
      },
      msg.delivery_key ?? String(msg._id),
    );
    if (result.ok) return { kind: 'sent', messageId: result.messageId };
    if (!result.retryable) return { kind: 'fail', error: result.error };
    return { kind: 'retry', error: result.error, ...(result.retryAfterMs !== undefined ? { delayMs: result.retryAfterMs } : {}) };
  }

  const mine = (msg: MessageFields) => ({ _id: msg._id, company_id: msg.company_id, delivery_lock_owner: workerId });
  /** Whether this worker still held the lease when it recorded the outcome (else another took over). */
  const owned = (res: { matchedCount: number }, msg: MessageFields): boolean => {
    if (res.matchedCount > 0) return true;
    log.warn('delivery outcome dropped: the lease expired and another worker took the message over', { messageId: String(msg._id) });
    return false;
  };
  const releaseLock = { delivery_locked_until: 1, delivery_lock_owner: 1, delivery_next_attempt_at: 1 } as const;

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
      const res = await Message.updateOne(mine(msg), sentUpdate).catch(async (err: { code?: number }) => {
        // The Meta Bot may already have stored the platform id (an echo): keep its copy, mark ours sent.
        if (err.code !== 11000) throw err;
        delete set.external_message_id;
        return Message.updateOne(mine(msg), sentUpdate);
      });
      if (!owned(res, msg)) return;
      log.info('message delivered', { messageId: String(msg._id), attempts });
      status('sent');
      return;
    }
    const age = now.getTime() - (msg.created_at ?? now).getTime();
    if (outcome.kind === 'retry' && attempts < opts.maxAttempts && age < opts.maxAgeMs) {
      const delay = Math.min(outcome.delayMs ?? backoff(attempts), opts.retryMaxDelayMs);
      await Message.updateOne(mine(msg), {
        $set: { delivery_next_attempt_at: new Date(now.getTime() + delay), delivery_error: outcome.error },
        $unset: { delivery_locked_until: 1, delivery_lock_owner: 1 },
      });
      log.warn('message delivery failed; will retry', { messageId: String(msg._id), attempts, delayMs: delay, error: outcome.error });
      return;
    }
    const error =
      outcome.kind === 'retry' ? `Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${outcome.error}` : outcome.error;
    const res = await Message.updateOne(mine(msg), {
      $set: { delivery_status: 'failed', delivery_error: error, updated_at: now },
      $unset: releaseLock,
    });
    if (!owned(res, msg)) return;
    log.error('message delivery failed', { messageId: String(msg._id), attempts, error });
    status('failed', error);
  }

  async function deliverOne(): Promise<boolean> {
    const msg = await claim();
    if (!msg) return false;
    let outcome: Attempt;
    try {
      outcome = await attempt(msg);
    } catch (err) {
      outcome = { kind: 'retry', error: `Delivery error: ${(err as Error).message}` };
    }
    await finish(msg, outcome);
    return true;
  }

  async function runDrain(): Promise<number> {
    let delivered = 0;
    do {
      again = false;
      const workers = Array.from({ length: opts.concurrency }, async () => {
        while (!stopped && (await deliverOne())) delivered++;
      });
      await Promise.all(workers);
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
    drain,
    kick: () => {
      if (stopped) return;
      void drain().catch((err: Error) => log.error('outbox drain failed', { error: err.message }));
    },
    stop: async () => {
      stopped = true;
      await (draining ?? Promise.resolve()).catch(() => undefined);
    },
  };
}
