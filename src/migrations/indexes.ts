/** Building one index a Mongoose schema declares, by name, for migrations that must not build the others yet. */
import type { Collection, IndexDirection, IndexOptions } from 'mongoose';

type KeySpec = Record<string, IndexDirection>;

/** What these helpers need of a Mongoose model (any model has it, whatever its document type). */
export interface IndexedModel {
  modelName: string;
  schema: { indexes(): unknown[] };
  collection: Collection;
}

/** The schema's index definitions with the name MongoDB gives them (explicit, or `field_1_field_-1`). */
export function schemaIndexes(model: IndexedModel): { key: KeySpec; options: IndexOptions; name: string }[] {
  return (model.schema.indexes() as [KeySpec, IndexOptions][]).map(([key, options]) => ({
    key,
    options,
    name:
      options.name ??
      Object.entries(key)
        .map(([f, d]) => `${f}_${String(d)}`)
        .join('_'),
  }));
}

export async function ensureSchemaIndex(model: IndexedModel, name: string): Promise<void> {
  const def = schemaIndexes(model).find((i) => i.name === name);
  if (!def) throw new Error(`${model.modelName} declares no index named ${name}`);
  await model.collection.createIndex(def.key as never, { ...def.options, name } as never);
}
