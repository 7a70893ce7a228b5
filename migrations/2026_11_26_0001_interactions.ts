import { sql, type Kysely } from 'kysely'

// The first cassette schema. Tables are STRICT so SQLite itself refuses a value of the wrong type
// (e.g. a string where a body blob belongs) instead of storing it.
// Keep src/storage/cassette-schema.ts in step with this file.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('interactions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('request_method', 'text', (c) => c.notNull())
    .addColumn('request_path', 'text', (c) => c.notNull())
    .addColumn('request_query', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('request_headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('request_body', 'blob', (c) => c.notNull().defaultTo(sql`x''`))
    .addColumn('response_status', 'integer', (c) => c.notNull())
    .addColumn('response_headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('response_body', 'blob', (c) => c.notNull().defaultTo(sql`x''`))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .modifyEnd(sql`strict`)
    .execute()

  // Lookup by identity, and the rule that seq never repeats within one identity.
  await db.schema
    .createIndex('interactions_identity_seq')
    .on('interactions')
    .columns(['identity', 'seq'])
    .unique()
    .execute()

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .modifyEnd(sql`strict`)
    .execute()

  await db.schema
    .createTable('simulator_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .modifyEnd(sql`strict`)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('simulator_state').execute()
  await db.schema.dropTable('meta').execute()
  await db.schema.dropIndex('interactions_identity_seq').execute()
  await db.schema.dropTable('interactions').execute()
}
