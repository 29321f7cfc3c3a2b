/**
 * MongoDB wire protocol framing: OP_MSG (body and document-sequence sections, optional
 * checksum) and the legacy OP_QUERY handshake answered with OP_REPLY.
 */
import { deserialize, serialize, Timestamp } from 'bson';
import { fromWire, type Doc } from './values';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

export const HEADER_BYTES = 16;
/** MongoDB's maxMessageSizeBytes. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const FLAG_CHECKSUM = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;
/** Flag bits 0-15 are "required": a receiver must reject ones it does not know. */
const KNOWN_REQUIRED = FLAG_CHECKSUM | FLAG_MORE_TO_COME;

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export class ProtocolError extends Error {}

export function readHeader(buf: Buffer): Header {
  return {
    length: buf.readInt32LE(0),
    requestId: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

function readDoc(buf: Buffer, offset: number, end: number): { doc: Doc; next: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document length');
  const doc = deserialize(buf.subarray(offset, offset + size), { promoteValues: false }) as Doc;
  return { doc: fromWire(doc) as Doc, next: offset + size };
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated string');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

export interface OpMsg {
  body: Doc;
  moreToCome: boolean;
  /**
   * The cluster time a driver gossiped in the usual `$clusterTime` shape, read straight from the
   * bytes (the field is then left out of `body`); any other `$clusterTime` stays in `body`.
   */
  clusterTime?: Timestamp;
}

const CLUSTER_TIME_FIELD = Buffer.from('\x03$clusterTime\x00', 'latin1');
const CLUSTER_TIME = Buffer.from('\x11clusterTime\x00', 'latin1');
const SIGNATURE = Buffer.from('\x03signature\x00', 'latin1');
const HASH = Buffer.from('\x05hash\x00', 'latin1');
const KEY_ID = Buffer.from('keyId\x00', 'latin1');

/** Whether the bytes at `at` are `expected` (a type byte and field name, say): a few bytes, compared here. */
function bytesAt(buf: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/** The end of the C string starting at `at` (its zero byte), or -1 when none before `end`. */
function cStringEnd(buf: Buffer, at: number, end: number): number {
  const zero = buf.indexOf(0, at);
  return zero >= 0 && zero < end ? zero : -1;
}

/** Fixed value sizes by BSON element type; types with a length prefix or C strings are absent. */
const FIXED_SIZE: Record<number, number> = {
  0x01: 8,
  0x06: 0,
  0x07: 12,
  0x08: 1,
  0x09: 8,
  0x0a: 0,
  0x10: 4,
  0x11: 8,
  0x12: 8,
  0x13: 16,
  0xff: 0,
  0x7f: 0,
};

/** The size of the value of a `type` element starting at `at`, or -1 when it is not well formed. */
function valueSize(buf: Buffer, type: number, at: number, end: number): number {
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) return at + fixed <= end ? fixed : -1;
  if (at + 4 > end) return -1;
  const n = buf.readInt32LE(at);
  switch (type) {
    case 0x02:
    case 0x0d:
    case 0x0e: // string, code, symbol: length, bytes, zero
      return n >= 1 && at + 4 + n <= end && buf[at + 3 + n] === 0 ? 4 + n : -1;
    case 0x03:
    case 0x04:
    case 0x0f: // document, array, code with scope
      return n >= 5 && at + n <= end ? n : -1;
    case 0x05: // binary: length, subtype, bytes
      return n >= 0 && at + 5 + n <= end ? 5 + n : -1;
    case 0x0b: {
      // regex: two C strings
      const a = cStringEnd(buf, at, end);
      const b = a < 0 ? -1 : cStringEnd(buf, a + 1, end);
      return b < 0 ? -1 : b + 1 - at;
    }
    case 0x0c: // DBPointer: string, then 12 bytes
      return n >= 1 && at + 16 + n <= end ? 16 + n : -1;
    default:
      return -1;
  }
}

/**
 * Reads `{clusterTime: <timestamp>, signature: {hash: <binData>, keyId: <int>}}` (the shape every
 * driver gossips) at `at`, or undefined for any other content, which is then parsed as usual.
 */
function gossipedTime(buf: Buffer, at: number, size: number): Timestamp | undefined {
  const end = at + size;
  let p = at + 4;
  // The fixed part: clusterTime, then the signature's size and its hash's type, name and size.
  if (p + CLUSTER_TIME.length + 8 + SIGNATURE.length + 4 + HASH.length + 4 > end) return undefined;
  if (!bytesAt(buf, p, CLUSTER_TIME)) return undefined;
  p += CLUSTER_TIME.length;
  const time = new Timestamp({ i: buf.readUInt32LE(p), t: buf.readUInt32LE(p + 4) });
  p += 8;
  if (!bytesAt(buf, p, SIGNATURE)) return undefined;
  p += SIGNATURE.length;
  const sigEnd = p + buf.readInt32LE(p);
  if (sigEnd !== end - 1 || buf[end - 1] !== 0) return undefined;
  p += 4;
  if (!bytesAt(buf, p, HASH)) return undefined;
  const hashSize = valueSize(buf, 0x05, p + HASH.length, sigEnd);
  // Drivers send a generic (subtype 0) hash; any other subtype is left to the BSON decoder.
  if (hashSize < 0 || buf[p + HASH.length + 4] !== 0) return undefined;
  p += HASH.length + hashSize;
  const keyType = buf[p];
  if (p + 1 + KEY_ID.length + 1 > sigEnd) return undefined;
  if ((keyType !== 0x12 && keyType !== 0x10) || !bytesAt(buf, p + 1, KEY_ID)) return undefined;
  p += 1 + KEY_ID.length + (keyType === 0x12 ? 8 : 4);
  return p === sigEnd - 1 && buf[p] === 0 ? time : undefined;
}

/**
 * The body section at `offset`, with a gossiped `$clusterTime` taken out and read directly:
 * every command carries one, and decoding it into objects cost more than the rest of a small
 * command. The element is cut out of the message's own bytes (the message is not read again).
 * Anything unusual about the document leaves it to the BSON decoder.
 */
function readBody(buf: Buffer, offset: number, end: number): { doc: Doc; next: number; clusterTime?: Timestamp } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  const docEnd = offset + size;
  if (size < 5 || docEnd > end) throw new ProtocolError('invalid BSON document length');
  const last = docEnd - 1;
  for (let p = offset + 4; p < last;) {
    const type = buf[p]!;
    const nameEnd = cStringEnd(buf, p + 1, last);
    if (nameEnd < 0) break;
    const valueAt = nameEnd + 1;
    const n = valueSize(buf, type, valueAt, last);
    if (n < 0) break;
    if (type === 0x03 && bytesAt(buf, p, CLUSTER_TIME_FIELD)) {
      const clusterTime = gossipedTime(buf, valueAt, n);
      if (!clusterTime) break;
      const cut = valueAt + n - p;
      buf.copyWithin(p, valueAt + n, docEnd);
      buf.writeInt32LE(size - cut, offset);
      return { doc: readDoc(buf, offset, docEnd - cut).doc, next: docEnd, clusterTime };
    }
    p = valueAt + n;
  }
  return readDoc(buf, offset, end);
}

export function parseOpMsg(buf: Buffer): OpMsg {
  const flags = buf.readUInt32LE(HEADER_BYTES);
  if ((flags & 0xffff & ~KNOWN_REQUIRED) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
  let end = buf.length;
  if (flags & FLAG_CHECKSUM) end -= 4;
  let offset = HEADER_BYTES + 4;
  let body: Doc | undefined;
  let clusterTime: Timestamp | undefined;
  const sequences: [string, Doc[]][] = [];
  while (offset < end) {
    const kind = buf.readUInt8(offset++);
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      const r = readBody(buf, offset, end);
      body = r.doc;
      clusterTime = r.clusterTime;
      offset = r.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = buf.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence length');
      const id = readCString(buf, offset + 4, seqEnd);
      const docs: Doc[] = [];
      let p = id.next;
      while (p < seqEnd) {
        const r = readDoc(buf, p, seqEnd);
        docs.push(r.doc);
        p = r.next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) {
    if (id in body) throw new ProtocolError(`duplicate field ${id} in OP_MSG`);
    body[id] = docs;
  }
  return { body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, ...(clusterTime ? { clusterTime } : {}) };
}

export interface OpQuery {
  collection: string;
  query: Doc;
}

export function parseOpQuery(buf: Buffer): OpQuery {
  const name = readCString(buf, HEADER_BYTES + 4, buf.length);
  const { doc } = readDoc(buf, name.next + 8, buf.length);
  // Legacy commands may wrap the command as { $query: {...}, $readPreference: ... }.
  const query = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Doc) : doc;
  return { collection: name.value, query };
}

// Replies are serialised in one pass (bson writes into its own buffer and copies out what it
// wrote), never measured first: measuring costs as much as serialising.

/** A reply and, when it is stamped, the encoded elements appended after its own fields. */
export interface Reply {
  doc: Doc;
  trailer?: Uint8Array;
}

/** Writes the reply's BSON document at `at` in `out` (sized by replyBytes). */
function writeReply(out: Buffer, at: number, body: Uint8Array, trailer: Uint8Array | undefined): void {
  if (!trailer) {
    out.set(body, at);
    return;
  }
  // A BSON document is its size, its elements and a zero byte: the trailer's elements go last.
  out.writeInt32LE(body.length + trailer.length, at);
  out.set(body.subarray(4, body.length - 1), at + 4);
  out.set(trailer, at + body.length - 1);
  out[at + body.length - 1 + trailer.length] = 0;
}

function header(out: Buffer, requestId: number, responseTo: number, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(requestId: number, responseTo: number, reply: Reply): Buffer {
  const body = serialize(reply.doc);
  const out = Buffer.allocUnsafe(HEADER_BYTES + 5 + body.length + (reply.trailer?.length ?? 0));
  header(out, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, 16);
  out.writeUInt8(0, 20);
  writeReply(out, 21, body, reply.trailer);
  return out;
}

export function encodeOpReply(requestId: number, responseTo: number, reply: Reply): Buffer {
  const body = serialize(reply.doc);
  const out = Buffer.allocUnsafe(HEADER_BYTES + 20 + body.length + (reply.trailer?.length ?? 0));
  header(out, requestId, responseTo, OP_REPLY);
  out.writeInt32LE(8, 16); // responseFlags: AwaitCapable
  out.writeBigInt64LE(0n, 20); // cursorID
  out.writeInt32LE(0, 28); // startingFrom
  out.writeInt32LE(1, 32); // numberReturned
  writeReply(out, 36, body, reply.trailer);
  return out;
}
