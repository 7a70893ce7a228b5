import sqlite3 from 'sqlite3'

/**
 * Opens a sqlite3 database handle, resolving once the file is open (or rejecting with sqlite3's
 * error). `mode` is a combination of `sqlite3.OPEN_*` flags.
 *
 * ```ts
 * const db = await openSqlite3('/tmp/x.db', sqlite3.OPEN_READWRITE)
 * ```
 */
export function openSqlite3(filename: string, mode: number = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(filename, mode, (err) => (err ? reject(err) : resolve(db)))
  })
}
