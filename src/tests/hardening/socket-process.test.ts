/**
 * Hardening (the real process): server.ts started as `npm start` runs it, on the embedded
 * database. An exception that escapes a Socket.io listener is an uncaught exception there, and the
 * process shuts down on one; so what any signed-in client can emit must never throw out of a listener.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { registerBody } from '../accounts/support';
import { newObjectId } from '../factories/accounts';
import { killAllChildren, runTs } from '../helpers/process';
import { connected, openClient } from '../socket/support';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-hardening-'));

afterAll(() => {
  killAllChildren();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("when a signed-in client of the real process emits 'error' with null and with no argument, then the process keeps running and /ready answers 200", async () => {
  const child = runTs('server.ts', {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
  });
  const url = (await child.waitFor(/PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  const registered = await request(url).post('/api/v1/auth/register-manager').send(registerBody());
  expect(registered.status).toBe(201);

  const socket = openClient(url, { token: (registered.body as { accessToken: string }).accessToken });
  const client = await connected(socket);
  try {
    socket.emit('error', null);
    socket.emit('error');
    // The server handles one connection's packets in order: once this is answered, both were handled.
    const answered = await client
      .timeout(3000)
      .emitWithAck('conversation:leave', { conversationId: newObjectId() })
      .then(
        () => true,
        () => false,
      );
    const ready = await request(url)
      .get('/ready')
      .then(
        (res) => res.status,
        () => 'no answer',
      );
    const uncaught = /uncaught exception/i.test(child.output());
    expect({ answered, ready, exitCode: child.proc.exitCode, uncaught }).toEqual({
      answered: true,
      ready: 200,
      exitCode: null,
      uncaught: false,
    });
  } finally {
    socket.close();
  }
}, 60_000);
