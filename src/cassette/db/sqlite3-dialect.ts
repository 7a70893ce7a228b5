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
    return new SqliteAdapter()
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db)
  }
}
