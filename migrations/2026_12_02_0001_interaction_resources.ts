import type { Kysely } from 'kysely'

// What each recorded answer describes, by ARN (JSON DescribedResources, see
// src/cassette/described-resources.ts), so a hybrid simulator learns a cassette's resources without
// reading every answer. Null for interactions recorded before this column: computed when needed.
// Keep src/storage/cassette-schema.ts in step with this file.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('interactions').addColumn('resources', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('interactions').dropColumn('resources').execute()
}
