import type sqlite3 from 'sqlite3'
import type { DatabaseConnection } from 'kysely'

export interface Sqlite3DialectConfig {
  /** An open sqlite3 handle, or a function opening one (called once, by the driver's init). */
  readonly database: sqlite3.Database | (() => Promise<sqlite3.Database>)
  /** Runs once on the connection after it opens, e.g. to set PRAGMAs. */
  readonly onCreateConnection?: (connection: DatabaseConnection) => Promise<void>
}
