import { constants as fsConstants } from 'node:fs'
import { access, mkdir, open as openFile, stat } from 'node:fs/promises'
import path from 'node:path'
import sqlite3 from 'sqlite3'
import { Kysely, sql, type Insertable, type Selectable, type Transaction } from 'kysely'
import type { HttpAnswer } from '../backend/backend.js'
import { CassetteError } from './cassette-error.js'
import type { DescribedResources } from './described-resources.js'
import type { CassetteDatabase, InteractionsTable } from './db/cassette-schema.js'
import { migrateCassette } from './db/migrate-cassette.js'
import { openSqlite3 } from './db/open-sqlite3.js'
import { ResponseReader } from './db/response-reader.js'
import { Sqlite3Dialect } from './db/sqlite3-dialect.js'

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string[]>
  headers: Record<string, string>
  body: Buffer
}

/** A recorded answer is an HTTP answer like any other (src/backend/backend.ts). */
export type RecordedResponse = HttpAnswer

export interface NewInteraction {
  operation: string
  /** Request identity hash, computed by the matcher; stored as given. */
  identity: string
  request: RecordedRequest
  response: RecordedResponse
  /** ISO-8601; defaults to now. */
  recordedAt?: string
  /** What the answer describes (computed by the recorder); absent: computed when needed. */
  resources?: DescribedResources
}

export interface Interaction extends NewInteraction {
  id: number
  /** 0, 1, 2… rank among the interactions with the same identity, in id (recording) order. */
  seq: number
  recordedAt: string
  /** When it was last replayed (see `markUsed`), null if never. */
  usedAt: string | null
}

/** A successful interaction and what its answer describes (null: not computed when recorded). */
export interface ResourceEntry {
  readonly id: number
  readonly operation: string
  readonly resources: string | null
}

/** The light part of an interaction that the replay index keeps in memory. */
export interface IndexEntry {
  readonly id: number
  readonly identity: string
  readonly seq: number
  readonly operation: string
}

export interface CassetteStoreOptions {
  /** Open without write access: no migration, no WAL checkpoint; writes fail. Default false. */
  readonly readOnly?: boolean
  /** Create the file (and its folders) when missing. Default true unless `readOnly`. */
  readonly create?: boolean
  /**
   * Open read-only instead when this process may not write the file or its folder (a read-only CI
   * volume, a checkout owned by another user): replay needs no write, and `readOnly` says which
   * it got. Default false: the read-write open fails as it would.
   */
  readonly readOnlyIfUnwritable?: boolean
}

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000
/** Ids per `IN (…)` list; SQLite allows 32766 bound parameters per statement. */
const ID_CHUNK = 10_000
/** Rows per multi-row INSERT (13 parameters each). */
const INSERT_CHUNK = 500

/**
 * A cassette: one SQLite file holding recorded interactions, cassette metadata and (optionally)
 * the simulator's state. Every write is one committed transaction before its promise resolves.
 *
 * ```ts
 * const store = await CassetteStore.open('cassettes/demo.sqlite')
 * const saved = await store.append({ operation: 'GetChannel', identity, request, response })
 * const interactions = await store.all()
 * await store.close()
 * ```
 */
export class CassetteStore {
  /** Absolute path of the cassette file. */
  readonly file: string
  readonly readOnly: boolean
  readonly #db: Kysely<CassetteDatabase>
  readonly #inFlight = new Set<Promise<unknown>>()
  #closed = false
  /** Whether the schema has the `resources` column (a read-only open may predate it). */
  #hasResources: boolean | undefined

  /** The replay hot path's one query, prepared once on the raw connection. */
  readonly #responses: ResponseReader

  private constructor(file: string, db: Kysely<CassetteDatabase>, readOnly: boolean, handle: sqlite3.Database) {
    this.#responses = new ResponseReader(handle)
    this.file = file
    this.#db = db
    this.readOnly = readOnly
  }

