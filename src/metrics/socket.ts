/**
 * Socket.io metrics: connected clients (petbuddy_socket_connections) and every event sent to a
 * client (petbuddy_socket_events_sent_total{event}), whether a service published it through
 * src/socket/realtime.ts or a handler broadcast it (typing, read receipts). Event names are the
 * server's own, a fixed set.
 */
import type { Socket } from 'socket.io';
import { appMetrics } from './families';
import { safely } from './registry';

/** Counts a connection from now until it disconnects, and the events sent to it. */
export function countSocket(socket: Socket): void {
  safely('petbuddy_socket_connections', () => {
    const m = appMetrics();
    m.socketConnections.inc();
    socket.once('disconnect', () => safely('petbuddy_socket_connections', () => m.socketConnections.dec()));
    socket.onAnyOutgoing((event: string) => safely('petbuddy_socket_events_sent_total', () => m.socketEvents.inc({ event })));
  });
}
