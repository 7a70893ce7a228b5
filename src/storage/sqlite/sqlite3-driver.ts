import type sqlite3 from 'sqlite3'
import {
  CompiledQuery, IdentifierNode, RawNode, createQueryId,
  type DatabaseConnection, type Driver, type QueryCompiler,
} from 'kysely'
import { Mutex } from './mutex.js'
import { Sqlite3Connection } from './sqlite3-connection.js'
import type { Sqlite3DialectConfig } from './sqlite3-dialect-config.js'

/**
 * kysely Driver over ONE sqlite3 connection. Like kysely's own SqliteDriver, every kysely query and
 * every transaction holds a FIFO mutex, so a transaction never interleaves with other kysely
 * statements. Replay's reads (db/response-reader.ts) run on the same connection without it: each is
 * one SELECT by id, and one that runs between two statements of a transaction sees that
 * transaction's uncommitted rows (a connection sees its own changes).
 */
export class Sqlite3Driver implements Driver {
  readonly #config: Sqlite3DialectConfig
  readonly #mutex = new Mutex()
  #db?: sqlite3.Database
  #connection?: Sqlite3Connection

  constructor(config: Sqlite3DialectConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    const d = this.#config.database
    this.#db = typeof d === 'function' ? await d() : d
    this.#connection = new Sqlite3Connection(this.#db)
    await this.#config.onCreateConnection?.(this.#connection)
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock()
    if (!this.#connection) {
      this.#mutex.unlock()
      throw new Error('sqlite3 driver used before init() or after destroy()')
    }
    return this.#connection
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock()
  }

  // BEGIN IMMEDIATE takes the write lock up front. A deferred BEGIN that reads and then writes can
  // fail with SQLITE_BUSY (busy_timeout does not apply to a lock upgrade) if another process wrote
  // to the same file in between.
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  // After an I/O error or a full disk inside a transaction SQLite may already have rolled it back
  // itself (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"). kysely still
  // sends ROLLBACK when the transaction's callback fails, and the "no transaction is active" error of
  // that ROLLBACK would replace the error that says what went wrong (disk I/O error, database or disk
  // is full): the caller must see the cause, and there is nothing left to roll back.
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'))
    } catch (e) {
      if (!(e instanceof Error && NO_TRANSACTION.test(e.message))) throw e
    }
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await savepointCommand(connection, 'savepoint', name, compile)
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await savepointCommand(connection, 'rollback to', name, compile)
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await savepointCommand(connection, 'release', name, compile)
  }

  /** Waits for queries already queued on the connection, then closes the handle. */
  async destroy(): Promise<void> {
    const db = this.#db
    if (!db) return
    await this.#mutex.lock()
    this.#db = undefined
    this.#connection = undefined
    try {
      await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())))
    } finally {
      this.#mutex.unlock()
    }
  }
}

/** SQLite's answer to a ROLLBACK with no transaction open (SQLITE_ERROR, so the text tells it apart). */
const NO_TRANSACTION = /cannot rollback - no transaction is active/

function savepointCommand(connection: DatabaseConnection, command: string, name: string, compile: QueryCompiler['compileQuery']) {
  const node = RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)])
  return connection.executeQuery(compile(node, createQueryId()))
}
