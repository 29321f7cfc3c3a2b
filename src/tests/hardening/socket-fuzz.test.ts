/**
 * Hardening (Socket.io): whatever a signed-in client emits (under the server's event names, the
 * reserved ones or random ones, with any arguments) and whatever raw Engine.IO frames reach the
 * server, no exception escapes to the process and the server keeps serving: /ready answers 200 and
 * a fresh client still gets a message:new sent to its company room.
 *
 * An exception thrown by a listener escapes Socket.io as an uncaught exception, which the real
 * process answers by shutting down (server.ts, and ./socket-process.test.ts); here every test
 * records what reaches the process and fails on it.
 */
import fc from 'fast-check';
import request from 'supertest';
import { newObjectId } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { useRealtimeServer, type ClientSocket, type RawSocket, type RealtimeServer } from '../socket/support';
import { engineFrame, socketArgs } from './arbitraries';
import { openRaw, rawAnswersOrDrops } from './engineio';
import { budget, describeError, expectServing, FUZZ_ENV, recordEscapes, signedInCompany, STALL_MS, type Escapes } from './support';

useTestDatabase();

let server: RealtimeServer;
let company: Awaited<ReturnType<typeof signedInCompany>>;
let escapes: Escapes;

useRealtimeServer((s) => (server = s), FUZZ_ENV);
beforeEach(async () => {
  company = await signedInCompany(server.config);
  escapes = recordEscapes();
});
afterEach(() => {
  escapes.stop();
  expect(escapes.errors.map(describeError)).toEqual([]);
});

/** Names a client can send that mean something to Socket.io or to Node's EventEmitter. */
const RESERVED = ['error', 'disconnect', 'disconnecting', 'connect', 'connect_error', 'newListener', 'removeListener'];
/** socket.io-client refuses to emit these, so they go out as raw packets; the server's parser then drops the connection. */
const REFUSED_BY_PARSER = new Set(RESERVED.filter((n) => n !== 'error'));

/** The event names the server listens to on a connection, read from the server side of it. */
function handledEvents(client: ClientSocket): string[] {
  const socket = server.sockets.io.of('/').sockets.get(client.id!);
  if (!socket) throw new Error('the server does not know this connection');
  return socket.eventNames().filter((n): n is string => typeof n === 'string');
}

function emit(client: ClientSocket, name: string, args: unknown[], raw: boolean): void {
  // An Engine.IO message ('4' added by write()) carrying a Socket.IO event ('2').
  if (raw || REFUSED_BY_PARSER.has(name)) client.io.engine.write(`2${JSON.stringify([name, ...args])}`);
  else (client as unknown as RawSocket).emit(name, ...args);
}

/** Whether the server still answers this connection (an acked request after the emit) or dropped it; a stall throws. */
function answersOrDrops(client: ClientSocket): Promise<'answered' | 'dropped'> {
  if (!client.connected) return Promise.resolve('dropped');
  return new Promise((resolve, reject) => {
    const done = (outcome: 'answered' | 'dropped'): void => {
      clearTimeout(timer);
      client.off('disconnect', dropped);
      resolve(outcome);
    };
    const dropped = (): void => done('dropped');
    const timer = setTimeout(() => reject(new Error(`no answer within ${STALL_MS} ms`)), STALL_MS);
    client.once('disconnect', dropped);
    client.emit('conversation:leave', { conversationId: newObjectId() }, () => done('answered'));
  });
}

/** Fails the run (so that fast-check reports it with its seed) on what escaped since `seen` errors were recorded. */
function throwIfEscaped(seen: number): void {
  const escaped = escapes.errors.slice(seen);
  if (escaped.length > 0) throw new Error(`escaped to the process: ${escaped.map(describeError).join('; ')}`);
}

test('when the handled events are read from a connection, then they include every client event of the contract', async () => {
  const client = await server.connect(company.token);
  expect(handledEvents(client)).toEqual(
    expect.arrayContaining(['conversation:join', 'conversation:leave', 'typing:start', 'typing:stop', 'message:read']),
  );
});

test.each([
  ['null', [null]],
  ['no argument', []],
  ['a string', ['boom']],
  ['an object without a message', [{ code: 1 }]],
])("when a signed-in client emits 'error' with %s, then nothing escapes and the same connection still answers", async (_what, args) => {
  const client = await server.connect(company.token);
  emit(client, 'error', args, false);
  expect(await answersOrDrops(client)).toBe('answered');
  expect(escapes.errors.map(describeError)).toEqual([]);
});

