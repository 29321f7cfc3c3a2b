/**
 * Per-request context (request id, user, company) carried through async calls with
 * AsyncLocalStorage, so every log line of a request can name them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  userId?: string;
  companyId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Records the authenticated user and company on the current request's context. */
export function setContextUser(userId: string, companyId: string | undefined): void {
  const ctx = storage.getStore();
  if (!ctx) return;
  ctx.userId = userId;
  if (companyId) ctx.companyId = companyId;
}
