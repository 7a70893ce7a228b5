import {
  SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type Kysely, type QueryCompiler,
} from 'kysely'
import { Sqlite3Driver } from './sqlite3-driver.js'
import type { Sqlite3DialectConfig } from './sqlite3-dialect-config.js'

/**
 * kysely dialect for the `sqlite3` package, reusing kysely's own SQLite adapter, compiler and
 * introspector; only the driver is ours.
 *
 * ```ts
 * const db = new Kysely<Schema>({ dialect: new Sqlite3Dialect({ database: () => openSqlite3(file) }) })
 * ```
 */
export class Sqlite3Dialect implements Dialect {
  readonly #config: Sqlite3DialectConfig

  constructor(config: Sqlite3DialectConfig) {
    this.#config = Object.freeze({ ...config })
  }

  createDriver(): Driver {
    return new Sqlite3Driver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter()
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db)
  }
}

/**
 * kysely's SQLite adapter says SQLite has no transactional DDL, so its Migrator runs a migration's
 * statements one by one, outside any transaction, and records the migration afterwards. A process
 * killed in between (a SIGKILL while a recorder creates its cassette) left a file with the tables but
 * no history: every later open re-ran the migration and failed with `table "interactions" already
 * exists`, so the cassette could never be opened again. SQLite does run CREATE TABLE / CREATE INDEX
 * inside transactions, so the Migrator may wrap its run, history rows included, in one: pending
 * migrations are then applied entirely or not at all.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}
