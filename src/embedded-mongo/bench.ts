/**
 * `npm run bench:db`: throughput of the embedded server through the real driver over 100,000
 * documents: bulk and single inserts, indexed finds, the same finds as full scans
 * (hint {$natural: 1}) so the index speed-up shows as a ratio, and an aggregation.
 * Prints a table and writes bench-results/db.json. Loops are bounded by count.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from './server';

const DOCS = 100_000;

interface Row {
  name: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
  msPerOp: number;
}

async function timed(name: string, ops: number, fn: () => Promise<void>): Promise<Row> {
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, ops, seconds, opsPerSec: ops / seconds, msPerOp: (seconds * 1000) / ops };
}

async function run(label: string, dbPath: string | undefined): Promise<Row[]> {
  const server = await startEmbeddedMongo({ ...(dbPath ? { dbPath } : {}) });
  const client = new MongoClient(server.uri, { maxPoolSize: 10 });
  const rows: Row[] = [];
  try {
    const coll = client.db('bench').collection('items');
    await coll.createIndex({ sku: 1 }, { unique: true });
    await coll.createIndex({ category: 1, price: 1 });
    rows.push(
      await timed(`${label}: insertMany (batches of 1,000)`, DOCS, async () => {
        for (let b = 0; b < DOCS / 1000; b++) {
          await coll.insertMany(
            Array.from({ length: 1000 }, (_, i) => {
              const n = b * 1000 + i;
              return { sku: `sku-${n}`, category: `c${n % 100}`, price: n % 997, tags: [`t${n % 7}`], createdAt: new Date(1e12 + n) };
            }),
          );
        }
      }),
    );
    const singles = 5_000;
    rows.push(
      await timed(`${label}: insertOne, 10 concurrent`, singles, async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            while (next < singles) {
              const n = next++;
              await client.db('bench').collection('singles').insertOne({ n, at: new Date() });
            }
          }),
        );
      }),
    );
    const finds = 5_000;
    rows.push(
      await timed(`${label}: findOne by unique indexed field`, finds, async () => {
        for (let i = 0; i < finds; i++) await coll.findOne({ sku: `sku-${(i * 7919) % DOCS}` });
      }),
    );
    rows.push(
      await timed(`${label}: find by compound index (eq + range, 10 docs)`, finds, async () => {
        for (let i = 0; i < finds; i++) await coll.find({ category: `c${i % 100}`, price: { $gte: 100, $lt: 110 } }).toArray();
      }),
    );
    const scans = 30;
    rows.push(
      await timed(`${label}: same findOne as a full scan (hint $natural)`, scans, async () => {
        for (let i = 0; i < scans; i++) await coll.findOne({ sku: `sku-${(i * 7919) % DOCS}` }, { hint: { $natural: 1 } });
      }),
    );
    const aggs = 5;
    rows.push(
      await timed(`${label}: aggregate $group over 100,000 docs`, aggs, async () => {
        for (let i = 0; i < aggs; i++) {
          await coll.aggregate([{ $group: { _id: '$category', n: { $sum: 1 }, avg: { $avg: '$price' } } }, { $sort: { n: -1 } }]).toArray();
        }
      }),
    );
  } finally {
    await client.close();
    await server.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-bench-db-'));
  try {
    const rows = [...(await run('memory', undefined)), ...(await run('dbPath', dir))];
    const ratio = (label: string): number => {
      const idx = rows.find((r) => r.name === `${label}: findOne by unique indexed field`)!;
      const scan = rows.find((r) => r.name === `${label}: same findOne as a full scan (hint $natural)`)!;
      return scan.msPerOp / idx.msPerOp;
    };
    console.log('\nembedded MongoDB benchmark (100,000 documents)\n');
    console.log('operation'.padEnd(62) + 'ops'.padStart(8) + 'ops/s'.padStart(12) + 'ms/op'.padStart(10));
    for (const r of rows) {
      console.log(r.name.padEnd(62) + String(r.ops).padStart(8) + r.opsPerSec.toFixed(0).padStart(12) + r.msPerOp.toFixed(3).padStart(10));
    }
    const summary = { indexSpeedupMemory: ratio('memory'), indexSpeedupDbPath: ratio('dbPath') };
    console.log(
      `\nindexed findOne vs full scan of the same collection: ${summary.indexSpeedupMemory.toFixed(0)}x faster (memory), ${summary.indexSpeedupDbPath.toFixed(0)}x faster (dbPath)`,
    );
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      path.join('bench-results', 'db.json'),
      JSON.stringify({ when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rows, summary }, null, 2),
    );
    console.log('written to bench-results/db.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
