/**
 * /metrics of the app (development/test: open): valid Prometheus text listing every family, the
 * HTTP histogram labelled by route pattern (ids and random 404 URLs never become labels, /metrics
 * is not measured), the outbox depth read at scrape time, and a metric that fails never breaks
 * the request it measures.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildApp } from '../../app';
import { appMetrics } from '../../metrics/families';
import { Message } from '../../models/Message';
import { bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { createContact } from '../factories/inbox';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { FAMILIES, parseExposition, scrape, series, total, PROMETHEUS_CONTENT_TYPE } from './support';

useTestDatabase();

const config = testConfig({ APPOINTMENT_RATE_LIMIT_MAX: '10000' });
const app = buildApp({ config });
const HTTP = 'petbuddy_http_request_duration_seconds';

test('when /metrics is scraped, then it is Prometheus text with HELP and TYPE for every PetBuddy family and the Node defaults', async () => {
  const res = await request(app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
  const e = parseExposition(res.text);
  for (const [name, type] of Object.entries(FAMILIES)) {
    expect({ name, type: e.families.get(name)?.type }).toEqual({ name, type });
    if (name.startsWith('petbuddy_')) expect(e.families.get(name)?.help).toBeTruthy();
  }
});

test('when the exposition is malformed, then the reader used by these tests rejects it', () => {
  expect(() => parseExposition('petbuddy_x 1\n')).toThrow(/without a TYPE/);
  expect(() => parseExposition('# TYPE petbuddy_x gauge\npetbuddy_x one\n')).toThrow(/not a number/);
  expect(() => parseExposition('# TYPE petbuddy_x gauge\npetbuddy_x{a="1} 1\n')).toThrow(/not a sample line|malformed labels/);
  expect(() => parseExposition('# TYPE petbuddy_x gauge\npetbuddy_x 1')).toThrow(/newline/);
  expect(parseExposition('# HELP petbuddy_x An x.\n# TYPE petbuddy_x gauge\npetbuddy_x{a="q\\"uote"} 1.5e3\n').samples).toEqual([
    { name: 'petbuddy_x', labels: { a: 'q"uote' }, value: 1500 },
  ]);
});

test('when a route is requested N times, then its histogram count grows by N under the route pattern', async () => {
  const labels = { method: 'GET', route: '/health', status: '200' };
  const before = total(await scrape(app), `${HTTP}_count`, labels);
  for (let i = 0; i < 5; i++) expect((await request(app).get('/health')).status).toBe(200);
  const after = await scrape(app);
  expect(total(after, `${HTTP}_count`, labels)).toBe(before + 5);
  expect(total(after, `${HTTP}_sum`, labels)).toBeGreaterThan(0);
  expect(series(after, `${HTTP}_bucket`, { ...labels, le: '+Inf' })).toHaveLength(1);
});

test('when two different ids are requested, then both count in one series labelled with the pattern and no id is a label', async () => {
  const co = await companyWithStaff(config);
  const ids = [newObjectId(), newObjectId()];
  const route = { method: 'GET', route: '/api/v1/appointments/:id' };
  const before = await scrape(app);
  // Unknown appointments: the route matched, then the service's 404 went through the error handler.
  for (const id of ids) expect((await request(app).get(`/api/v1/appointments/${id}`).set(bearer(co.users.manager.token))).status).toBe(404);
  const after = await scrape(app);
  expect(total(after, `${HTTP}_count`, route) - total(before, `${HTTP}_count`, route)).toBe(2);
  expect(series(after, `${HTTP}_count`, route).map((s) => s.labels)).toEqual([{ ...route, status: '404' }]);
  const labelValues = after.samples.flatMap((s) => Object.values(s.labels));
  for (const id of ids) expect(labelValues.some((v) => v.includes(id))).toBe(false);
});

test('when random URLs answer 404, then they add no series: all count as route "unmatched"', async () => {
  await request(app).get(`/nowhere-${randomUUID()}`);
  const before = await scrape(app);
  const words = Array.from({ length: 6 }, () => randomUUID());
  const urls = words.map((w) => `/${w}/${randomUUID()}?q=${w}`);
  for (const url of urls) expect((await request(app).get(url)).status).toBe(404);
  const after = await scrape(app);
  expect(series(after, `${HTTP}_count`)).toHaveLength(series(before, `${HTTP}_count`).length);
  const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
  expect(total(after, `${HTTP}_count`, unmatched)).toBe(total(before, `${HTTP}_count`, unmatched) + urls.length);
  const labelValues = after.samples.flatMap((s) => Object.values(s.labels));
  for (const w of words) expect(labelValues.some((v) => v.includes(w))).toBe(false);
});

test('when a route is requested in other letter cases, then every spelling counts under the one pattern', async () => {
  const spellings = ['/api/v1/auth/refresh', '/API/v1/auth/refresh', '/api/V1/Auth/refresh', '/api/v1/AUTH/REFRESH/'];
  for (const url of spellings) await request(app).post(url);
  const scraped = await scrape(app);
  const routes = new Set(series(scraped, `${HTTP}_count`).map((s) => s.labels.route));
  expect([...routes].filter((r) => r !== undefined && /refresh/i.test(r))).toEqual(['/api/v1/auth/refresh']);
});

test('when /metrics is scraped repeatedly, then the scrapes themselves are not measured', async () => {
  await scrape(app);
  await scrape(app);
  expect(series(await scrape(app), `${HTTP}_count`, { route: '/metrics' })).toEqual([]);
});

test('when messages are queued for delivery, then the outbox depth reads their number at scrape time', async () => {
  const co = await companyWithStaff(config);
  const contact = await createContact(co.companyId);
  const queued = (n: number) =>
    Message.insertMany(
      Array.from({ length: n }, (_, i) => ({
        company_id: co.companyId,
        contact_id: contact._id,
        role: 'operator',
        platform: 'facebook',
        direction: 'outbound',
        content: `queued ${i}`,
        delivery_status: 'queued',
        delivery_next_attempt_at: new Date(),
      })),
    );
  expect(total(await scrape(app), 'petbuddy_outbox_depth')).toBe(0);
  await queued(3);
  expect(total(await scrape(app), 'petbuddy_outbox_depth')).toBe(3);
});

test('when recording a metric throws, then the request is answered as usual and /metrics still works', async () => {
  const observe = jest.spyOn(appMetrics().httpDuration, 'observe').mockImplementation(() => {
    throw new Error('broken metric');
  });
  try {
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(observe).toHaveBeenCalled();
  } finally {
    observe.mockRestore();
  }
  await scrape(app);
});