  /**
   * Opens (and by default creates) a cassette and brings its schema up to date. New files and
   * folders are private to the user (0600 / 0700). Refuses, with a `CassetteError` naming the file,
   * a file that is not SQLite, is corrupt, is another program's database, or was written by a newer
   * ivs-replay (a migration this code does not know).
   */
  static async open(file: string, opts: CassetteStoreOptions = {}): Promise<CassetteStore> {
    const abs = path.resolve(file)
    let readOnly = opts.readOnly ?? false
    const create = opts.create ?? !readOnly
    if (readOnly && create) throw new CassetteError(abs, 'cannot be created by a read-only open')
    await ensureFile(abs, create)
    if (!readOnly && opts.readOnlyIfUnwritable) readOnly = !(await writable(abs))

    let handle: sqlite3.Database
    try {
      handle = readOnly ? await openReadOnly(abs) : await openSqlite3(abs, sqlite3.OPEN_READWRITE)
    } catch (e) {
      throw new CassetteError(abs, `cannot be opened: ${describe(e)}`, { cause: e })
    }
    const db = new Kysely<CassetteDatabase>({ dialect: new Sqlite3Dialect({ database: handle }) })
    try {
      await configure(db, readOnly)
      await migrateCassette(db, abs, { readOnly })
    } catch (e) {
      await db.destroy().catch(() => undefined)
      if (e instanceof CassetteError) throw e
      throw new CassetteError(abs, `cannot be opened: ${describe(e)}`, { cause: e })
    }
    return new CassetteStore(abs, db, readOnly, handle)
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
    return this.#run('append', async () => {
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
    return this.#run('all', async () => {
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
    return this.#run('indexEntries', () =>
      this.#db.selectFrom('interactions').select(['id', 'identity', 'seq', 'operation'])
        .where('id', '>', afterId).orderBy('id').limit(limit).execute())
  }

  /**
   * The successful interactions after `afterId` and what each describes, a page at a time, for the
   * hybrid's recorded state. A cassette whose schema predates the `resources` column (opened
   * read-only, not migrated) answers null for every one.
   */
  resourceEntries(afterId: number, limit: number): Promise<ResourceEntry[]> {
    return this.#run('resourceEntries', async () => {
      this.#hasResources ??= (await sql<{ name: string }>`pragma table_info(interactions)`.execute(this.#db)).rows.some((c) => c.name === 'resources')
      const page = this.#db.selectFrom('interactions').where('id', '>', afterId)
        .where('response_status', '>=', 200).where('response_status', '<', 300).orderBy('id').limit(limit)
      if (this.#hasResources) return page.select(['id', 'operation', 'resources']).execute()
      return (await page.select(['id', 'operation']).execute()).map((r) => ({ ...r, resources: null }))
    })
  }

  /** The interactions with these ids that still exist, ordered by id (a few queries, not one per id). */
  byIds(ids: readonly number[]): Promise<Interaction[]> {
    return this.#run('byIds', async () => {
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
    return this.#run('get', async () => {
      const row = await this.#db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? fromRow(row) : undefined
    })
  }

  /** One interaction's recorded response, for replay (see ResponseReader: coalesced, no kysely). */
  response(id: number): Promise<RecordedResponse | undefined> {
    return this.#run('response', () => this.#responses.read(id))
  }

  /** Every interaction of one operation, ordered by id (for miss diagnostics). */
  ofOperation(operation: string): Promise<Interaction[]> {
    return this.#run('ofOperation', async () => {
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
    if (ids.length === 0) return this.#run('markUsed', async () => undefined)
    const unique = [...new Set(ids)]
    return this.#run('markUsed', () =>
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
    return this.#run('prune', () =>
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
    return this.#run('deleteUnused', () =>
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
    return this.#run('replaceAll', () =>
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
    return this.#run('getMeta', async () => {
      const row = await this.#db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst()
      return row?.value
    })
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.#run('setMeta', async () => {
      await this.#db.insertInto('meta').values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute()
    })
  }

  /** The value last saved under `key` (parsed JSON), or undefined. */
  loadState(key: string): Promise<unknown | undefined> {
    return this.#run('loadState', async () => {
      const row = await this.#db.selectFrom('simulator_state').select('value').where('key', '=', key).executeTakeFirst()
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown)
    })
  }

  /** Saves `value` as JSON under `key`, replacing what was there. */
  saveState(key: string, value: unknown): Promise<void> {
    return this.#run('saveState', async () => {
      const json = JSON.stringify(value)
      if (json === undefined) throw new TypeError(`state ${key} is not JSON-serialisable (${typeof value})`)
      const updatedAt = new Date().toISOString()
      await this.#db.insertInto('simulator_state').values({ key, value: json, updated_at: updatedAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: updatedAt })).execute()
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
    return this.#run('assertNotOpenElsewhere', async () => {
      await this.#db.connection().execute(async (db) => {
        await sql`pragma busy_timeout = 0`.execute(db)
        try {
          await sql`pragma locking_mode = exclusive`.execute(db)
          await sql`begin exclusive`.execute(db)
          await sql`commit`.execute(db)
        } catch (e) {
          if (/SQLITE_BUSY/.test(describe(e))) {
            throw new CassetteError(this.file, `is open in another process (a running ivs-replay server?); stop it before ${what}`, { cause: e })
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
    return this.#run('recordedBefore', async () => {
      const row = await this.#db.selectFrom('interactions')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('recorded_at').as('oldest')])
        .where('recorded_at', '<', iso).executeTakeFirst()
      return { count: Number(row?.count ?? 0), oldest: row?.oldest ?? null }
    })
  }

  /** `PRAGMA integrity_check`: `'ok'`, or SQLite's findings one per line. */
  integrityCheck(): Promise<string> {
    return this.#run('integrityCheck', async () => {
      const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(this.#db)
      return rows.map((r) => r.integrity_check).join('\n')
    })
  }

  /**
   * Waits for calls already made, checkpoints the WAL into the main file (so the cassette is one
   * self-contained file again) and closes. Later calls fail; closing twice is harmless.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([...this.#inFlight])
    await this.#responses.close()
    try {
      if (!this.readOnly) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(this.#db)
    } catch (e) {
      throw new CassetteError(this.file, `WAL checkpoint on close failed (the data is safe in the -wal file): ${describe(e)}`, { cause: e })
    } finally {
      await this.#db.destroy()
    }
  }

  /** Runs one operation: refused after close, tracked for close, errors named after the file. */
  #run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new CassetteError(this.file, `${action} after close()`))
    let started: Promise<T>
    try {
      started = fn()
    } catch (e) {
      started = Promise.reject(e)
    }
    const p = started.catch((e: unknown) => {
      if (e instanceof CassetteError) throw e
      throw new CassetteError(this.file, `${action} failed: ${describe(e)}`, { cause: e })
    })
    this.#inFlight.add(p)
    const forget = () => { this.#inFlight.delete(p) }
    p.then(forget, forget)
    return p
  }
}

