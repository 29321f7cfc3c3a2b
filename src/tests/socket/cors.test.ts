/**
 * CORS of the Socket.io polling transport (B-18): the same allow-list as REST (CORS_ORIGINS plus
 * FRONTEND_URL), not a single origin.
 */
import request from 'supertest';
import { useTestDatabase } from '../helpers/database';
import { useRealtimeServer, type RealtimeServer } from './support';

useTestDatabase();

const APP = 'https://app.petbuddy.example';
const ADMIN = 'https://admin.petbuddy.example';
const FRONTEND = 'https://dashboard.petbuddy.example';
const EVIL = 'https://evil.example';

let server: RealtimeServer;

useRealtimeServer((s) => (server = s), { CORS_ORIGINS: `${APP}, ${ADMIN}`, FRONTEND_URL: FRONTEND });

const handshake = (origin: string) =>
  request(server.url).get('/socket.io/').query({ EIO: '4', transport: 'polling' }).set('Origin', origin);

describe('polling handshake', () => {
  test.each([APP, ADMIN, FRONTEND])(
    'when the Origin is %s (on the allow-list), then the handshake reflects it with credentials',
    async (origin) => {
      const res = await handshake(origin);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^0\{"sid":"/);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    },
  );

  test('when the Origin is not on the allow-list, then the handshake carries no access-control-allow-origin', async () => {
    const res = await handshake(EVIL);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when a browser preflights a polling POST from an allowed Origin, then it is allowed; from another Origin, then it is not', async () => {
    const preflight = (origin: string) =>
      request(server.url)
        .options('/socket.io/')
        .query({ EIO: '4', transport: 'polling' })
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST');
    const allowed = await preflight(ADMIN);
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe(ADMIN);
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    const refused = await preflight(EVIL);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});

test('when REST and the socket server are asked about the same origins, then they agree', async () => {
  for (const origin of [APP, ADMIN, FRONTEND, EVIL, 'http://localhost:3000']) {
    const rest = await request(server.url).get('/health').set('Origin', origin);
    const socket = await handshake(origin);
    expect({ origin, socket: socket.headers['access-control-allow-origin'] }).toEqual({
      origin,
      socket: rest.headers['access-control-allow-origin'],
    });
  }
});
