import path from 'node:path'
import { sql, type Kysely, type Transaction } from 'kysely'
import { CassetteError } from '../cassette-error.js'
import type {
  CassetteStore, CassetteStoreOptions, IndexEntry, Interaction, NewInteraction, RecordedResponse, ResourceEntry,
} from '../storage.js'
import { StoreCalls, describe } from '../store-calls.js'
import type { CassetteDatabase } from '../cassette-schema.js'
import { fromRow, toRow } from '../interaction-rows.js'
import { migrateCassette } from './migrate-cassette.js'
import { ResponseReader } from './response-reader.js'
import { BUSY_TIMEOUT_MS, closeSqliteFile, openSqliteFile, type SqliteFile } from './sqlite-file.js'

/** Ids per `IN (…)` list; SQLite allows 32766 bound parameters per statement. */
const ID_CHUNK = 10_000
/** Rows per multi-row INSERT (13 parameters each). */
const INSERT_CHUNK = 500

/**
 * A cassette: one SQLite file holding recorded interactions and cassette metadata (the schema is
 * migrations/*.ts, typed in cassette-schema.ts). Every write is one committed transaction before
 * its promise resolves.
 *
 * ```ts
 * const store = await SqliteCassetteStore.open('cassettes/demo.cassette')
 * const saved = await store.append({ operation: 'GetChannel', identity, request, response })
 * const first = await store.indexEntries(0, 100)
 * await store.close()
 * ```
 */
export class SqliteCassetteStore implements CassetteStore {
  /** Absolute path of the cassette file. */
  readonly location: string
  readonly readOnly: boolean
  readonly #file: SqliteFile<CassetteDatabase>
  readonly #db: Kysely<CassetteDatabase>
  readonly #calls: StoreCalls
  /** Whether the schema has the `resources` column (a read-only open may predate it). */
  #hasResources: boolean | undefined

  /** The replay hot path's one query, prepared once on the raw connection. */
  readonly #responses: ResponseReader

  private constructor(file: SqliteFile<CassetteDatabase>) {
    this.#file = file
    this.location = file.file
    this.readOnly = file.readOnly
    this.#db = file.db
    this.#responses = new ResponseReader(file.handle)
    this.#calls = new StoreCalls(failFor(file.file), isCassetteError)
  }

  /**
   * Opens (and by default creates) a cassette and brings its schema up to date. New files and
   * folders are private to the user (0600 / 0700). Refuses, with a `CassetteError` naming the file,
   * a file that is not SQLite, is corrupt, is another program's database, or was written by a newer
   * ivs-replay (a migration this code does not know).
   */
  static async open(file: string, options: CassetteStoreOptions = {}): Promise<SqliteCassetteStore> {
    const abs = path.resolve(file)
    const opened = await openSqliteFile<CassetteDatabase>(abs, {
      options, fail: failFor(abs), isOwn: isCassetteError,
      prepare: async (db, readOnly) => { await migrateCassette(db, abs, { readOnly }) },
    })
    return new SqliteCassetteStore(opened)
  }

