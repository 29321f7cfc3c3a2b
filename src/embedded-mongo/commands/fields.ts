/**
 * The fields each command accepts, as MongoDB 7.0's IDL parsers define them: a field a listed
 * command does not define is refused with 40415 before anything runs, as mongod refuses it.
 * Accepted fields include those the embedded server ignores; commands not listed here (and
 * commands mongod does not parse strictly, such as ping or serverStatus) are not checked.
 */
import { MongoCommandError } from '../errors';
import { isPlainObject, type Doc } from '../values';

/** IDL's "unknown field" error: mongod 7.0 has no name for it (codeName Location40415). */
const UNKNOWN_FIELD_CODE = 40415;

/** Arguments every command accepts (generic_argument.idl, API version 1 and unstable). */
const GENERIC_ARGUMENTS = new Set([
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  '$db',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  'lsid',
  'clientOperationKey',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'stmtId',
  'comment',
  '$readPreference',
  '$clusterTime',
  '$audit',
  '$client',
  '$configServerState',
  'allowImplicitCollectionCreation',
  '$oplogQueryData',
  '$queryOptions',
  '$replData',
  'databaseVersion',
  'shardVersion',
  'tracking_info',
  'coordinator',
  'maxTimeMSOpOnly',
  'usesDefaultMaxTimeMS',
  '$configTime',
  '$topologyTime',
  'txnRetryCounter',
  'mayBypassWriteBlocking',
  '$tenant',
  'expectPrefix',
]);

/** Whether every command accepts this field (session, transaction, concerns, API, routing). */
export function isGenericArgument(field: string): boolean {
  return GENERIC_ARGUMENTS.has(field);
}

/** Fields shared by insert, update and delete (WriteCommandRequestBase). */
const WRITE_BASE = [
  'ordered',
  'bypassDocumentValidation',
  'stmtIds',
  'isTimeseriesNamespace',
  'collectionUUID',
  'encryptionInformation',
  'originalQuery',
  'originalCollation',
  '$_originalQuery',
  '$_originalCollation',
];

/** Each command's own fields beyond the generic arguments; keys are the command's canonical name. */
const COMMAND_FIELDS: Record<string, readonly string[]> = {
  find: [
    'filter',
    'projection',
    'sort',
    'hint',
    'collation',
    'skip',
    'limit',
    'batchSize',
    'ntoreturn',
    'singleBatch',
    'allowDiskUse',
    'min',
    'max',
    'returnKey',
    'showRecordId',
    'tailable',
    'oplogReplay',
    'noCursorTimeout',
    'awaitData',
    'allowPartialResults',
    'let',
    'options',
    'term',
    'readOnce',
    'allowSpeculativeMajorityRead',
    '$_requestResumeToken',
    '$_resumeAfter',
    '$_startAt',
    'runtimeConstants',
    'collectionUUID',
    'encryptionInformation',
    'mirrored',
    'sampleId',
    'includeQueryStatsMetrics',
  ],
  getMore: ['collection', 'batchSize', 'term', 'lastKnownCommittedOpTime', 'includeQueryStatsMetrics'],
  killCursors: ['cursors'],
  count: ['query', 'limit', 'skip', 'hint', 'collation', 'fields', 'encryptionInformation', 'mirrored', 'sampleId'],
  distinct: ['key', 'query', 'collation', 'hint', 'mirrored', 'sampleId', 'encryptionInformation', 'includeQueryStatsMetrics'],
  aggregate: [
    'pipeline',
    'explain',
    'allowDiskUse',
    'cursor',
    'bypassDocumentValidation',
    'collation',
    'hint',
    'let',
    'needsMerge',
    'fromMongos',
    'fromRouter',
    'mergeByPBRT',
    '$_requestReshardingResumeToken',
    'exchange',
    'runtimeConstants',
    'isMapReduceCommand',
    'collectionUUID',
    '$_passthroughToShard',
    'encryptionInformation',
    '$_externalDataSources',
    'sampleId',
    '$_isClusterQueryWithoutShardKeyCmd',
    '$_requestResumeToken',
    '$_resumeAfter',
    '$_generateV2ResumeTokens',
    'includeQueryStatsMetrics',
  ],
  explain: ['verbosity'],
  insert: ['documents', ...WRITE_BASE],
  update: ['updates', 'let', 'runtimeConstants', ...WRITE_BASE],
  delete: ['deletes', 'let', 'runtimeConstants', ...WRITE_BASE],
  findAndModify: [
    'query',
    'fields',
    'sort',
    'hint',
    'collation',
    'arrayFilters',
    'remove',
    'update',
    'new',
    'upsert',
    'bypassDocumentValidation',
    'let',
    'runtimeConstants',
    'encryptionInformation',
    'sampleId',
    'isTimeseriesNamespace',
    'collectionUUID',
    'mirrored',
    '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
  ],
  create: [
    'capped',
    'autoIndexId',
    'idIndex',
    'size',
    'max',
    'storageEngine',
    'validator',
    'validationLevel',
    'validationAction',
    'indexOptionDefaults',
    'viewOn',
    'pipeline',
    'collation',
    'changeStreamPreAndPostImages',
    'timeseries',
    'clusteredIndex',
    'expireAfterSeconds',
    'encryptedFields',
    'recordPreImages',
    'temp',
    'flags',
  ],
  collMod: [
    'index',
    'validator',
    'validationLevel',
    'validationAction',
    'viewOn',
    'pipeline',
    'recordPreImages',
    'changeStreamPreAndPostImages',
    'expireAfterSeconds',
    'timeseries',
    'timeseriesBucketsMayHaveMixedSchemaData',
    'cappedSize',
    'cappedMax',
    'isTimeseriesNamespace',
    'collectionUUID',
    'dryRun',
  ],
  drop: ['collectionUUID', 'isTimeseriesNamespace'],
  dropDatabase: [],
  listCollections: ['filter', 'nameOnly', 'authorizedCollections', 'cursor', 'includePendingDrops'],
  listIndexes: ['cursor', 'includeBuildUUIDs', 'includeIndexBuildInfo', 'isTimeseriesNamespace', 'collectionUUID'],
  createIndexes: ['indexes', 'commitQuorum', 'ignoreUnknownIndexOptions', 'isTimeseriesNamespace', 'collectionUUID', 'returnOnStart'],
  dropIndexes: ['index', 'isTimeseriesNamespace', 'collectionUUID'],
  renameCollection: [
    'to',
    'dropTarget',
    'stayTemp',
    'collectionUUID',
    'newTargetCollectionUuid',
    'expectedSourceUUID',
    'expectedTargetUUID',
  ],
  listDatabases: ['filter', 'nameOnly', 'authorizedDatabases'],
  endSessions: [],
  killSessions: [],
  commitTransaction: ['commitTimestamp', 'recoveryToken'],
  abortTransaction: ['recoveryToken'],
};

