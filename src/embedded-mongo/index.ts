/**
 * An embedded MongoDB-compatible server: the real MongoDB driver and Mongoose connect to it
 * over TCP with an ordinary mongodb:// URI. Used as the test database and the zero-setup default.
 */
export { startEmbeddedMongo } from './server';
export type { EmbeddedMongo, EmbeddedMongoOptions } from './server';
export { processAlive } from './storage/journal';
