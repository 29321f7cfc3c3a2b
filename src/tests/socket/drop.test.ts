/**
 * Connections do not outlive their authorisation (S-8): an expired access token or an inactive or
 * deleted user is dropped by the sweep within a bounded time, and deactivating or deleting a user
 * through the staff API drops their sockets at once.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { User } from '../../models/User';
import { accessTokenFor, bearer, companyWithStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { disconnected, settle, startRealtimeServer, type RealtimeServer } from './support';

useTestDatabase();

type Co = Awaited<ReturnType<typeof companyWithStaff>>;

/** An access token valid for ten minutes, whatever ACCESS_TOKEN_TTL says. */
const longLived = (server: RealtimeServer, userId: unknown) =>
  jwt.sign({ userId: String(userId) }, server.config.jwt.accessSecret, { algorithm: 'HS256', expiresIn: 600 });

describe('the sweep (every 200 ms, access tokens of 2 s)', () => {
  let server: RealtimeServer;
  let co: Co;

  beforeAll(async () => {
    server = await startRealtimeServer({ SOCKET_AUTH_SWEEP_MS: '200', ACCESS_TOKEN_TTL: '2s' });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    co = await companyWithStaff(server.config);
  });
  afterEach(() => {
    server.closeClients();
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
    expect(droppedAt - expiresAt).toBeLessThan(1500);
    await settle(survivor);
    expect(survivor.connected).toBe(true);
  });

  test('when a connected user is deactivated in the database, then the sweep disconnects their socket within a bounded time', async () => {
    const victim = await server.connect(longLived(server, co.users.groomer.userId));
    const colleague = await server.connect(longLived(server, co.users.manager.userId));
    const started = Date.now();
    await User.updateOne({ _id: co.users.groomer.userId, companyId: co.companyId }, { $set: { isActive: false } });

    expect(await disconnected(victim, 5000)).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(2000);
    await settle(colleague);
    expect(colleague.connected).toBe(true);
  });

  test('when a connected user is deleted from the database, then the sweep disconnects their socket within a bounded time', async () => {
    const victim = await server.connect(longLived(server, co.users.trainer.userId));
    const colleague = await server.connect(longLived(server, co.users.manager.userId));
    const started = Date.now();
    await User.deleteOne({ _id: co.users.trainer.userId, companyId: co.companyId });

    expect(await disconnected(victim, 5000)).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(2000);
    await settle(colleague);
    expect(colleague.connected).toBe(true);
  });

  test('when a connected user’s password is changed in the database, then the sweep disconnects sockets opened before the change', async () => {
    const minuteAgo = Math.floor(Date.now() / 1000) - 60;
    const old = jwt.sign({ userId: String(co.users.vet_technician.userId), iat: minuteAgo }, server.config.jwt.accessSecret, {
      algorithm: 'HS256',
      expiresIn: 600,
    });
    const victim = await server.connect(old);
    const colleague = await server.connect(longLived(server, co.users.manager.userId));
    await User.updateOne({ _id: co.users.vet_technician.userId, companyId: co.companyId }, { $set: { passwordChangedAt: new Date() } });

    expect(await disconnected(victim, 5000)).toBe('io server disconnect');
    await settle(colleague);
    expect(colleague.connected).toBe(true);
  });

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

  beforeAll(async () => {
    server = await startRealtimeServer({ SOCKET_AUTH_SWEEP_MS: '3600000' });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    co = await companyWithStaff(server.config);
  });
  afterEach(() => {
    server.closeClients();
  });

  const staff = (id: unknown) => `/api/v1/catalog/staff/${String(id)}`;

  test('when a manager deactivates a user, then every socket of that user is disconnected promptly and other users stay connected', async () => {
    const tabs = await Promise.all([server.connect(co.users.receptionist.token), server.connect(co.users.receptionist.token)]);
    const manager = await server.connect(co.users.manager.token);
    const drops = tabs.map((t) => disconnected(t, 1000));

    const res = await request(server.url)
      .put(staff(co.users.receptionist.userId))
      .set(bearer(co.users.manager.token))
      .send({ isActive: false });
    expect(res.status).toBe(200);
    expect(await Promise.all(drops)).toEqual(['io server disconnect', 'io server disconnect']);
    await settle(manager);
    expect(manager.connected).toBe(true);
    expect(await server.connectError({ token: co.users.receptionist.token })).toBe('Unauthorized');
  });

  test('when a manager deletes a user, then every socket of that user is disconnected promptly and other users stay connected', async () => {
    const tabs = await Promise.all([server.connect(co.users.groomer.token), server.connect(co.users.groomer.token)]);
    const colleague = await server.connect(co.users.receptionist.token);
    const drops = tabs.map((t) => disconnected(t, 1000));

    const res = await request(server.url).delete(staff(co.users.groomer.userId)).set(bearer(co.users.manager.token));
    expect(res.status).toBe(200);
    expect(await Promise.all(drops)).toEqual(['io server disconnect', 'io server disconnect']);
    await settle(colleague);
    expect(colleague.connected).toBe(true);
    expect(await server.connectError({ token: co.users.groomer.token })).toBe('Unauthorized');
  });

  test('when a manager changes a user’s password, then every socket of that user is disconnected promptly and other users stay connected', async () => {
    const tabs = await Promise.all([server.connect(co.users.trainer.token), server.connect(co.users.trainer.token)]);
    const colleague = await server.connect(co.users.receptionist.token);
    const drops = tabs.map((t) => disconnected(t, 1000));

    const res = await request(server.url)
      .put(staff(co.users.trainer.userId))
      .set(bearer(co.users.manager.token))
      .send({ password: 'Fresh1Password' });
    expect(res.status).toBe(200);
    expect(await Promise.all(drops)).toEqual(['io server disconnect', 'io server disconnect']);
    await settle(colleague);
    expect(colleague.connected).toBe(true);
  });

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