/** Whether this process may write the file and create SQLite's -wal and -shm beside it. */
async function writable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.W_OK)
    await access(path.dirname(file), fsConstants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * A read-only handle that creates nothing beside the file. A plain read-only open of a WAL-mode
 * database creates -shm and -wal when the folder allows it and, unable to checkpoint, leaves them
 * there (they show in `git status`); where the folder is read-only it fails with SQLITE_CANTOPEN.
 * So a WAL-mode file with no -wal beside it (nobody has it open: a cassette at rest) is opened
 * `immutable`: no locks, no shared memory, no files. A -wal beside it means a writer has it open
 * (or was killed) and holds data the main file lacks: then the plain open, which reads that WAL
 * through the writer's -shm. A rollback-journal file creates nothing on a read-only open anyway.
 *
 * The one race: a writer that opens the file after this check writes to its -wal, which this
 * handle does not see, and the main file changes only at a checkpoint (1000 pages, or close), so
 * a short read-only command reads the cassette as it was when it started.
 */
async function openReadOnly(file: string): Promise<sqlite3.Database> {
  const walHeader = await isWalFile(file)
  const walBeside = await stat(`${file}-wal`).then(() => true, () => false)
  if (walHeader && !walBeside) {
    const uri = `file:${encodeURI(file).replace(/[?#]/g, encodeURIComponent)}?immutable=1`
    return openSqlite3(uri, sqlite3.OPEN_READONLY | sqlite3.OPEN_URI)
  }
  return openSqlite3(file, sqlite3.OPEN_READONLY)
}

/** Bytes 18 and 19 of an SQLite header are 2 in WAL mode (sqlite.org/fileformat2.html). */
async function isWalFile(file: string): Promise<boolean> {
  const handle = await openFile(file, 'r')
  try {
    const header = Buffer.alloc(20)
    const { bytesRead } = await handle.read(header, 0, 20, 0)
    return bytesRead === 20 && header[18] === 2 && header[19] === 2
  } finally {
    await handle.close()
  }
}

/** Creates the cassette file (0600) and its folders (0700) if allowed and missing. */
async function ensureFile(file: string, create: boolean): Promise<void> {
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new CassetteError(file, 'is not a regular file')
    return
  } catch (e) {
    if (e instanceof CassetteError) throw e
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CassetteError(file, `cannot be read: ${describe(e)}`, { cause: e })
  }
  if (!create) throw new CassetteError(file, 'does not exist')
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    // Created here rather than by SQLite so the mode is ours; SQLite gives the -wal and -shm files
    // the same mode as the database file.
    const handle = await openFile(file, 'wx', 0o600)
    await handle.close()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return // another process created it first
    throw new CassetteError(file, `cannot be created: ${describe(e)}`, { cause: e })
  }
}

