/**
 * The benchmark's baseline: bare Express and the same MongoDB driver, one insert per request.
 * What POST /api/v1/messages is compared against.
 */
import express from 'express';
import { MongoClient } from 'mongodb';
import { benchEnv } from './env';

async function main(): Promise<void> {
  const { mongoUri, port } = benchEnv();
  const client = new MongoClient(mongoUri, { maxPoolSize: 10 });
  await client.connect();
  const coll = client.db().collection('baseline_messages');
  const app = express();
  app.use(express.json());
  app.post('/messages', (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const now = new Date();
    coll
      .insertOne({ ...body, created_at: now, updated_at: now })
      .then((r) => res.status(201).json({ message: 'Message created successfully', messageData: { _id: r.insertedId, ...body } }))
      .catch(next);
  });
  const server = app.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`baseline listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void client.close().then(() => process.exit(0));
  });
}

void main();
