// Opening an SQLite file for a store (a cassette, a state file): created private, WAL mode, a busy
// timeout, read-only without leaving files behind. What is SQLite's own lives here, so the stores
// above it are kysely queries.
import { constants as fsConstants } from 'node:fs'
import { access, mkdir, open as openFile, stat } from 'node:fs/promises'
import path from 'node:path'
import sqlite3 from 'sqlite3'
import { Kysely, sql } from 'kysely'
import type { CassetteStoreOptions } from '../storage.js'
import { describe, type StoreErrorFactory } from '../store-calls.js'
import { openSqlite3 } from './open-sqlite3.js'
import { Sqlite3Dialect } from './sqlite3-dialect.js'

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000

export interface SqliteFile<DB> {
  /** Absolute path. */
  readonly file: string
  readonly readOnly: boolean
  readonly db: Kysely<DB>
  /** The raw handle under `db`, for a statement prepared outside kysely. */
  readonly handle: sqlite3.Database
}

export interface OpenSqliteFile<DB> {
  readonly options: CassetteStoreOptions
  /** The store's error, for every refusal and failure. */
  readonly fail: StoreErrorFactory
  /** Whether an error thrown by `prepare` is already the store's own. */
  readonly isOwn: (e: unknown) => boolean
  /** Checks and brings the schema up to date (run once, after the connection is configured). */
  readonly prepare: (db: Kysely<DB>, readOnly: boolean) => Promise<void>
}

/**
 * Opens (and by default creates) an SQLite file. New files and folders are private to the user
 * (0600 / 0700). A file that is not SQLite, or is corrupt, is refused through `fail`, as is
 * anything `prepare` refuses; the handle is closed again on every refusal.
 */
export async function openSqliteFile<DB>(file: string, o: OpenSqliteFile<DB>): Promise<SqliteFile<DB>> {
  const { options, fail } = o
  let readOnly = options.readOnly ?? false
  const create = options.create ?? !readOnly
  if (readOnly && create) throw fail('cannot be created by a read-only open')
  await ensureFile(file, create, fail)
  if (!readOnly && options.readOnlyIfUnwritable) readOnly = !(await writable(file))

  let handle: sqlite3.Database
  try {
    handle = readOnly ? await openReadOnly(file) : await openSqlite3(file, sqlite3.OPEN_READWRITE)
  } catch (e) {
    throw fail(`cannot be opened: ${describe(e)}`, { cause: e })
  }
  const db = new Kysely<DB>({ dialect: new Sqlite3Dialect({ database: handle }) })
  try {
    await configure(db, readOnly)
    await o.prepare(db, readOnly)
  } catch (e) {
    await db.destroy().catch(() => undefined)
    if (o.isOwn(e)) throw e
    throw fail(`cannot be opened: ${describe(e)}`, { cause: e })
  }
  return { file, readOnly, db, handle }
}

/** Checkpoints the WAL into the main file (so it is one self-contained file again) and closes. */
export async function closeSqliteFile<DB>(f: SqliteFile<DB>, fail: StoreErrorFactory): Promise<void> {
  try {
    if (!f.readOnly) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(f.db)
  } catch (e) {
    throw fail(`WAL checkpoint on close failed (the data is safe in the -wal file): ${describe(e)}`, { cause: e })
  } finally {
    await f.db.destroy()
  }
}

/** The names of the file's own tables (not SQLite's). */
export async function tableNames<DB>(db: Kysely<DB>): Promise<Set<string>> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
  return new Set(tables.rows.map((r) => r.name))
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
 * So a WAL-mode file with no -wal beside it (nobody has it open: a file at rest) is opened
 * `immutable`: no locks, no shared memory, no files. A -wal beside it means a writer has it open
 * (or was killed) and holds data the main file lacks: then the plain open, which reads that WAL
 * through the writer's -shm. A rollback-journal file creates nothing on a read-only open anyway.
 *
 * The one race: a writer that opens the file after this check writes to its -wal, which this
 * handle does not see, and the main file changes only at a checkpoint (1000 pages, or close), so
 * a short read-only command reads the file as it was when it started.
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

/** Creates the file (0600) and its folders (0700) if allowed and missing. */
async function ensureFile(file: string, create: boolean, fail: StoreErrorFactory): Promise<void> {
  try {
    const s = await stat(file)
    if (!s.isFile()) throw fail('is not a regular file')
    return
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === undefined) throw e // ours, from just above
    if (code !== 'ENOENT') throw fail(`cannot be read: ${describe(e)}`, { cause: e })
  }
  if (!create) throw fail('does not exist')
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    // Created here rather than by SQLite so the mode is ours; SQLite gives the -wal and -shm files
    // the same mode as the database file.
    const handle = await openFile(file, 'wx', 0o600)
    await handle.close()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return // another process created it first
    throw fail(`cannot be created: ${describe(e)}`, { cause: e })
  }
}

/**
 * Per-connection settings.
 *
 * Durability: in WAL mode a COMMIT has written the transaction's pages to the -wal file with
 * write(2) before sqlite3_step returns, i.e. before a write's promise resolves. With
 * synchronous=NORMAL the WAL is fsync'ed only at checkpoints, but data handed to write(2) sits in
 * the kernel's page cache, which outlives the process: a SIGKILL, crash or OOM kill of ivs-replay
 * loses nothing committed. Only an OS crash or power cut can lose the last commits, and even then
 * the file stays consistent (recovery stops at the last intact commit frame). synchronous=FULL
 * would fsync on every commit to cover that too.
 */
async function configure<DB>(db: Kysely<DB>, readOnly: boolean): Promise<void> {
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
