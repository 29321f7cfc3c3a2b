/**
 * What the API reference says about a route beyond its schemas: a summary, who may call it, what
 * a success answers. One table per area (./routes), keyed by `METHOD /path` as the app mounts it;
 * the request schemas come from the route's validate() middleware, never from here.
 */
import type { EnvelopeFamily } from '../utils/errors';

/**
 * Who may call: `public` (nobody signs in), `bearer` (a signed-in staff member; the route may
 * narrow the roles), `manager` (a signed-in manager), `apiKey` (the Meta Bot's x-api-key),
 * `refresh` (the refresh cookie or a refresh token in the body), `signed` (Meta signs the request),
 * `metrics` (the METRICS_TOKEN as a Bearer token when one is configured).
 */
export type AuthKind = 'public' | 'bearer' | 'manager' | 'apiKey' | 'refresh' | 'signed' | 'metrics';

export interface RouteDoc {
  summary: string;
  auth: AuthKind;
  /** The success status (200 unless said). */
  status?: number;
  /** What a success answers, in a few words. */
  returns?: string;
  /** Other answers worth naming (a redirect, a duplicate, not ready). */
  also?: Record<number, string>;
  /** Longer notes: quirks kept for compatibility, roles. */
  description?: string;
  /** The envelope of this route's own errors, when not its area's. */
  errors?: EnvelopeFamily;
  /** The media type of a success (JSON unless said). */
  produces?: string;
}

export interface AreaDoc {
  tag: string;
  description: string;
  /** The envelope of the area's own errors (validation, auth and API-key failures have their own). */
  errors: EnvelopeFamily;
  /** The envelope of its 400 VALIDATION_ERROR (E1 unless the area answers it in E4). */
  validation?: 'E1' | 'E4';
  routes: Record<string, RouteDoc>;
}
