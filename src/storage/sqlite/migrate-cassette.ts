import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_MIGRATION_TABLE, FileMigrationProvider, Migrator, type Kysely } from 'kysely'
import { CassetteError } from '../cassette-error.js'
import type { CassetteDatabase } from '../cassette-schema.js'
import { tableNames } from './sqlite-file.js'

/**
 * `migrations/` at the package root: src/storage/sqlite → ../../../migrations when run from source
 * (tsx, tap), dist/src/storage/sqlite → dist/migrations when compiled.
 */
export const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'migrations')

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
type MigrationHistory = {
  [DEFAULT_MIGRATION_TABLE]: { name: string; timestamp: string }
}

/**
 * Brings a cassette's schema up to date, after checking that it can:
 * - a database with tables but no migration history is not a cassette: refused;
 * - a migration in the file's history that this code does not know means the file was written by a
 *   newer ivs-replay: refused, and the migrator is not run;
 * - `readOnly` with migrations pending: refused (a read-only file cannot be upgraded).
 * Returns the names of the migrations it applied (empty when the schema was current).
 */
export async function migrateCassette(
  db: Kysely<CassetteDatabase>,
  file: string,
  options: { readOnly: boolean },
): Promise<string[]> {
  const provider = new FileMigrationProvider({ fs, path, migrationFolder })
  const known = Object.keys(await provider.getMigrations())

  const tables = await tableNames(db)
  let executed: string[] = []
  if (tables.has(DEFAULT_MIGRATION_TABLE)) {
    const rows = await db.withTables<MigrationHistory>().selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute()
    executed = rows.map((r) => r.name)
  } else if (tables.size > 0) {
    throw new CassetteError(file, `is an SQLite database but not an ivs-replay cassette (it has tables ${[...tables].join(', ')} and no ${DEFAULT_MIGRATION_TABLE} history)`)
  }

  const unknown = executed.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    throw new CassetteError(
      file,
      `was written by a newer ivs-replay: its schema has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ` +
      `that this version does not know (it knows ${known.join(', ') || 'none'}). Upgrade ivs-replay to use this cassette.`,
    )
  }

  const pending = known.filter((name) => !executed.includes(name))
  if (pending.length === 0) return []
  if (options.readOnly) {
    throw new CassetteError(file, `needs schema migration${pending.length > 1 ? 's' : ''} ${pending.join(', ')} and was opened read-only; open it once read-write to upgrade it`)
  }

  const migrator = new Migrator({ db, provider })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName
    throw new CassetteError(file, `schema migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