/**
 * Per-connection settings.
 *
 * Durability: in WAL mode a COMMIT has written the transaction's pages to the -wal file with
 * write(2) before sqlite3_step returns, i.e. before `append` resolves. With synchronous=NORMAL the
 * WAL is fsync'ed only at checkpoints, but data handed to write(2) sits in the kernel's page cache,
 * which outlives the process: a SIGKILL, crash or OOM kill of ivs-replay loses nothing committed.
 * Only an OS crash or power cut can lose the last commits, and even then the file stays consistent
 * (recovery stops at the last intact commit frame). synchronous=FULL would fsync on every commit to
 * cover that too.
 */
async function configure(db: Kysely<CassetteDatabase>, readOnly: boolean): Promise<void> {
  await sql`pragma busy_timeout = ${sql.raw(String(BUSY_TIMEOUT_MS))}`.execute(db)
  // Reading the header here is also what rejects a non-SQLite file (SQLITE_NOTADB).
  await sql`pragma schema_version`.execute(db)
  if (!readOnly) {
    const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode = WAL`.execute(db)
    const mode = rows[0]?.journal_mode
    // Should a file system refuse WAL, the rollback journal with FULL is durable on its own.
    await sql.raw(`pragma synchronous = ${mode === 'wal' ? 'NORMAL' : 'FULL'}`).execute(db)
  }
  await sql`pragma foreign_keys = ON`.execute(db)
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

function toRow(item: NewInteraction, seq: number, recordedAt: string): Insertable<InteractionsTable> {
  const { request, response } = item
  return {
    operation: item.operation,
    identity: item.identity,
    seq,
    request_method: request.method,
    request_path: request.path,
    request_query: JSON.stringify(request.query),
    request_headers: JSON.stringify(request.headers),
    request_body: request.body,
    response_status: response.status,
    response_headers: JSON.stringify(response.headers),
    response_body: response.body,
    recorded_at: recordedAt,
    used_at: null,
    resources: item.resources ? JSON.stringify(item.resources) : null,
  }
}

function fromRow(row: Selectable<InteractionsTable>): Interaction {
  return {
    id: row.id,
    operation: row.operation,
    identity: row.identity,
    seq: row.seq,
    request: {
      method: row.request_method,
      path: row.request_path,
      query: JSON.parse(row.request_query) as Record<string, string[]>,
      headers: JSON.parse(row.request_headers) as Record<string, string>,
      body: row.request_body,
    },
    response: {
      status: row.response_status,
      headers: JSON.parse(row.response_headers) as Record<string, string>,
      body: row.response_body,
    },
    recordedAt: row.recorded_at,
    usedAt: row.used_at,
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
