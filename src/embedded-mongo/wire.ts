/**
 * MongoDB wire protocol framing: OP_MSG (body and document-sequence sections, optional
 * checksum) and the legacy OP_QUERY handshake answered with OP_REPLY.
 */
import { deserialize, serialize } from 'bson';
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
}

export function parseOpMsg(buf: Buffer): OpMsg {
  const flags = buf.readUInt32LE(HEADER_BYTES);
  if ((flags & 0xffff & ~KNOWN_REQUIRED) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
  let end = buf.length;
  if (flags & FLAG_CHECKSUM) end -= 4;
  let offset = HEADER_BYTES + 4;
  let body: Doc | undefined;
  const sequences: [string, Doc[]][] = [];
  while (offset < end) {
    const kind = buf.readUInt8(offset++);
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      const r = readDoc(buf, offset, end);
      body = r.doc;
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
  return { body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
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

export function encodeOpMsg(requestId: number, responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc);
  const out = Buffer.allocUnsafe(HEADER_BYTES + 5 + body.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(OP_MSG, 12);
  out.writeUInt32LE(0, 16);
  out.writeUInt8(0, 20);
  out.set(body, 21);
  return out;
}

export function encodeOpReply(requestId: number, responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc);
  const out = Buffer.allocUnsafe(HEADER_BYTES + 20 + body.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(OP_REPLY, 12);
  out.writeInt32LE(8, 16); // responseFlags: AwaitCapable
  out.writeBigInt64LE(0n, 20); // cursorID
  out.writeInt32LE(0, 28); // startingFrom
  out.writeInt32LE(1, 32); // numberReturned
  out.set(body, 36);
  return out;
}
