/**
 * Appointment events on a real Socket.io server: once per change, to the company's sockets only,
 * with the customer's phone and email for managers and receptionists and without them for
 * groomers (S-8).
 */
import request from 'supertest';
import { record, useRealtimeServer, waitUntil, type RealtimeServer } from '../../socket/support';
import { useTestDatabase } from '../../helpers/database';
import { auth, bookingBody, createSalon, nextWeekday } from '../support';

useTestDatabase();
let server: RealtimeServer;
useRealtimeServer((s) => (server = s));

it('sends one appointment:created per booking; groomers get it without the customer contact details', async () => {
  const salon = await createSalon(server.config);
  const outsider = await createSalon(server.config);
  const [manager, groomer, stranger] = await Promise.all([
    server.connect(salon.manager.token),
    server.connect(salon.groomers[0]!.token),
    server.connect(outsider.manager.token),
  ]);
  const seen = {
    manager: record(manager, 'appointment:created'),
    groomer: record(groomer, 'appointment:created'),
    stranger: record(stranger, 'appointment:created'),
  };
  const res = await request(server.url)
    .post('/api/v1/appointments')
    .set(auth(salon.receptionist))
    .send(bookingBody(salon, `${nextWeekday(1)}T10:00:00.000Z`));
  expect(res.status).toBe(201);
  await waitUntil(() => seen.manager.length > 0 && seen.groomer.length > 0, 'both audiences receive the event');
  await new Promise((r) => setTimeout(r, 100));
  expect(seen.manager).toHaveLength(1);
  expect(seen.groomer).toHaveLength(1);
  expect(seen.stranger).toHaveLength(0);
  const full = seen.manager[0]!.appointment as { customerId: Record<string, unknown> };
  const limited = seen.groomer[0]!.appointment as { _id: string; customerId: Record<string, unknown> };
  expect(full.customerId).toMatchObject({ fullName: expect.any(String), phone: '+15550000000', email: expect.any(String) });
  expect(limited._id).toBe(res.body.appointment._id);
  expect(limited.customerId.fullName).toBe(full.customerId.fullName);
  expect(limited.customerId).not.toHaveProperty('phone');
  expect(limited.customerId).not.toHaveProperty('email');
});
