/** The Redis connection never holds up the process: not at start when Redis is down, not at shutdown. */
import { connectRedis } from '../../config/redis';
import { freePort } from './httpSupport';

test('when Redis is down, then connecting returns within its bound, nothing is ready, and closing does not wait for it', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const started = Date.now();
  const redis = await connectRedis(url, 'petbuddy-test:');
  expect(Date.now() - started).toBeLessThan(4000);
  expect(redis.isReady()).toBe(false);
  expect(await redis.ping(200)).toBe(false);
  const closing = Date.now();
  await redis.close();
  expect(Date.now() - closing).toBeLessThan(1500);
});