/** Names a command is also sent under (first field), to its canonical name. */
const ALIASES: Record<string, string> = { findandmodify: 'findAndModify', deleteIndexes: 'dropIndexes' };

/** Fields of one statement in `update.updates` (UpdateOpEntry) and `delete.deletes` (DeleteOpEntry). */
const UPDATE_STATEMENT = new Set([
  'q',
  'u',
  'c',
  'arrayFilters',
  'hint',
  'multi',
  'upsert',
  'upsertSupplied',
  'collation',
  'sampleId',
  '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
]);
const DELETE_STATEMENT = new Set(['q', 'limit', 'hint', 'collation', 'sampleId']);

interface Accepted {
  name: string;
  fields: Set<string>;
}

const ACCEPTED = new Map<string, Accepted>();
for (const [name, fields] of Object.entries(COMMAND_FIELDS)) ACCEPTED.set(name, { name, fields: new Set(fields) });
for (const [alias, name] of Object.entries(ALIASES)) ACCEPTED.set(alias, ACCEPTED.get(name)!);

function unknownField(path: string): MongoCommandError {
  return new MongoCommandError(UNKNOWN_FIELD_CODE, `BSON field '${path}' is an unknown field.`);
}

/** The first field of `cmd` that `accepted` does not define (the command name itself aside). */
function firstUnknown(cmd: Doc, accepted: Accepted): string | undefined {
  let first = true;
  for (const field in cmd) {
    if (first) {
      first = false;
      continue;
    }
    if (!accepted.fields.has(field) && !GENERIC_ARGUMENTS.has(field)) return field;
  }
  return undefined;
}

function checkStatements(statements: unknown, allowed: Set<string>, path: string): void {
  if (!Array.isArray(statements)) return;
  for (const stmt of statements) {
    if (!isPlainObject(stmt)) continue;
    for (const field in stmt) if (!allowed.has(field)) throw unknownField(`${path}.${field}`);
  }
}

/**
 * Refuses a listed command that carries a field MongoDB 7.0 does not define for it, including
 * fields of update and delete statements and of the command explain wraps. Unlisted: unchecked.
 */
export function checkCommandFields(name: string, cmd: Doc): void {
  const accepted = ACCEPTED.get(name);
  if (!accepted) return;
  const unknown = firstUnknown(cmd, accepted);
  if (unknown !== undefined) throw unknownField(`${accepted.name}.${unknown}`);
  if (accepted.name === 'update') checkStatements(cmd.updates, UPDATE_STATEMENT, 'update.updates');
  else if (accepted.name === 'delete') checkStatements(cmd.deletes, DELETE_STATEMENT, 'delete.deletes');
  else if (accepted.name === 'explain' && isPlainObject(cmd.explain)) {
    const innerName = Object.keys(cmd.explain)[0];
    if (innerName !== undefined && innerName !== 'explain') checkCommandFields(innerName, cmd.explain);
  }
}
