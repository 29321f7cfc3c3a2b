/** Readiness follows the database: 503 while MongoDB is stopped or shutdown has begun; /health stays 200. */
import mongoose from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../embedded-mongo';
import { createReadiness } from '../../services/health.service';
import { testConfig } from '../helpers/config';

// Its own database server, so the test can stop it (the shared one must keep running).
let server: EmbeddedMongo | undefined;

afterAll(async () => {
  await mongoose.disconnect();
  await server?.stop();
});

test('when the database stops, then /ready turns 503 while /health stays 200', async () => {
  server = await startEmbeddedMongo();
  await mongoose.connect(`${server.uri}readiness`, { serverSelectionTimeoutMS: 1000 });
  const readiness = createReadiness();
  const app = buildApp({ config: testConfig(), readiness });

  expect((await request(app).get('/ready')).status).toBe(200);

  await server.stop();
  const down = await request(app).get('/ready');
  expect(down.status).toBe(503);
  expect(down.body).toMatchObject({ status: 'not_ready', database: 'down' });
  expect((await request(app).get('/health')).status).toBe(200);
}, 20_000);

test('when a shutdown begins while the database answers, then /ready turns 503 naming the shutdown', async () => {
  const readiness = createReadiness(async () => true);
  const app = buildApp({ config: testConfig(), readiness });
  expect((await request(app).get('/ready')).status).toBe(200);

  readiness.beginShutdown();
  const closing = await request(app).get('/ready');
  expect(closing.status).toBe(503);
  expect(closing.body.shuttingDown).toBe(true);
  expect((await request(app).get('/health')).status).toBe(200);
});
