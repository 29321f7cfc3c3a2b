/**
 * MongoDB pool metrics from the driver's CMAP events: open and in-use connections
 * (petbuddy_db_pool_open_connections, petbuddy_db_pool_in_use_connections) and failed checkouts
 * (petbuddy_db_pool_checkout_failures_total{reason}). Connections are tracked by id rather than
 * counted up and down, so an event missed before the listeners were attached cannot push a gauge
 * below zero, and a connection seen checked out is known to be open.
 */
import type { ConnectionPoolMonitoringEvent, MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { appMetrics } from './families';
import { safely } from './registry';

type ConnectionEvent = ConnectionPoolMonitoringEvent & { connectionId: number | '<monitor>' };

const instrumented = new WeakSet<MongoClient>();
const open = new Set<string>();
const inUse = new Set<string>();
let clients = 0;

/** Attaches the pool listeners to the connection's client (once per client; later calls do nothing). */
export function instrumentPool(connection: Connection): void {
  safely('petbuddy_db_pool', () => attach(connection.getClient()));
}

function attach(client: MongoClient): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  // Connection ids restart at 1 in every pool: keys carry the client and the server address.
  const prefix = `${++clients}/`;
  const key = (e: ConnectionEvent): string => `${prefix}${e.address}/${e.connectionId}`;
  const track = <E extends ConnectionPoolMonitoringEvent>(apply: (e: E) => void) => {
    return (e: E): void =>
      safely('petbuddy_db_pool', () => {
        apply(e);
        const m = appMetrics();
        m.dbOpenConnections.set(open.size);
        m.dbInUseConnections.set(inUse.size);
      });
  };
  client.on(
    'connectionCreated',
    track((e) => open.add(key(e))),
  );
  client.on(
    'connectionCheckedOut',
    track((e) => {
      open.add(key(e));
      inUse.add(key(e));
    }),
  );
  client.on(
    'connectionCheckedIn',
    track((e) => inUse.delete(key(e))),
  );
  client.on(
    'connectionClosed',
    track((e) => {
      open.delete(key(e));
      inUse.delete(key(e));
    }),
  );
  client.on(
    'connectionPoolClosed',
    track((e) => {
      const pool = `${prefix}${e.address}/`;
      for (const set of [open, inUse]) for (const k of set) if (k.startsWith(pool)) set.delete(k);
    }),
  );
  client.on('connectionCheckOutFailed', (e) =>
    safely('petbuddy_db_pool_checkout_failures_total', () => appMetrics().dbCheckoutFailures.inc({ reason: e.reason })),
  );
}