  /**
   * Records one interaction in its own transaction: seq is the next rank for its identity. Calls
   * may overlap; they are serialised, so seq never repeats or interleaves. Resolves after COMMIT.
   */
  append(item: NewInteraction): Promise<Interaction> {
    // One statement, so one commit: the next seq is computed inside the INSERT, which SQLite runs
    // as its own transaction (write lock from its first step, committed before it reports back).
    // BEGIN IMMEDIATE + SELECT max(seq) + INSERT + COMMIT cost four trips to node-sqlite3's thread
    // pool for the same guarantee; the record path's profile showed them (BENCHMARKS.md notes).
    return this.#calls.run('append', async () => {
      const recordedAt = item.recordedAt ?? new Date().toISOString()
      const row = toRow(item, 0, recordedAt)
      const { rows } = await sql<{ id: number; seq: number }>`
        insert into interactions (operation, identity, seq, request_method, request_path, request_query, request_headers,
          request_body, response_status, response_headers, response_body, resources, recorded_at, used_at)
        values (${row.operation}, ${row.identity},
          (select coalesce(max(seq) + 1, 0) from interactions where identity = ${row.identity}),
          ${row.request_method}, ${row.request_path}, ${row.request_query}, ${row.request_headers}, ${row.request_body},
          ${row.response_status}, ${row.response_headers}, ${row.response_body}, ${row.resources}, ${recordedAt}, null)
        returning id, seq`.execute(this.#db)
      const inserted = rows[0]
      if (inserted === undefined) throw new Error('SQLite reported no id for the inserted interaction')
      return { ...item, id: Number(inserted.id), seq: Number(inserted.seq), recordedAt, usedAt: null }
    })
  }

  /** Every interaction, ordered by id, in one query (meant for building an in-memory index). */
  all(): Promise<Interaction[]> {
    return this.#calls.run('all', async () => {
      const rows = await this.#db.selectFrom('interactions').selectAll().orderBy('id').execute()
      return rows.map(fromRow)
    })
  }

  /**
   * The replay index: every interaction's id, identity, seq and operation, and nothing heavier, so
   * a cassette of 100,000 interactions opens in well under a second and a few MB. Bodies are read
   * by id when a replay needs them. `afterId` and `limit` read it a page at a time.
   */
  indexEntries(afterId = 0, limit = 1_000_000_000): Promise<IndexEntry[]> {
    return this.#calls.run('indexEntries', () =>
      this.#db.selectFrom('interactions').select(['id', 'identity', 'seq', 'operation'])
        .where('id', '>', afterId).orderBy('id').limit(limit).execute())
  }

  /**
   * The successful interactions after `afterId` and what each describes, a page at a time, for the
   * hybrid's recorded state. A cassette whose schema predates the `resources` column (opened
   * read-only, not migrated) answers null for every one.
   */
  resourceEntries(afterId: number, limit: number): Promise<ResourceEntry[]> {
    return this.#calls.run('resourceEntries', async () => {
      this.#hasResources ??= (await sql<{ name: string }>`pragma table_info(interactions)`.execute(this.#db)).rows.some((c) => c.name === 'resources')
      const page = this.#db.selectFrom('interactions').where('id', '>', afterId)
        .where('response_status', '>=', 200).where('response_status', '<', 300).orderBy('id').limit(limit)
      if (this.#hasResources) return page.select(['id', 'operation', 'resources']).execute()
      return (await page.select(['id', 'operation']).execute()).map((r) => ({ ...r, resources: null }))
    })
  }

  /** The interactions with these ids that still exist, ordered by id (a few queries, not one per id). */
  byIds(ids: readonly number[]): Promise<Interaction[]> {
    return this.#calls.run('byIds', async () => {
      const out: Interaction[] = []
      for (const chunk of chunks(ids, INSERT_CHUNK)) {
        const rows = await this.#db.selectFrom('interactions').selectAll().where('id', 'in', chunk).orderBy('id').execute()
        for (const row of rows) out.push(fromRow(row))
      }
      return out.sort((a, b) => a.id - b.id)
    })
  }

  /** One interaction by id, or undefined when it is gone (pruned, replaced by an import). */
  get(id: number): Promise<Interaction | undefined> {
    return this.#calls.run('get', async () => {
      const row = await this.#db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? fromRow(row) : undefined
    })
  }

  /** One interaction's recorded response, for replay (see ResponseReader: coalesced, no kysely). */
  response(id: number): Promise<RecordedResponse | undefined> {
    return this.#calls.run('response', () => this.#responses.read(id))
  }

  /** Every interaction of one operation, ordered by id (for miss diagnostics). */
  ofOperation(operation: string): Promise<Interaction[]> {
    return this.#calls.run('ofOperation', async () => {
      const rows = await this.#db.selectFrom('interactions').selectAll().where('operation', '=', operation).orderBy('id').execute()
      return rows.map(fromRow)
    })
  }

  /**
   * Stamps `used_at` (default now) on the given interactions that have none yet, in one
   * transaction: only a first use is recorded, so replaying a cassette again rewrites no row and
   * leaves its file as it was (and `prune` only asks whether the stamp is there).
   */
  markUsed(ids: readonly number[], at: string = new Date().toISOString()): Promise<void> {
    if (ids.length === 0) return this.#calls.run('markUsed', async () => undefined)
    const unique = [...new Set(ids)]
    return this.#calls.run('markUsed', () =>
      this.#db.transaction().execute(async (trx) => {
        for (const chunk of chunks(unique, ID_CHUNK)) {
          await trx.updateTable('interactions').set({ used_at: at }).where('id', 'in', chunk).where('used_at', 'is', null).execute()
        }
      }))
  }

  /**
   * Deletes every interaction whose id is not in `keepIds`, in one transaction, and renumbers seq
   * so each identity's survivors are again 0, 1, 2… in id order. Returns how many were deleted.
   */
  prune(keepIds: ReadonlySet<number>): Promise<number> {
    return this.#calls.run('prune', () =>
      this.#db.transaction().execute(async (trx) => {
        const ids = await trx.selectFrom('interactions').select('id').execute()
        const doomed = ids.map((r) => r.id).filter((id) => !keepIds.has(id))
        for (const chunk of chunks(doomed, ID_CHUNK)) {
          await trx.deleteFrom('interactions').where('id', 'in', chunk).execute()
        }
        if (doomed.length > 0) await renumberSeq(trx)
        return doomed.length
      }))
  }

  /** Deletes every interaction never replayed (`usedAt` null), like `prune`. Returns the count. */
  deleteUnused(): Promise<number> {
    return this.#calls.run('deleteUnused', () =>
      this.#db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('interactions').where('used_at', 'is', null).executeTakeFirst()
        const deleted = Number(result.numDeletedRows)
        if (deleted > 0) await renumberSeq(trx)
        return deleted
      }))
  }

  /**
   * Replaces all interactions with `items` (an import), in one transaction: either the whole new
   * set is stored or the old one is kept. seq is recomputed from the order of `items`. Ids keep
   * growing (AUTOINCREMENT), so an id from before the import never names an imported interaction.
   */
  replaceAll(items: readonly NewInteraction[]): Promise<void> {
    return this.#calls.run('replaceAll', () =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('interactions').execute()
        const nextSeqOf = new Map<string, number>()
        const now = new Date().toISOString()
        const rows = items.map((item) => {
          const seq = nextSeqOf.get(item.identity) ?? 0
          nextSeqOf.set(item.identity, seq + 1)
          return toRow(item, seq, item.recordedAt ?? now)
        })
        for (const chunk of chunks(rows, INSERT_CHUNK)) {
          await trx.insertInto('interactions').values(chunk).execute()
        }
      }))
  }

  getMeta(key: string): Promise<string | undefined> {
    return this.#calls.run('getMeta', async () => {
      const row = await this.#db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst()
      return row?.value
    })
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.#calls.run('setMeta', async () => {
      await this.#db.insertInto('meta').values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute()
    })
  }

  /**
   * Refuses, with a `CassetteError`, a cassette another connection holds open (a running server
   * in any mode but simulate). Every WAL-mode connection keeps a SHARED lock on the database file
   * while it is open, so an EXCLUSIVE lock is granted only when no one else has the file open. The
   * locks are the kernel's (fcntl): a server killed with SIGKILL holds none, so a crash never
   * leaves the cassette locked. The lock is released again at once; what follows runs as usual.
   */
  assertNotOpenElsewhere(what: string): Promise<void> {
    return this.#calls.run('assertNotOpenElsewhere', async () => {
      await this.#db.connection().execute(async (db) => {
        await sql`pragma busy_timeout = 0`.execute(db)
        try {
          await sql`pragma locking_mode = exclusive`.execute(db)
          await sql`begin exclusive`.execute(db)
          await sql`commit`.execute(db)
        } catch (e) {
          if (/SQLITE_BUSY/.test(describe(e))) {
            throw new CassetteError(this.location, `is open in another process (a running ivs-replay server?); stop it before ${what}`, { cause: e })
          }
          throw e
        } finally {
          // Back to normal locking: the next access releases the exclusive lock.
          await sql`pragma locking_mode = normal`.execute(db)
          await sql`select count(*) from sqlite_master`.execute(db)
          await sql`pragma busy_timeout = ${sql.raw(String(BUSY_TIMEOUT_MS))}`.execute(db)
        }
      })
    })
  }

  /** How many interactions were recorded before `iso`, and the oldest `recordedAt` (for age warnings). */
  recordedBefore(iso: string): Promise<{ count: number; oldest: string | null }> {
    return this.#calls.run('recordedBefore', async () => {
      const row = await this.#db.selectFrom('interactions')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('recorded_at').as('oldest')])
        .where('recorded_at', '<', iso).executeTakeFirst()
      return { count: Number(row?.count ?? 0), oldest: row?.oldest ?? null }
    })
  }

  /** `PRAGMA integrity_check`: `'ok'`, or SQLite's findings one per line. */
  integrityCheck(): Promise<string> {
    return this.#calls.run('integrityCheck', async () => {
      const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(this.#db)
      return rows.map((r) => r.integrity_check).join('\n')
    })
  }

  /**
   * Waits for calls already made, checkpoints the WAL into the main file (so the cassette is one
   * self-contained file again) and closes. Later calls fail; closing twice is harmless.
   */
  async close(): Promise<void> {
    if (!(await this.#calls.close())) return
    await this.#responses.close()
    await closeSqliteFile(this.#file, failFor(this.location))
  }
}

function failFor(file: string) {
  return (message: string, options?: { cause?: unknown }) => new CassetteError(file, message, options)
}

function isCassetteError(e: unknown): boolean {
  return e instanceof CassetteError
}

/**
 * Restores "seq = rank by id within the identity" after deletions. Rows that need a new seq are
 * first moved to negative numbers, so the unique (identity, seq) index never sees a transient clash.
 */
async function renumberSeq(trx: Transaction<CassetteDatabase>): Promise<void> {
  await sql`
    update interactions set seq = -1 - seq
    where id in (
      select id from (
        select id, seq, row_number() over (partition by identity order by id) - 1 as rank from interactions
      ) where seq <> rank
    )`.execute(trx)
  await sql`
    update interactions set seq = ranked.rank
    from (select id, row_number() over (partition by identity order by id) - 1 as rank from interactions) as ranked
    where ranked.id = interactions.id and interactions.seq < 0`.execute(trx)
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}
