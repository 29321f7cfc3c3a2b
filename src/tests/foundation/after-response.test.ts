/**
 * afterResponse: the step runs once the answer is written, and also when the client has already
 * gone before the step was registered (a message stored for a client that gave up must still be
 * announced to the other tabs).
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterResponse } from '../../controllers/afterResponse';

let server: Server;
let url: string;
const ran: string[] = [];

beforeAll(async () => {
  const app = express();
  app.post('/slow', (req, res) => {
    // Like a handler whose database write outlives the client: register only after it left.
    req.once('close', () =>
      setTimeout(() => {
        afterResponse(res, () => ran.push('slow'));
        res.json({ ok: true });
      }, 50),
    );
    req.resume();
  });
  app.get('/fast', (_req, res) => {
    afterResponse(res, () => ran.push(`fast after ${res.writableFinished ? 'finish' : 'nothing'}`));
    res.json({ ok: true });
  });
  server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
beforeEach(() => (ran.length = 0));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('when the answer is written, then the step runs after it, once', async () => {
  const res = await fetch(`${url}/fast`);
  expect(res.status).toBe(200);
  await until(() => ran.length > 0);
  await new Promise((r) => setTimeout(r, 50));
  expect(ran).toEqual(['fast after finish']);
});

test('when the client closed the connection before the step was registered, then the step still runs once', async () => {
  const req = request(`${url}/slow`, { method: 'POST', headers: { 'content-length': '2' } });
  req.on('error', () => undefined);
  req.write('{}');
  req.end();
  await new Promise((r) => setTimeout(r, 20));
  req.destroy();
  await until(() => ran.length > 0);
  await new Promise((r) => setTimeout(r, 50));
  expect(ran).toEqual(['slow']);
});
