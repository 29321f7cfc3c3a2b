/**
 * The benchmark's baseline: bare Express and the same MongoDB driver, one insert per request of
 * the same message document into the same `messages` collection (so the database does the same
 * index work). What POST /api/v1/messages is compared against.
 */
import express from 'express';
import { MongoClient, ObjectId } from 'mongodb';
import { benchEnv } from './env';

async function main(): Promise<void> {
  const { mongoUri, port } = benchEnv();
  const client = new MongoClient(mongoUri, { maxPoolSize: 10 });
  await client.connect();
  const coll = client.db().collection('messages');
  const app = express();
  app.use(express.json());
  app.post('/messages', (req, res, next) => {
    const body = req.body as Record<string, string>;
    const now = new Date();
    const doc = {
      company_id: new ObjectId(body.company_id),
      contact_id: new ObjectId(body.contact_id),
      role: body.role,
      platform: body.platform,
      content: body.content ?? '',
      attachments: [],
      direction: body.direction,
      delivered: false,
      read: false,
      created_at: now,
      updated_at: now,
      __v: 0,
    };
    coll
      .insertOne(doc)
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
