/**
 * Connections do not outlive their authorisation (S-8): an expired access token, or a user who is
 * inactive, deleted or has a new password, is dropped by the sweep within a bounded time (the wait
 * gives up after 5 s), and the same changes made through the staff API drop their sockets at once.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { User } from '../../models/User';
import { accessTokenFor, bearer, companyWithStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { disconnected, settle, useRealtimeServer, type RealtimeServer } from './support';

useTestDatabase();

type Co = Awaited<ReturnType<typeof companyWithStaff>>;

/** An access token valid for ten minutes, whatever ACCESS_TOKEN_TTL says (issued at `iat`, default now). */
const longLived = (server: RealtimeServer, userId: unknown, iat = Math.floor(Date.now() / 1000)) =>
  jwt.sign({ userId: String(userId), iat }, server.config.jwt.accessSecret, { algorithm: 'HS256', expiresIn: 600 });

describe('the sweep (every 200 ms, access tokens of 2 s)', () => {
  let server: RealtimeServer;
  let co: Co;

  useRealtimeServer((s) => (server = s), { SOCKET_AUTH_SWEEP_MS: '200', ACCESS_TOKEN_TTL: '2s' });
  beforeEach(async () => {
    co = await companyWithStaff(server.config);
  });

  test('when the access token of a connected socket expires, then the server disconnects it shortly after the expiry, and a socket with a valid token stays', async () => {
    const token = accessTokenFor(server.config, co.users.manager.userId);
    const expiresAt = (jwt.decode(token) as { exp: number }).exp * 1000;
    const expiring = await server.connect(token);
    const survivor = await server.connect(longLived(server, co.users.receptionist.userId));

    const reason = await disconnected(expiring, 5000);
    const droppedAt = Date.now();
    expect(reason).toBe('io server disconnect');
    expect(droppedAt).toBeGreaterThanOrEqual(expiresAt);
    await settle(survivor);
    expect(survivor.connected).toBe(true);
  });

  // Each change is made straight in the database (as another process or a script would), to a
  // user whose socket was opened with a token issued a minute earlier.
  test.each<[string, (co: Co) => Promise<unknown>]>([
    ['deactivated', (c) => User.updateOne({ _id: c.users.groomer.userId, companyId: c.companyId }, { $set: { isActive: false } })],
    ['deleted', (c) => User.deleteOne({ _id: c.users.groomer.userId, companyId: c.companyId })],
    [
      'given a new password',
      (c) => User.updateOne({ _id: c.users.groomer.userId, companyId: c.companyId }, { $set: { passwordChangedAt: new Date() } }),
    ],
  ])(
    'when a connected user is %s in the database, then the sweep disconnects their socket within a bounded time',
    async (_what, change) => {
      const minuteAgo = Math.floor(Date.now() / 1000) - 60;
      const victim = await server.connect(longLived(server, co.users.groomer.userId, minuteAgo));
      const colleague = await server.connect(longLived(server, co.users.manager.userId));
      await change(co);

      expect(await disconnected(victim, 5000)).toBe('io server disconnect');
      await settle(colleague);
      expect(colleague.connected).toBe(true);
    },
  );

  test('when a dropped socket tries again with its expired token, then the handshake is refused with "Invalid token"', async () => {
    const token = accessTokenFor(server.config, co.users.manager.userId);
    const socket = await server.connect(token);
    await disconnected(socket, 5000);
    expect(await server.connectError({ token })).toBe('Invalid token');
  });
});

describe('the staff API (sweep effectively off, so only the immediate drop can act)', () => {
  let server: RealtimeServer;
  let co: Co;

  useRealtimeServer((s) => (server = s), { SOCKET_AUTH_SWEEP_MS: '3600000' });
  beforeEach(async () => {
    co = await companyWithStaff(server.config);
  });

  const staff = (id: unknown) => `/api/v1/catalog/staff/${String(id)}`;

  type Change = (userId: unknown) => request.Test;
  const put =
    (body: Record<string, unknown>): Change =>
    (id) =>
      request(server.url).put(staff(id)).set(bearer(co.users.manager.token)).send(body);
  const del: Change = (id) => request(server.url).delete(staff(id)).set(bearer(co.users.manager.token));

  // `refused`: whether the user's current token is refused afterwards (a new password leaves the
  // user active, and a token issued within the same second as the change stays valid).
  test.each<[string, () => Change, boolean]>([
    ['deactivates a user', () => put({ isActive: false }), true],
    ['deletes a user', () => del, true],
    ['changes a user’s password', () => put({ password: 'Fresh1Password' }), false],
  ])(
    'when a manager %s, then every socket of that user is disconnected promptly and other users stay connected',
    async (_what, change, refused) => {
      const tabs = await Promise.all([server.connect(co.users.groomer.token), server.connect(co.users.groomer.token)]);
      const colleague = await server.connect(co.users.receptionist.token);
      const drops = tabs.map((t) => disconnected(t, 1000));

      const res = await change()(co.users.groomer.userId);
      expect(res.status).toBe(200);
      expect(await Promise.all(drops)).toEqual(['io server disconnect', 'io server disconnect']);
      await settle(colleague);
      expect(colleague.connected).toBe(true);
      if (refused) expect(await server.connectError({ token: co.users.groomer.token })).toBe('Unauthorized');
    },
  );

  test('when a manager edits a user without deactivating them, then their sockets stay connected', async () => {
    const socket = await server.connect(co.users.receptionist.token);
    const res = await request(server.url)
      .put(staff(co.users.receptionist.userId))
      .set(bearer(co.users.manager.token))
      .send({ fullName: 'Renamed Person' });
    expect(res.status).toBe(200);
    await settle(socket);
    expect(socket.connected).toBe(true);
  });
});
