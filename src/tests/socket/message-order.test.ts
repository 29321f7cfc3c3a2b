/**
 * B-25: the tab that sends an operator message must learn the message's real id from the 201
 * before the `message:new` it causes arrives, or the dashboard shows the reply twice. The same
 * holds for a message the Meta Bot hands over (the event follows the 201/200 answer).
 */
import { request as httpRequest } from 'node:http';
import { companyWithStaff } from '../factories/accounts';
import { createContact } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { record, useRealtimeServer, waitUntil, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;
useRealtimeServer((s) => (server = s));

/** POSTs JSON and notes, in `order`, when the response status arrived. */
function post(path: string, headers: Record<string, string>, body: unknown, order: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(
      `${server.url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        order.push(`response ${res.statusCode}`);
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

test('when an operator sends a message, then the sending tab receives the 201 before message:new, with the same id', async () => {
  const co = await companyWithStaff(server.config);
  const contact = await createContact(co.companyId);
  const tab = await server.connect(co.users.manager.token);
  for (let i = 0; i < 10; i++) {
    const order: string[] = [];
    const events = record(tab, 'message:new');
    tab.once('message:new', () => order.push('message:new'));
    const res = await post(
      '/api/v1/messages',
      { authorization: `Bearer ${co.users.manager.token}` },
      {
        company_id: String(co.companyId),
        contact_id: String(contact._id),
        role: 'operator',
        platform: 'web',
        content: `reply ${i}`,
        direction: 'outbound',
      },
      order,
    );
    await waitUntil(() => events.length === 1, 'message:new');
    expect(order).toEqual(['response 201', 'message:new']);
    expect(events[0]?.message.id).toBe((JSON.parse(res.body) as { messageData: { _id: string } }).messageData._id);
    tab.off('message:new');
  }
});

test('when the Meta Bot ingests a message, then message:new follows the 201', async () => {
  const co = await companyWithStaff(server.config);
  const tab = await server.connect(co.users.receptionist.token);
  const order: string[] = [];
  const events = record(tab, 'message:new');
  tab.once('message:new', () => order.push('message:new'));
  await post(
    '/api/v1/internal/messages',
    { 'x-api-key': server.config.internalApiKey },
    { company_id: String(co.companyId), platform: 'instagram', external_message_id: 'mid-1', customer_social_id: 'IG-9', content: 'hi' },
    order,
  );
  await waitUntil(() => events.length === 1, 'message:new');
  expect(order).toEqual(['response 201', 'message:new']);
});
