/**
 * The routes an app mounts, read from Express 4's router stack: method, full path (with :params)
 * and the handlers of the route itself. The API reference and the hardening fuzz both start here,
 * so a route that is mounted is documented and fuzzed without being listed anywhere.
 */
import type { Express } from 'express';

export interface MountedRoute {
  method: string;
  path: string;
}

export interface RouteEntry extends MountedRoute {
  /** The route's own handlers for this method, in order (router-level middleware excluded). */
  handlers: unknown[];
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: { method?: string; handle: unknown }[] };
  regexp: RegExp;
  handle: { stack?: Layer[] };
}

/** Express 4 keeps a mount path only compiled (`/^\/api\/v1\/?(?=\/|$)/i`): read it back, or refuse. */
function mountPath(re: RegExp): string {
  const escaped = /^\^(.*?)\\\/\?\(\?=\\\/\|\$\)$/.exec(re.source)?.[1];
  if (escaped === undefined || /[()[\]*+?|^$]/.test(escaped.replace(/\\./g, ''))) {
    throw new Error(`cannot read the mount path ${String(re)}: teach routeTable() this form`);
  }
  return escaped.replace(/\\(.)/g, '$1');
}

/** Every route of the app with its handlers, in the order Express matches them. */
export function routeTable(app: Express): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const { route } = layer;
        if (typeof route.path !== 'string') throw new Error(`route path ${String(route.path)} is not a string`);
        const path = `${prefix}${route.path}`.replace(/(.)\/$/, '$1');
        for (const method of Object.keys(route.methods)) {
          const handlers = route.stack.filter((l) => l.method === undefined || l.method === method).map((l) => l.handle);
          routes.push({ method: method.toUpperCase(), path, handlers });
        }
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, prefix + mountPath(layer.regexp));
      }
    }
  };
  walk((app as unknown as { _router: { stack: Layer[] } })._router.stack, '');
  return routes;
}

/** Every method and path the app routes. */
export function mountedRoutes(app: Express): MountedRoute[] {
  return routeTable(app).map(({ method, path }) => ({ method, path }));
}
