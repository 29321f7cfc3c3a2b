/**
 * Connection state recovery without Redis (one process, Socket.io's in-memory adapter), and the
 * rules PetBuddy adds to it in both modes: missed events only after the handshake authenticated
 * the same access again, and `sync:required` when they cannot be given.
 */
import request from 'supertest';
import { accessTokenFor, bearer, createStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import {
  connected,
  disconnected,
  openClient,
  record,
  settle,
  useRealtimeServer,
  waitUntil,
  type ClientSocket,
  type RealtimeServer,
} from '../socket/support';
import { dashboard, inbox, nextConnect, postMessage, startRelay, type Relay } from './socket-support';

useTestDatabase();

let server: RealtimeServer;
useRealtimeServer((s) => (server = s));

const clients: ClientSocket[] = [];
let relay: Relay | undefined;

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await relay?.close();
  relay = undefined;
});

/** A dashboard through a relay, connected, having received one event (so it holds an offset). */
async function dashboardWithOffset(token: string, co: Awaited<ReturnType<typeof inbox>>) {
  relay = await startRelay(server.url);
  const tab = dashboard(relay.url, token);
  clients.push(tab);
  const events = record(tab, 'message:new');
  const syncs = record(tab, 'sync:required');
  await nextConnect(tab);
  const ids = [await postMessage(server.url, co, 'before the cut')];
  await waitUntil(() => events.length === 1, 'the first message:new');
  return { tab, events, syncs, ids, relay };
}

/** Drops the dashboard's connection and keeps it away until `relay.setTarget(server.url)`. */
async function cutOff(tab: ClientSocket, r: Relay): Promise<void> {
  const gone = disconnected(tab, 5000);
  r.setTarget(undefined);
  r.cut();
  expect(await gone).toBe('transport close');
}

test('when a dashboard of the single process is cut off briefly, then it recovers the events it missed, in order, once', async () => {
  const co = await inbox(server.config);
  const { tab, events, syncs, ids, relay: r } = await dashboardWithOffset(co.token, co);
  await cutOff(tab, r);
  for (let i = 1; i <= 5; i++) ids.push(await postMessage(server.url, co, `missed ${i}`));

  r.setTarget(server.url);
  expect(await nextConnect(tab)).toEqual({ recovered: true });
  await waitUntil(() => events.length >= 6, 'the missed events');
  await settle(tab);
  expect(events.map((e) => e.message.id)).toEqual(ids);
  expect(syncs).toEqual([]);
});

test('when the user is deactivated while their dashboard is away, then its reconnection is refused before any missed event is sent', async () => {
  const co = await inbox(server.config);
  const groomer = await createStaff(co.companyId, 'groomer');
  const { tab, relay: r } = await dashboardWithOffset(accessTokenFor(server.config, groomer.userId), co);
  await cutOff(tab, r);
  const res = await request(server.url)
    .put(`/api/v1/catalog/staff/${String(groomer.userId)}`)
    .set(bearer(co.token))
    .send({ isActive: false });
  expect(res.status).toBe(200);
  await postMessage(server.url, co, 'not for a deactivated user');
  // Every packet the client decodes from now on.
  const packets: { type: number }[] = [];
  tab.io.on('packet', (p: { type: number }) => void packets.push(p));
  const refused = new Promise<string>((resolve) => tab.once('connect_error', (err) => resolve(err.message)));

  r.setTarget(server.url);
  expect(await refused).toBe('Unauthorized');
  // Socket.IO's CONNECT_ERROR (4) alone: no EVENT (2) before it.
  expect(packets.map((p) => p.type)).toEqual([4]);
});

test('when the user’s role changes while their dashboard is away, then it is recovered without the missed events and told to refetch', async () => {
  const co = await inbox(server.config);
  const receptionist = await createStaff(co.companyId, 'receptionist');
  const { tab, events, syncs, ids, relay: r } = await dashboardWithOffset(accessTokenFor(server.config, receptionist.userId), co);
  await cutOff(tab, r);
  const res = await request(server.url)
    .put(`/api/v1/catalog/staff/${String(receptionist.userId)}`)
    .set(bearer(co.token))
    .send({ roles: ['groomer'] });
  expect(res.status).toBe(200);
  await postMessage(server.url, co, 'missed, and not replayed');

  r.setTarget(server.url);
  expect(await nextConnect(tab)).toEqual({ recovered: true });
  await waitUntil(() => syncs.length >= 1, 'sync:required');
  await settle(tab);
  expect(syncs).toEqual([{ reason: 'access_changed' }]);
  expect(events.map((e) => e.message.id)).toEqual(ids);
  // Its rooms are the new role's: company events arrive live again.
  ids.push(await postMessage(server.url, co, 'live'));
  await waitUntil(() => events.length === 2, 'a live event');
  expect(events.map((e) => e.message.id)).toEqual(ids);
});

test('when a client connects for the first time, then it gets no sync:required; when it presents a session the server does not have, then it does', async () => {
  const co = await inbox(server.config);
  const firstClient = openClient(server.url, { token: co.token });
  const unknownClient = openClient(server.url, { token: co.token, pid: 'no-such-session', offset: '0' });
  clients.push(firstClient as ClientSocket, unknownClient as ClientSocket);
  const firstSyncs = record(firstClient as ClientSocket, 'sync:required');
  const unknownSyncs = record(unknownClient as ClientSocket, 'sync:required');
  const [first, unknown] = await Promise.all([connected(firstClient), connected(unknownClient)]);
  await waitUntil(() => unknownSyncs.length >= 1, 'sync:required');
  await settle(first, unknown);
  expect({ first: firstSyncs, unknown: unknownSyncs, recovered: unknown.recovered }).toEqual({
    first: [],
    unknown: [{ reason: 'missed_events_unavailable' }],
    recovered: false,
  });
});
