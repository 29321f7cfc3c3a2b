/**
 * The sustained run's request mix, as the Meta Bot and the dashboards of one company produce it:
 * inbound messages from known and new customers, operator replies, the conversation list and
 * pages, mark-read, logins and cookie refreshes. Contacts first seen in an ingest join the
 * contacts the other kinds pick from; refresh cookies rotate through a pool of sessions (one per
 * signed-in dashboard), which logins add to.
 */
import type { Reply } from './loopback';
import type { Call, Kind } from './openLoop';
import type { SeededContact } from './seed';

/** Weights (per cent of the offered rate). */
export const MIX = {
  ingest: 35,
  reply: 15,
  list: 13,
  page: 15,
  markRead: 12,
  login: 3,
  refresh: 7,
} as const;

/** Share of ingested messages that come from a contact already known. */
const EXISTING_CONTACT_SHARE = 0.7;
const SESSION_POOL_MAX = 256;

/** A small seeded PRNG (mulberry32): the same run picks the same contacts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `refreshToken=...` pair an answer set, to send back as a Cookie header. */
export function refreshCookie(r: Reply): string | undefined {
  const c = r.setCookie?.find((v) => v.startsWith('refreshToken='));
  return c?.slice(0, c.indexOf(';') === -1 ? undefined : c.indexOf(';'));
}

export interface MixState {
  contacts: SeededContact[];
  newContacts: number;
  /** Refreshes sent with a cookie another refresh was already presenting (no idle session left). */
  refreshesSharingACookie: number;
  /** Refreshes replaced by a login: every session had been lost (only after failed refreshes and logins). */
  refreshesWithoutSession: number;
  /** Idle sessions. */
  sessions: string[];
}

export function inboxMix(opts: {
  companyId: string;
  apiKey: string;
  /** Access tokens of the company's staff; requests take turns. */
  tokens: string[];
  logins: { email: string; password: string }[];
  contacts: SeededContact[];
  /** Refresh cookies of sessions already started (`refreshToken=...`). */
  sessions: string[];
  tag: string;
}): { kinds: Kind[]; state: MixState } {
  const state: MixState = {
    contacts: [...opts.contacts],
    newContacts: 0,
    refreshesSharingACookie: 0,
    refreshesWithoutSession: 0,
    sessions: [...opts.sessions],
  };
  /** Cookies being presented by a refresh now. */
  const presenting: string[] = [];
  const random = prng(0x5eed);
  let seq = 0;
  const contact = (): SeededContact => state.contacts[Math.floor(random() * state.contacts.length)]!;
  const staff = (): Record<string, string> => ({ authorization: `Bearer ${opts.tokens[seq % opts.tokens.length]!}` });
  const keepSession = (r: Reply): void => {
    const cookie = r.status === 200 ? refreshCookie(r) : undefined;
    if (!cookie) return;
    state.sessions.push(cookie);
    if (state.sessions.length > SESSION_POOL_MAX) state.sessions.shift();
  };
  const login = (): Call => ({
    path: '/api/v1/auth/login',
    headers: {},
    body: opts.logins[seq % opts.logins.length]!,
    onReply: keepSession,
  });
  /**
   * Each idle session's cookie is presented by one refresh at a time, and its successor goes back
   * to the pool. With none idle (refreshes answering slowly), the latest cookie in use is presented
   * again, as a dashboard refreshing from two tabs does: the server accepts it within its rotation
   * grace window. Never a login instead: the mix stays what was offered.
   */
  const refresh = (): Call => {
    let cookie = state.sessions.shift();
    if (!cookie) {
      cookie = presenting[presenting.length - 1];
      if (!cookie) {
        state.refreshesWithoutSession++;
        return { ...login(), kind: 'login' };
      }
      state.refreshesSharingACookie++;
    }
    presenting.push(cookie);
    return {
      path: '/api/v1/auth/refresh',
      headers: { cookie },
      body: {},
      onReply: (r) => {
        const i = presenting.indexOf(cookie);
        if (i !== -1) presenting.splice(i, 1);
        keepSession(r);
      },
    };
  };

  const ingest = (): Call => {
    const n = seq++;
    const known = random() < EXISTING_CONTACT_SHARE;
    const c: SeededContact = known
      ? contact()
      : { id: '', platform: n % 2 === 0 ? 'facebook' : 'instagram', socialId: `new-${opts.tag}-${n}` };
    return {
      path: '/api/v1/internal/messages',
      headers: { 'x-api-key': opts.apiKey },
      body: {
        company_id: opts.companyId,
        platform: c.platform,
        external_message_id: `mid-${opts.tag}-${n}`,
        customer_social_id: c.socialId,
        content: `Do you have a grooming slot on Friday? (${n})`,
        ...(known ? {} : { profile: { name: `New Customer ${n}` } }),
      },
      readBody: !known,
      onReply: (r) => {
        if (known || r.status !== 201 || !r.body) return;
        const { contactId } = JSON.parse(r.body) as { contactId?: string };
        if (!contactId) return;
        state.contacts.push({ ...c, id: contactId });
        state.newContacts++;
      },
    };
  };

  const kinds: Kind[] = [
    { name: 'ingest', weight: MIX.ingest, next: ingest },
    {
      name: 'reply',
      weight: MIX.reply,
      next: () => {
        const c = contact();
        const body = {
          company_id: opts.companyId,
          contact_id: c.id,
          role: 'operator',
          platform: c.platform,
          direction: 'outbound',
          content: `Yes, Friday at 10:00 works (${seq++})`,
        };
        return { path: '/api/v1/messages', headers: staff(), body };
      },
    },
    {
      name: 'list',
      weight: MIX.list,
      next: () => ({ path: '/api/v1/conversations/list', headers: staff(), body: { company_id: opts.companyId, platform: 'all' } }),
    },
    {
      name: 'page',
      weight: MIX.page,
      next: () => ({ path: '/api/v1/conversations/messages', headers: staff(), body: { contactId: contact().id, limit: 50 } }),
    },
    {
      name: 'markRead',
      weight: MIX.markRead,
      next: () => ({ path: '/api/v1/conversations/mark-read', headers: staff(), body: { contactId: contact().id } }),
    },
    { name: 'login', weight: MIX.login, next: login },
    { name: 'refresh', weight: MIX.refresh, next: refresh },
  ];
  return { kinds, state };
}
