/**
 * Write concerns as the embedded server, a one-member replica set, answers them (MongoDB 7.0):
 * a malformed one refuses the command before it runs; one no member set could satisfy here (more
 * data-bearing members than the one there is, a tag set mode the set does not define) lets the
 * command run and is reported after it as a writeConcernError in the ok: 1 reply, which the
 * driver raises as MongoWriteConcernError.
 */
import { MongoCommandError } from '../errors';
import { isNumeric, isPlainObject, toNumber, type Doc } from '../values';

/** Commands that take a write concern (mongod waits for it after they run). */
const TAKES_WRITE_CONCERN = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'create',
  'drop',
  'dropDatabase',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'renameCollection',
  'collMod',
  'commitTransaction',
  'abortTransaction',
]);
/** Commands that only read: mongod refuses any write concern on them. */
const REFUSES_WRITE_CONCERN = new Set([
  'find',
  'getMore',
  'killCursors',
  'count',
  'distinct',
  'listCollections',
  'listIndexes',
  'listDatabases',
]);
const TRANSACTION_COMMANDS = new Set(['commitTransaction', 'abortTransaction']);

/** ReplSetConfig::kMaxMembers: the largest numeric w mongod parses. */
const MAX_MEMBERS = 50;
const DATA_BEARING_MEMBERS = 1;
/** Modes every member set has ("majority" and mongod's internal ones) that one member satisfies. */
const BUILT_IN_MODES = new Set(['majority', '$majority', '$votingMembers', '$majorityConfig', '$configAll']);
/** Tags mongod gives each member internally; this member carries each once. */
const MEMBER_TAGS = new Set(['$voter', '$electable', '$all', '$configAll', '$configVoter']);
const WRITE_CONCERN_FIELDS = new Set(['w', 'j', 'wtimeout', 'fsync', 'provenance', 'wElectionId', 'wOpTime', 'getLastError']);
const PROVENANCES = new Set(['clientSupplied', 'implicitDefault', 'customDefault', 'getLastErrorDefaults', 'internalWriteDefault']);

/** What is answered after the command when its write concern cannot be satisfied. */
export interface WriteConcernError {
  code: number;
  codeName: string;
  errmsg: string;
  errInfo: { writeConcern: Doc };
}

const BSON_TYPE_NAMES: Record<string, string> = {
  Double: 'double',
  Int32: 'int',
  Long: 'long',
  Decimal128: 'decimal',
  ObjectId: 'objectId',
};

/** The type name mongod's messages use for a value. */
function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (isPlainObject(v)) return 'object';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const type = (v as { _bsontype?: string })._bsontype;
  return type ? (BSON_TYPE_NAMES[type] ?? type.toLowerCase()) : typeof v;
}

function safeBool(wc: Doc, field: string): boolean | undefined {
  const v = wc[field];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (isNumeric(v)) return toNumber(v) !== 0;
  throw new MongoCommandError(
    'TypeMismatch',
    `BSON field 'WriteConcernOptions.${field}' is the wrong type '${bsonTypeName(v)}', expected types '[bool, long, int, decimal, double]'`,
  );
}

