/**
 * The unique indexes the port's models declare that a database (one the original backend wrote)
 * lacks, and the documents that would stop them from being built: groups of documents sharing the
 * index's key, where MongoDB counts a missing field as null and a partial index only its documents.
 */
import type { Document, Types } from 'mongoose';
import { schemaIndexes, type IndexedModel } from '../indexes';

export interface UniqueIndex {
  model: IndexedModel;
  collection: string;
  name: string;
  key: Record<string, unknown>;
  options: Record<string, unknown>;
  /** A same-named index with other options (e.g. the original's non-unique one) that must be dropped first. */
  conflicting?: { key: Record<string, unknown>; options: Record<string, unknown> };
}

export interface DuplicateGroup {
  index: UniqueIndex;
  /** The shared key, field by field. */
  values: Record<string, unknown>;
  ids: Types.ObjectId[];
}

type IndexInfo = Document & { name: string; key: Record<string, unknown>; unique?: boolean };

async function existingIndexes(model: IndexedModel): Promise<IndexInfo[]> {
  try {
    return (await model.collection.indexes()) as unknown as IndexInfo[];
  } catch (err) {
    if ((err as { codeName?: string; code?: number }).code === 26) return []; // NamespaceNotFound: no collection yet
    throw err;
  }
}

/** An existing index as createIndex takes it back (for down): its key and every option but the name. */
function legacyDefinition(index: IndexInfo): { key: Record<string, unknown>; options: Record<string, unknown> } {
  const { v: _v, key, name: _name, ns: _ns, ...options } = index as IndexInfo & { v?: unknown; ns?: unknown };
  return { key, options };
}

/** The unique indexes of `models` that their collections do not have (yet). */
export async function missingUniqueIndexes(models: IndexedModel[]): Promise<UniqueIndex[]> {
  const missing: UniqueIndex[] = [];
  for (const model of models) {
    const present = await existingIndexes(model);
    for (const def of schemaIndexes(model)) {
      if (!def.options.unique) continue;
      const same = present.find((i) => i.name === def.name);
      if (same?.unique) continue;
      const { name: _name, ...options } = def.options as Record<string, unknown>;
      const legacy = same ? legacyDefinition(same) : undefined;
      missing.push({ model, collection: model.collection.collectionName, name: def.name, key: def.key, options, conflicting: legacy });
    }
  }
  return missing;
}

/** Legacy indexes that clash by name with a non-unique index the model declares (the original's global unique `email_1`). */
export async function clashingLegacyIndexes(models: IndexedModel[]): Promise<UniqueIndex[]> {
  const clashing: UniqueIndex[] = [];
  for (const model of models) {
    const present = await existingIndexes(model);
    for (const def of schemaIndexes(model)) {
      if (def.options.unique) continue;
      const same = present.find((i) => i.name === def.name);
      if (!same?.unique) continue;
      const { name: _name, ...options } = def.options as Record<string, unknown>;
      clashing.push({
        model,
        collection: model.collection.collectionName,
        name: def.name,
        key: def.key,
        options,
        conflicting: legacyDefinition(same),
      });
    }
  }
  return clashing;
}

/** The groups of documents that share the index's key (at most `limit` groups). */
export async function duplicatesOf(index: UniqueIndex, limit = 0): Promise<DuplicateGroup[]> {
  const fields = Object.keys(index.key);
  const partial = index.options.partialFilterExpression as Record<string, unknown> | undefined;
  const pipeline: Record<string, unknown>[] = [
    ...(partial ? [{ $match: partial }] : []),
    { $group: { _id: Object.fromEntries(fields.map((f, i) => [`k${i}`, `$${f}`])), ids: { $push: '$_id' }, n: { $sum: 1 } } },
    { $match: { n: { $gt: 1 } } },
    { $sort: { n: -1 } },
    ...(limit > 0 ? [{ $limit: limit }] : []),
  ];
  const rows = await index.model.collection
    .aggregate<{ _id: Record<string, unknown>; ids: Types.ObjectId[] }>(pipeline, { allowDiskUse: true })
    .toArray();
  return rows.map((r) => ({
    index,
    values: Object.fromEntries(fields.map((f, i) => [f, r._id[`k${i}`] ?? null])),
    ids: [...r.ids].sort((a, b) => String(a).localeCompare(String(b))),
  }));
}

/** One line per group for the operator: the key (without the company) and the ids. */
export function describeGroup(g: DuplicateGroup): string {
  const key = Object.entries(g.values)
    .map(([f, v]) => `${f}=${JSON.stringify(v)}`)
    .join(', ');
  return `${g.index.collection} ${key}: ${g.ids.length} documents (${g.ids.map(String).join(', ')})`;
}
