/** Socket.io handshake authentication (contract §2.2): which connect_error a dashboard sees, and when it connects. */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { User } from '../../models/User';
import { createTokenService } from '../../services/token.service';
import { accessTokenFor, companyWithStaff, createStaff, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { record, settle, useRealtimeServer, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;
let co: Awaited<ReturnType<typeof companyWithStaff>>;

useRealtimeServer((s) => (server = s));
beforeEach(async () => {
  co = await companyWithStaff(server.config);
});

describe('missing token', () => {
  test('when the handshake carries no auth at all, then connect_error says "Authentication required"', async () => {
    expect(await server.connectError({})).toBe('Authentication required');
  });

  test('when auth.token is empty or not a string, then connect_error says "Authentication required"', async () => {
    expect(await server.connectError({ token: '' })).toBe('Authentication required');
    expect(await server.connectError({ token: 12345 })).toBe('Authentication required');
    expect(await server.connectError({ token: { userId: String(co.users.manager.userId) } })).toBe('Authentication required');
  });
});

describe('bad tokens', () => {
  const userId = () => String(co.users.manager.userId);

  test('when the token is garbage, then connect_error says "Invalid token"', async () => {
    expect(await server.connectError({ token: 'not-a-jwt' })).toBe('Invalid token');
    expect(await server.connectError({ token: 'a.b.c' })).toBe('Invalid token');
  });

  test('when the token is signed with another secret, then connect_error says "Invalid token"', async () => {
    const foreign = accessTokenFor(testConfig(), co.users.manager.userId);
    expect(await server.connectError({ token: foreign })).toBe('Invalid token');
  });

  test('when the token has expired, then connect_error says "Invalid token"', async () => {
    const expired = jwt.sign({ userId: userId(), exp: Math.floor(Date.now() / 1000) - 60 }, server.config.jwt.accessSecret, {
      algorithm: 'HS256',
    });
    expect(await server.connectError({ token: expired })).toBe('Invalid token');
  });

  test('when the token is unsigned (alg none) or a refresh token, then connect_error says "Invalid token"', async () => {
    const unsigned = jwt.sign({ userId: userId() }, '', { algorithm: 'none' });
    const refresh = createTokenService(server.config).signRefresh(userId(), 'family-1').token;
    expect(await server.connectError({ token: unsigned })).toBe('Invalid token');
    expect(await server.connectError({ token: refresh })).toBe('Invalid token');
  });
});

describe('users who may not connect', () => {
  test('when the user is inactive, then connect_error says "Unauthorized"', async () => {
    const inactive = await createStaff(co.companyId, 'receptionist', { isActive: false });
    expect(await server.connectError({ token: accessTokenFor(server.config, inactive.userId) })).toBe('Unauthorized');
  });

  test('when the user has been deleted, then connect_error says "Unauthorized"', async () => {
    const token = co.users.receptionist.token;
    await User.deleteOne({ _id: co.users.receptionist.userId, companyId: co.companyId });
    expect(await server.connectError({ token })).toBe('Unauthorized');
  });

  test('when the token names a user id that never existed, then connect_error says "Unauthorized"', async () => {
    const token = jwt.sign({ userId: newObjectId() }, server.config.jwt.accessSecret, { algorithm: 'HS256', expiresIn: 60 });
    expect(await server.connectError({ token })).toBe('Unauthorized');
  });
});

describe('valid token', () => {
  test("when an active user presents a valid access token, then the socket connects and gets its company's events", async () => {
    const socket = await server.connect(co.users.manager.token);
    expect(socket.connected).toBe(true);
    const received = record(socket, 'message:new');
    const conversationId = newObjectId();
    const res = await request(server.url)
      .post('/api/v1/socket/emit-message-internal')
      .set('x-api-key', server.config.internalApiKey)
      .send({
        companyId: String(co.companyId),
        conversationId,
        message: { id: newObjectId(), contactId: conversationId, direction: 'inbound' },
      });
    expect(res.status).toBe(200);
    await settle(socket);
    expect(received).toEqual([expect.objectContaining({ conversationId })]);
  });
});
