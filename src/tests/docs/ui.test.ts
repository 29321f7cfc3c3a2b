/**
 * /api/docs as a browser loads it: the page, then every script, style and icon it names, all from
 * this origin (swagger-ui-dist in node_modules, no CDN), under the app's CSP (no inline script),
 * and the document it asks for at /api/openapi.json.
 */
import request from 'supertest';
import { fullApp } from './support';

const app = fullApp();

/** Every src and href in the page. */
function urlsIn(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);
}

test('when /api/docs is asked for, then it redirects to /api/docs/ (relative asset URLs resolve there), keeping the query', async () => {
  const res = await request(app).get('/api/docs?x=1');
  expect(res.status).toBe(301);
  expect(res.headers.location).toBe('/api/docs/?x=1');
  expect((await request(app).get('/api/docs')).headers.location).toBe('/api/docs/');
});

test('when the page is loaded, then every script, style and icon it names loads from this origin with its content type', async () => {
  const page = await request(app).get('/api/docs/');
  expect(page.status).toBe(200);
  expect(page.type).toBe('text/html');
  const urls = urlsIn(page.text);
  expect(urls).toEqual(expect.arrayContaining(['./swagger-ui.css', './swagger-ui-bundle.js', './swagger-ui-init.js']));
  // No CDN or other host: nothing absolute, nothing protocol-relative.
  expect(urls.filter((u) => /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(u))).toEqual([]);
  const expected: Record<string, RegExp> = { js: /javascript/, css: /^text\/css/, png: /^image\/png/ };
  for (const url of urls) {
    const res = await request(app).get(new URL(url, 'http://self/api/docs/').pathname);
    const ext = /\.(\w+)$/.exec(url)?.[1] ?? '';
    expect({ url, status: res.status }).toEqual({ url, status: 200 });
    expect(res.headers['content-type']).toMatch(expected[ext] ?? /./);
  }
});

test("when the page is served, then the app's CSP applies and the page needs no inline script", async () => {
  const page = await request(app).get('/api/docs/');
  const csp = page.headers['content-security-policy'] as string;
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  expect(scripts.length).toBeGreaterThanOrEqual(3);
  for (const [, attributes, body] of scripts) {
    expect(attributes).toMatch(/\bsrc=/);
    expect(body!.trim()).toBe('');
  }
  expect(page.text).not.toMatch(/\son[a-z]+\s*=/i);
});

test('when the init script runs, then it loads /api/openapi.json and sends nothing to the public validator', async () => {
  const init = await request(app).get('/api/docs/swagger-ui-init.js');
  expect(init.text).toContain('"swaggerUrl": "/api/openapi.json"');
  expect(init.text).toMatch(/"validatorUrl": null/);
  const spec = await request(app).get('/api/openapi.json');
  expect(spec.status).toBe(200);
  expect(spec.type).toBe('application/json');
  expect(spec.body).toMatchObject({ openapi: '3.1.0', info: { title: 'PetBuddy API' } });
});

test('when a file of swagger-ui-dist the page does not use is asked for, then it is not served (the demo page points at a remote spec)', async () => {
  for (const path of ['/api/docs/index.html', '/api/docs/swagger-initializer.js', '/api/docs/package.json', '/api/docs/%ZZ']) {
    const res = await request(app).get(path);
    expect({ path, status: res.status }).toEqual({ path, status: 404 });
    expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  }
});
