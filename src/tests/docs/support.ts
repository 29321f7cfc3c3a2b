/**
 * Shared by the API reference suites: the app with every optional route mounted (CSRF token,
 * diagnostics, metrics on the app's port), its document, and small readers of the document.
 */
import type { Express } from 'express';
import type { oas31 } from 'zod-openapi';
import { buildApp } from '../../app';
import { buildOpenApiDocument } from '../../docs/openapi';
import { testConfig } from '../helpers/config';

/** Outside production, CSRF on, no METRICS_PORT: every route the code can mount is mounted. */
export function fullApp(env: Record<string, string> = {}): Express {
  return buildApp({ config: testConfig({ CSRF_ENABLED: 'true', ...env }) });
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  method: string;
  template: string;
  operation: oas31.OperationObject;
}

/** Every operation of the document, the method upper-cased. */
export function operationsOf(document: oas31.OpenAPIObject): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Partial<Record<string, oas31.OperationObject>>)[method];
      if (operation) out.push({ method: method.toUpperCase(), template, operation });
    }
  }
  return out;
}

/** `/a/{id}` back to Express's `/a/:id`. */
export const toExpressPath = (template: string): string => template.replace(/\{(\w+)\}/g, ':$1');

export function documentOf(app: Express): oas31.OpenAPIObject {
  return buildOpenApiDocument(app).document;
}
