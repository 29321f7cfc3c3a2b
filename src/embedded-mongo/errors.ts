/**
 * Errors answered to clients in MongoDB's shape: `{ ok: 0, errmsg, code, codeName }`.
 * Codes and names follow MongoDB's error_codes.yml so drivers react as they do with MongoDB.
 */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  InvalidBSON: 22,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  CannotIndexParallelArrays: 171,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  TransactionTooLarge: 257,
  OperationNotSupportedInTransaction: 263,
  MaxTimeMSExpired: 50,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  Location16755: 16755,
  Location17287: 17287,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

const codeNames = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));

export function codeName(code: number): string {
  return codeNames.get(code) ?? 'Location' + String(code);
}

export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly labels: string[];
  readonly extra: Record<string, unknown>;

  constructor(name: ErrorCodeName | number, message: string, opts: { labels?: string[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.code = typeof name === 'number' ? name : ErrorCodes[name];
    this.codeName = codeName(this.code);
    this.labels = opts.labels ?? [];
    this.extra = opts.extra ?? {};
  }

  toReply(): Record<string, unknown> {
    const reply: Record<string, unknown> = {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...this.extra,
    };
    if (this.labels.length > 0) reply.errorLabels = this.labels;
    return reply;
  }
}

export function writeConflict(): MongoCommandError {
  return new MongoCommandError(
    'WriteConflict',
    'Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
    { labels: ['TransientTransactionError'] },
  );
}

/** Turns anything thrown while running a command into a MongoDB-shaped error. */
export function toCommandError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo reports unknown and malformed operators with plain Errors; MongoDB answers BadValue.
  const topLevel = /unknown top level operator: (\$[A-Za-z0-9_]+)/.exec(message);
  if (topLevel) {
    return new MongoCommandError(
      'BadValue',
      `unknown top level operator: ${topLevel[1]}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  }
  if (/unknown (top level |query |update |pipeline |expression )?operator|not registered|Unknown update operator/i.test(message)) {
    const op = /(\$[A-Za-z0-9_]+)/.exec(message)?.[1];
    return new MongoCommandError('BadValue', op ? `unknown operator: ${op}` : message);
  }
  if (err instanceof Error && err.constructor.name === 'MingoError') {
    return new MongoCommandError('BadValue', message);
  }
  if (err instanceof Error && err.name.startsWith('BSON')) {
    return new MongoCommandError('InvalidBSON', `invalid BSON: ${message}`);
  }
  return new MongoCommandError('InternalError', message);
}
