// `--state FILE` on disk: one SQLite table of JSON values by key, nothing of a cassette's. Files
// written before the state file had its own store are cassettes whose `simulator_state` table holds
// the state (the same table, same columns): they load and save as they are, their cassette tables
// left alone. See test/fixtures/state/.
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import type { SimulatorStateStore } from '../storage.js'
import { StateFileError } from '../state-file-error.js'
import { StoreCalls } from '../store-calls.js'
import { closeSqliteFile, openSqliteFile, tableNames, type SqliteFile } from './sqlite-file.js'

/** `pragma user_version` of a state file this code made; 0 is a file of the cassette shape. */
const STATE_FORMAT = 1

interface StateDatabase {
  /** `value` is JSON; `updated_at` ISO-8601. */
  simulator_state: { key: string; value: string; updated_at: string }
}

export class SqliteStateStore implements SimulatorStateStore {
  /** Absolute path of the state file. */
  readonly location: string
  readonly #file: SqliteFile<StateDatabase>
  readonly #calls: StoreCalls

  private constructor(file: SqliteFile<StateDatabase>) {
    this.#file = file
    this.location = file.file
    this.#calls = new StoreCalls(failFor(file.file), isStateFileError)
  }

  /**
   * Opens the state file, creating it (0600, in 0700 folders) when missing. Refuses, with a
   * `StateFileError`, a file that is not SQLite, another program's database, or one written by a
   * newer ivs-replay.
   */
  static async open(file: string): Promise<SqliteStateStore> {
    const abs = path.resolve(file)
    const opened = await openSqliteFile<StateDatabase>(abs, {
      options: {}, fail: failFor(abs), isOwn: isStateFileError, prepare: (db) => prepare(db, abs),
    })
    return new SqliteStateStore(opened)
  }

  loadState(key: string): Promise<unknown> {
    return this.#calls.run('loadState', async () => {
      const row = await this.#file.db.selectFrom('simulator_state').select('value').where('key', '=', key).executeTakeFirst()
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown)
    })
  }

  saveState(key: string, value: unknown): Promise<void> {
    return this.#calls.run('saveState', async () => {
      const json = JSON.stringify(value)
      if (json === undefined) throw new TypeError(`state ${key} is not JSON-serialisable (${typeof value})`)
      const updatedAt = new Date().toISOString()
      await this.#file.db.insertInto('simulator_state').values({ key, value: json, updated_at: updatedAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: updatedAt })).execute()
    })
  }

  /** Waits for saves in flight, checkpoints the WAL into the file and closes; closing twice is harmless. */
  async close(): Promise<void> {
    if (!(await this.#calls.close())) return
    await closeSqliteFile(this.#file, failFor(this.location))
  }
}

async function prepare(db: Kysely<StateDatabase>, file: string): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(db)
  const format = rows[0]?.user_version ?? 0
  if (format > STATE_FORMAT) {
    throw new StateFileError(file, `was written by a newer ivs-replay (state format ${format}; this version knows ${STATE_FORMAT}). Upgrade ivs-replay to use it.`)
  }
  const tables = await tableNames(db)
  if (tables.has('simulator_state')) return
  if (tables.size > 0) {
    throw new StateFileError(file, `is an SQLite database but not an ivs-replay state file (it has tables ${[...tables].join(', ')} and no simulator_state)`)
  }
  await db.transaction().execute(async (trx) => {
    await trx.schema.createTable('simulator_state').ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .modifyEnd(sql`strict`)
      .execute()
    await sql.raw(`pragma user_version = ${STATE_FORMAT}`).execute(trx)
  })
}

function failFor(file: string) {
  return (message: string, options?: { cause?: unknown }) => new StateFileError(file, message, options)
}

function isStateFileError(e: unknown): boolean {
  return e instanceof StateFileError
}
