import type sqlite3 from 'sqlite3'
import {
  DeleteQueryNode, InsertQueryNode, SelectQueryNode, UpdateQueryNode,
  type CompiledQuery, type DatabaseConnection, type QueryResult,
} from 'kysely'

/** One kysely connection over a sqlite3 handle. Callers serialise access (see `Sqlite3Driver`). */
export class Sqlite3Connection implements DatabaseConnection {
  readonly #db: sqlite3.Database

  constructor(db: sqlite3.Database) {
    this.#db = db
  }

  executeQuery<R>({ sql, parameters, query }: CompiledQuery): Promise<QueryResult<R>> {
    const params = parameters as unknown[]
    // INSERT/UPDATE/DELETE without RETURNING go through run(), which reports `changes` and `lastID`;
    // everything else (SELECT, RETURNING, raw SQL, PRAGMA) through all(). Raw `sql` writes therefore
    // report no numAffectedRows: use the query builder when the count matters.
    const isWrite = (InsertQueryNode.is(query) || UpdateQueryNode.is(query) || DeleteQueryNode.is(query)) && !query.returning
    if (!isWrite) {
      return new Promise((resolve, reject) =>
        this.#db.all<R>(sql, params, (err, rows) => (err ? reject(err) : resolve({ rows }))))
    }
    return new Promise((resolve, reject) =>
      this.#db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) return reject(err)
        resolve({ rows: [], numAffectedRows: BigInt(this.changes), insertId: BigInt(this.lastID) })
      }))
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('the sqlite3 driver only streams SELECT queries')
    // sqlite3 has no cursor API that fits an async iterator; read everything, hand out row by row.
    const { rows } = await this.executeQuery<R>(compiledQuery)
    for (const row of rows) yield { rows: [row] }
  }
}