/** Why `w` cannot be satisfied by this one-member set, or undefined when it can. */
function unsatisfiable(w: unknown): Pick<WriteConcernError, 'code' | 'codeName' | 'errmsg'> | undefined {
  if (w === undefined) return undefined;
  if (typeof w === 'number') {
    if (w <= DATA_BEARING_MEMBERS) return undefined;
    return { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' };
  }
  if (typeof w === 'string') {
    if (BUILT_IN_MODES.has(w)) return undefined;
    if (w === '$stepDownCheck') {
      return { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: `Not enough nodes match write concern mode ""${w}""` };
    }
    return {
      code: 79,
      codeName: 'UnknownReplWriteConcern',
      errmsg: `No write concern mode named '${w}' found in replica set configuration`,
    };
  }
  const tags = w as Record<string, number>;
  for (const tag of Object.keys(tags)) {
    if (!MEMBER_TAGS.has(tag)) return { code: 4, codeName: 'NoSuchKey', errmsg: `No replica set tag key ${tag} in config` };
    if (tags[tag]! > DATA_BEARING_MEMBERS) {
      return {
        code: 100,
        codeName: 'UnsatisfiableWriteConcern',
        errmsg: `Not enough nodes match write concern mode "${JSON.stringify(tags)}"`,
      };
    }
  }
  return undefined;
}

/** Parses `w` as WriteConcernOptions does: a member count, a mode name or a tag-count document. */
function parseW(raw: unknown): number | string | Doc | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (isNumeric(raw)) {
    const n = Math.trunc(toNumber(raw)) || 0;
    if (n < 0 || n > MAX_MEMBERS) {
      throw new MongoCommandError('FailedToParse', `w has to be a non-negative number and not greater than ${MAX_MEMBERS}; found: ${n}`);
    }
    return n;
  }
  if (typeof raw === 'string') return raw;
  if (isPlainObject(raw)) {
    const tags: Doc = {};
    for (const [tag, count] of Object.entries(raw)) {
      if (!isNumeric(count)) {
        throw new MongoCommandError('FailedToParse', `tags must be a single level document with only number values; found: ${tag}`);
      }
      tags[tag] = Math.trunc(toNumber(count));
    }
    if (Object.keys(tags).length === 0) throw new MongoCommandError('FailedToParse', 'tagged write concern requires tags');
    return tags;
  }
  throw new MongoCommandError('FailedToParse', `w has to be a number, string, or object; found: ${bsonTypeName(raw)}`);
}

/**
 * Checks the command's writeConcern before it runs, as mongod does, and returns the
 * writeConcernError to answer after it runs when the write concern cannot be satisfied here.
 */
export function parseWriteConcern(name: string, cmd: Doc): WriteConcernError | undefined {
  const raw = cmd.writeConcern;
  if (raw === undefined) return undefined;
  if (REFUSES_WRITE_CONCERN.has(name)) throw new MongoCommandError('InvalidOptions', 'Command does not support writeConcern');
  if (!TAKES_WRITE_CONCERN.has(name)) return undefined;
  if (!isPlainObject(raw)) {
    throw new MongoCommandError('TypeMismatch', `"writeConcern" had the wrong type. Expected object, found ${bsonTypeName(raw)}`);
  }
  let empty = true;
  for (const field in raw) {
    empty = false;
    if (!WRITE_CONCERN_FIELDS.has(field)) {
      throw new MongoCommandError(40415, `BSON field 'WriteConcernOptions.${field}' is an unknown field.`);
    }
  }
  if (empty) return undefined;
  const w = parseW(raw.w);
  const j = safeBool(raw, 'j');
  const fsync = safeBool(raw, 'fsync');
  if (j === true && fsync === true) throw new MongoCommandError('FailedToParse', 'fsync and j options cannot be used together');
  const provenance = raw.provenance;
  if (provenance !== undefined) {
    if (typeof provenance !== 'string') {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field 'WriteConcernOptions.provenance' is the wrong type '${bsonTypeName(provenance)}', expected type 'string'`,
      );
    }
    if (!PROVENANCES.has(provenance)) {
      throw new MongoCommandError(
        'BadValue',
        `Enumeration value '${provenance}' for field 'WriteConcernOptions.provenance' is not a valid value.`,
      );
    }
  }
  if (cmd.autocommit === false && !TRANSACTION_COMMANDS.has(name)) {
    throw new MongoCommandError('InvalidOptions', 'writeConcern is not allowed within a multi-statement transaction');
  }
  const problem = unsatisfiable(w);
  if (!problem) return undefined;
  // The write concern as mongod echoes it: w, then j or fsync, then wtimeout and provenance.
  const echoed: Doc = { w };
  if (j === true) echoed.j = true;
  else if (fsync === true) echoed.fsync = true;
  else if (j === false) echoed.j = false;
  echoed.wtimeout = isNumeric(raw.wtimeout) ? Math.trunc(toNumber(raw.wtimeout)) : 0;
  echoed.provenance = provenance ?? 'clientSupplied';
  return { ...problem, errInfo: { writeConcern: echoed } };
}

/** Adds the writeConcernError to a reply of a command that ran (ok: 1). */
export function withWriteConcernError(reply: Doc, error: WriteConcernError | undefined): Doc {
  if (error && reply.ok === 1) reply.writeConcernError = error;
  return reply;
}
