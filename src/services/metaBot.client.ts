/**
 * The one client for the Meta Bot (META_BOT_BASE_URL): POST /chat/manual-facebook and
 * /chat/manual-instagram with the contract's body [COMPAT], a per-attempt timeout, an
 * Idempotency-Key header (the same key on every retry of one message) and x-api-key. Results are
 * classified so the outbox knows whether to retry; error texts follow the original's wording but
 * read the Meta Bot's own `error`/`details` fields.
 */
import axios, { type AxiosInstance } from 'axios';

export interface ManualSendBody {
  company_id: string;
  customer_id: string;
  platform: 'facebook' | 'instagram';
  content: string;
  external_message_id?: string;
  access_token: string;
  customer_social_id: string;
}

export type SendResult =
  | { ok: true; status: number; messageId: string | undefined; response: unknown }
  | { ok: false; retryable: boolean; error: string; status?: number; retryAfterMs?: number };

export interface MetaBotClient {
  sendManual(body: ManualSendBody, idempotencyKey: string): Promise<SendResult>;
}

function detail(data: unknown, fallback: string): string {
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    const parts = [d.error, d.details, d.message].filter((x) => typeof x === 'string' && x.length > 0) as string[];
    if (parts.length > 0) return parts.join(': ');
  }
  return fallback;
}

function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export function createMetaBotClient(opts: { baseUrl: string; timeoutMs: number; apiKey: string }): MetaBotClient {
  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    headers: { 'Content-Type': 'application/json', 'x-api-key': opts.apiKey },
    validateStatus: () => true,
    maxRedirects: 0,
  });
  return {
    async sendManual(body, idempotencyKey) {
      const path = body.platform === 'facebook' ? '/chat/manual-facebook' : '/chat/manual-instagram';
      try {
        const res = await http.post(path, { ...body, idempotency_key: idempotencyKey }, { headers: { 'Idempotency-Key': idempotencyKey } });
        if (res.status >= 200 && res.status < 300) {
          const data = res.data as { result?: { message_id?: unknown } } | undefined;
          const mid = data?.result?.message_id;
          return { ok: true, status: res.status, messageId: typeof mid === 'string' ? mid : undefined, response: res.data };
        }
        const text = detail(res.data, res.statusText || 'error');
        if (res.status === 429) {
          const after = retryAfterMs(res.headers['retry-after']);
          return {
            ok: false,
            retryable: true,
            status: 429,
            error: `Meta Bot client error (429): ${text}`,
            ...(after !== undefined ? { retryAfterMs: after } : {}),
          };
        }
        if (res.status >= 500)
          return { ok: false, retryable: true, status: res.status, error: `Meta Bot server error (${res.status}): ${text}` };
        return { ok: false, retryable: res.status === 408, status: res.status, error: `Meta Bot client error (${res.status}): ${text}` };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH') {
          return { ok: false, retryable: true, error: 'Meta Bot server is not reachable. Message forwarding failed.' };
        }
        if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') {
          return { ok: false, retryable: true, error: 'Meta Bot server timed out. Message forwarding failed.' };
        }
        return { ok: false, retryable: true, error: `Failed to communicate with Meta Bot: ${e.message ?? 'unknown error'}` };
      }
    },
  };
}
