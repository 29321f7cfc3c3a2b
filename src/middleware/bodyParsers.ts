/**
 * JSON and form bodies (10 MB), bounded in shape before anything walks them: a JSON body nested
 * deeper than BODY_MAX_DEPTH or with more than BODY_MAX_KEYS object keys is refused with 400
 * (BODY_TOO_DEEP / TOO_MANY_KEYS) by a linear scan of the raw bytes, before JSON.parse and before
 * the key sanitiser, which recurses; form bodies get the same bounds from qs (strict depth,
 * parameter limit).
 */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';

export const BODY_LIMIT = '10mb';

export interface BodyBounds {
  maxDepth: number;
  maxKeys: number;
}

/** An error body-parser passes on with this status and type (the error handler maps the type). */
function shapeError(type: 'body.too.deep' | 'body.too.many.keys', message: string): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true, type });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

/**
 * Throws when the JSON text nests deeper than `maxDepth` or names more than `maxKeys` keys.
 * Structural characters are ASCII, and in UTF-8 no byte of a multi-byte character is ASCII, so
 * the bytes can be scanned as they are; other charsets are decoded first. Malformed text is left
 * to JSON.parse.
 */
export function checkJsonShape(raw: Buffer | string, bounds: BodyBounds): void {
  const at = typeof raw === 'string' ? (i: number) => raw.charCodeAt(i) : (i: number) => raw[i] as number;
  const length = raw.length;
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > bounds.maxDepth) throw shapeError('body.too.deep', `Request body is nested deeper than ${bounds.maxDepth} levels`);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if (c === COLON && ++keys > bounds.maxKeys) {
      throw shapeError('body.too.many.keys', `Request body has more than ${bounds.maxKeys} keys`);
    }
  }
}

export function bodyParsers(bounds: BodyBounds): RequestHandler[] {
  const verify = (_req: IncomingMessage, _res: unknown, buf: Buffer, encoding: string): void => {
    if (/^utf-?8$/i.test(encoding)) return checkJsonShape(buf, bounds);
    let text: string;
    try {
      text = new TextDecoder(encoding).decode(buf);
    } catch {
      throw Object.assign(new Error(`unsupported charset "${encoding}"`), { status: 415, expose: true, type: 'charset.unsupported' });
    }
    checkJsonShape(text, bounds);
  };
  return [
    express.json({ limit: BODY_LIMIT, verify }),
    // `depth` (with strict depth: deeper is a 400) is body-parser 1.20's; its types predate it.
    express.urlencoded({ extended: true, limit: BODY_LIMIT, parameterLimit: bounds.maxKeys, ...{ depth: bounds.maxDepth } }),
  ];
}
