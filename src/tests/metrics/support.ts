/**
 * Shared by the metrics suites: a strict reader of the Prometheus text exposition format (0.0.4)
 * that fails on any line a scraper would reject, lookups of samples by name and labels, and
 * scrapes of an app (supertest) or of a listening server (fetch).
 */
import type { Express } from 'express';
import request from 'supertest';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name → its TYPE (and HELP, which every family of ours has). */
  families: Map<string, { type: MetricType; help: string | undefined }>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL_PAIR = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return FLOAT.test(text) ? Number(text) : undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = LABEL_PAIR.exec(rest);
    if (!m) throw new Error(`${where}: malformed labels {${text}}`);
    if (m[1]! in labels) throw new Error(`${where}: label ${m[1]} repeated`);
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** The family a sample belongs to (a histogram's _bucket/_sum/_count, a summary's _sum/_count). */
function familyOf(name: string, families: Exposition['families']): string | undefined {
  if (families.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m?.[1];
  const type = base ? families.get(base)?.type : undefined;
  if (type === 'histogram' || (type === 'summary' && m?.[2] !== 'bucket')) return base;
  return undefined;
}

/** Parses an exposition; throws, naming the line, on anything that is not valid Prometheus text. */
export function parseExposition(text: string): Exposition {
  const families: Exposition['families'] = new Map();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  const seenSeries = new Set<string>();
  // A family's samples are one contiguous group.
  const done = new Set<string>();
  let current: string | undefined;
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1} (${JSON.stringify(line)})`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const help = HELP_LINE.exec(line);
      const type = TYPE_LINE.exec(line);
      if (help) {
        if (helps.has(help[1]!)) throw new Error(`${where}: second HELP for ${help[1]}`);
        helps.set(help[1]!, help[2]!);
      } else if (type) {
        if (families.has(type[1]!)) throw new Error(`${where}: second TYPE for ${type[1]}`);
        families.set(type[1]!, { type: type[2] as MetricType, help: helps.get(type[1]!) });
      } else if (/^# (HELP|TYPE) /.test(line)) throw new Error(`${where}: malformed ${line.split(' ')[1]} line`);
      return;
    }
    const m = SAMPLE_LINE.exec(line);
    if (!m) throw new Error(`${where}: not a sample line`);
    const value = parseValue(m[3]!);
    if (value === undefined) throw new Error(`${where}: ${m[3]} is not a number`);
    const labels = m[2] === undefined ? {} : parseLabels(m[2], where);
    const family = familyOf(m[1]!, families);
    if (!family) throw new Error(`${where}: sample of ${m[1]} without a TYPE line before it`);
    if (family !== current) {
      if (done.has(family)) throw new Error(`${where}: samples of ${family} are not grouped together`);
      if (current) done.add(current);
      current = family;
    }
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`${where}: series repeated`);
    seenSeries.add(key);
    samples.push({ name: m[1]!, labels, value });
  });
  checkHistograms(families, samples);
  return { families, samples };
}

/** Buckets are cumulative and end with le="+Inf", whose count is the series' _count. */
function checkHistograms(families: Exposition['families'], samples: Sample[]): void {
  for (const [name, { type }] of families) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const [key, buckets] of groups) {
      const bounds = buckets.map((b) => parseValue(b.labels.le ?? ''));
      if (bounds.some((b) => b === undefined)) throw new Error(`${name}: bucket without a numeric le`);
      if (bounds[bounds.length - 1] !== Infinity) throw new Error(`${name}: last bucket is not le="+Inf"`);
      for (let i = 1; i < buckets.length; i++) {
        if (bounds[i]! <= bounds[i - 1]! || buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${name}: buckets not cumulative`);
      }
      const count = samples.find((s) => s.name === `${name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
      if (count?.value !== buckets[buckets.length - 1]!.value) throw new Error(`${name}: _count differs from the +Inf bucket`);
    }
  }
}

const matches = (s: Sample, name: string, labels: Record<string, string>): boolean =>
  s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);

/** The samples of `name` whose labels include `labels`. */
export function series(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => matches(s, name, labels));
}

/** The sum of those samples (0 when there are none: a counter not incremented yet). */
export function total(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return series(e, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** Every family PetBuddy exposes, with its type. */
export const FAMILIES: Record<string, MetricType> = {
  petbuddy_http_request_duration_seconds: 'histogram',
  petbuddy_socket_connections: 'gauge',
  petbuddy_socket_events_sent_total: 'counter',
  petbuddy_outbox_depth: 'gauge',
  petbuddy_outbox_deliveries_total: 'counter',
  petbuddy_job_runs_total: 'counter',
  petbuddy_job_duration_seconds: 'histogram',
  petbuddy_db_pool_open_connections: 'gauge',
  petbuddy_db_pool_in_use_connections: 'gauge',
  petbuddy_db_pool_checkout_failures_total: 'counter',
  // Default Node metrics: event-loop lag, heap, CPU.
  nodejs_eventloop_lag_seconds: 'gauge',
  nodejs_heap_size_used_bytes: 'gauge',
  process_cpu_seconds_total: 'counter',
};

/** GET /metrics of an app: 200 in Prometheus text, parsed. */
export async function scrape(app: Express, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await request(app).get('/metrics').set(headers);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
  return parseExposition(res.text);
}

/** GET of a metrics URL of a listening server: 200 in Prometheus text, parsed. */
export async function scrapeUrl(url: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text}`);
  expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
  return parseExposition(text);
}