test('when a signed-in client emits random arguments under handled, reserved and random event names, then nothing escapes and the server keeps serving', async () => {
  let client = await server.connect(company.token);
  const names = fc.oneof(
    fc.constantFrom(...handledEvents(client)),
    fc.constantFrom(...RESERVED),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  );
  await fc.assert(
    fc.asyncProperty(names, socketArgs(company.planted), fc.boolean(), async (name, args, raw) => {
      if (!client.connected) client = await server.connect(company.token);
      const seen = escapes.errors.length;
      emit(client, name, args, raw);
      const outcome = await answersOrDrops(client);
      throwIfEscaped(seen);
      // Only a packet that breaks the protocol may cost the client its connection.
      if (outcome === 'dropped' && !REFUSED_BY_PARSER.has(name)) throw new Error(`the server dropped the connection after '${name}'`);
    }),
    budget(120, 8000),
  );
  await expectServing(server, company);
});

/** Frames that break Engine.IO or Socket.IO in known ways, sent on a signed-in connection. */
const MALFORMED_FRAMES: (string | Buffer)[] = [
  '',
  '4',
  '42',
  '42[',
  '42[]',
  '42{}',
  '42"conversation:join"',
  '42[null]',
  '42[1,2]',
  '42[{}]',
  '42["error"]',
  '42["error",null]',
  '42["error",{"message":{"toString":1}}]',
  '42["disconnect"]',
  '42["__proto__",{}]',
  '42["constructor"]',
  '42["hasOwnProperty","x"]',
  '4299999999999999999999["conversation:leave",{}]',
  '421["conversation:join",{"conversationId":{"$ne":null}}]',
  '43["x"]',
  '431[]',
  '44"boom"',
  '41',
  '40',
  '40/admin,{}',
  '42/admin,["x"]',
  '45',
  '451-["x",{"_placeholder":true,"num":0}]',
  '451-["x",{"_placeholder":true,"num":7}]',
  '4999999-["x"]',
  '46-',
  `42${'['.repeat(50_000)}`,
  `42["conversation:join",${JSON.stringify('x'.repeat(900_000))}]`,
  `4${'x'.repeat(1_100_000)}`,
  '1',
  '2',
  '3',
  '5',
  '6',
  '9',
  'x',
  Buffer.from([0xff, 0x00, 0x42]),
  Buffer.alloc(0),
];

test('when raw malformed Engine.IO and Socket.IO frames arrive on signed-in websockets, then nothing escapes and the server keeps serving', async () => {
  const sendOne = async (frame: string | Buffer, connect: boolean): Promise<void> => {
    const seen = escapes.errors.length;
    const raw = await openRaw(server.url, company.token, connect);
    try {
      raw.ws.send(frame);
      await rawAnswersOrDrops(raw);
    } finally {
      raw.close();
    }
    throwIfEscaped(seen);
  };
  const failures: string[] = [];
  for (const frame of MALFORMED_FRAMES) {
    await sendOne(frame, true).catch((err: unknown) =>
      failures.push(`${JSON.stringify(String(frame).slice(0, 60))}: ${describeError(err)}`),
    );
  }
  expect(failures).toEqual([]);
  // Random frames, on connections signed in to the namespace or still before it.
  await fc.assert(fc.asyncProperty(engineFrame, fc.boolean(), sendOne), budget(60, 6000));
  await expectServing(server, company);
});

test('when the HTTP long-polling transport gets unknown sessions, versions and garbage, then it answers below 500 and the server keeps serving', async () => {
  const http = request(server.url);
  const session = async (): Promise<string> => {
    const open = await http.get('/socket.io/?EIO=4&transport=polling');
    return `/socket.io/?EIO=4&transport=polling&sid=${(JSON.parse(open.text.slice(1)) as { sid: string }).sid}`;
  };
  /**
   * Garbage into a live session, with a poll already waiting so that the server can deliver its
   * close at once (without one, a session closed by a parse error keeps a 30 s timer), then a close.
   */
  const garbageInto = async (body: string) => {
    const path = await session();
    const poll = http
      .get(path)
      .timeout(STALL_MS)
      .then((res) => res); // then() sends it now
    await new Promise((r) => setTimeout(r, 100));
    const posted = await http.post(path).set('Content-Type', 'text/plain').send(body);
    const closed = await http.post(path).set('Content-Type', 'text/plain').send('1');
    return [posted, closed, await poll];
  };
  const answers = [
    await http.get('/socket.io/?EIO=4&transport=polling&sid=nope'),
    await http.post('/socket.io/?EIO=4&transport=polling&sid=nope').send('4garbage'),
    await http.get('/socket.io/?EIO=3&transport=polling'),
    await http.get('/socket.io/?EIO=4&transport=carrier-pigeon'),
    await http.get('/socket.io/?EIO=4&transport=websocket'),
    await http.post('/socket.io/?EIO=4&transport=polling').send('garbage'),
    ...(await garbageInto('\u001e\u001e4garbage\u001e42["error",null')),
    ...(await garbageInto('x'.repeat(1_200_000))),
  ];
  expect(answers.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.text}`)).toEqual([]);
  expect(escapes.errors.map(describeError)).toEqual([]);
  await expectServing(server, company);
});
