// Reads recorded responses by interaction id: the one query replay runs per request it has not
// answered from memory, so it bypasses kysely and coalesces.
//
// - Prepared once, run with all(): node-sqlite3's get() leaves a statement open on its row (a read
//   lock that blocks WAL checkpoints) and needs a reset() after it, a second trip through the
//   thread pool. all() steps to the end, which releases the lock, in one trip: 12–15 µs a read here
//   against 21–24 µs for get() + reset().
// - One query in flight: ids asked for while it runs go together in the next one (json_each binds
//   the list as one parameter, so its statement is prepared once too): 32 at a time cost ~5 µs each.
//   A lone request waits for nothing.
import type sqlite3 from 'sqlite3'
import type { RecordedResponse } from '../storage.js'

interface Waiter {
  readonly resolve: (response: RecordedResponse | undefined) => void
  readonly reject: (err: Error) => void
}

interface ResponseRow {
  readonly id: number
  readonly response_status: number
  readonly response_headers: string
  readonly response_body: Buffer
}

const COLUMNS = 'id, response_status, response_headers, response_body'
/** Distinct header sets kept for sharing; past it, responses get their own (still correct). */
const MAX_HEADER_SETS = 256
/** Ids per coalesced query: bounds one trip's memory and how long its callback holds the loop. */
const MAX_BATCH = 256

export class ResponseReader {
  readonly #one: sqlite3.Statement
  readonly #many: sqlite3.Statement
  #waiting = new Map<number, Waiter[]>()
  /**
   * Parsed header sets by their JSON text: recordings share a handful (content-type, the error
   * type), so cached responses share the objects instead of holding one each.
   */
  readonly #headerSets = new Map<string, Record<string, string>>()
  #reading = false

  /** Settles when both statements are prepared; a failed prepare is kept and fails every read. */
  readonly #ready: Promise<void>
  #prepared = false
  #failure: Error | undefined
  /** The statements that did prepare: only those can be finalized (a failed one never calls back). */
  readonly #live: sqlite3.Statement[] = []

  constructor(db: sqlite3.Database) {
    // With a callback, a failed prepare is reported there: without one, node-sqlite3 emits it as an
    // unhandled 'error' (a crash) and never calls back the reads queued behind it (a hang).
    let whenPrepared!: () => void
    this.#ready = new Promise<void>((resolve) => (whenPrepared = resolve))
    let pending = 2
    const prepared = (statement: () => sqlite3.Statement) => (err: Error | null) => {
      if (err) this.#failure ??= err
      else this.#live.push(statement())
      if (--pending > 0) return
      this.#prepared = true
      whenPrepared()
    }
    this.#one = db.prepare(`SELECT ${COLUMNS} FROM interactions WHERE id = ?`, prepared(() => this.#one))
    this.#many = db.prepare(`SELECT ${COLUMNS} FROM interactions WHERE id IN (SELECT value FROM json_each(?))`, prepared(() => this.#many))
  }

  /** The recorded response of interaction `id`, or undefined when there is no such interaction. */
  read(id: number): Promise<RecordedResponse | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(id)
      if (waiters) waiters.push({ resolve, reject })
      else this.#waiting.set(id, [{ resolve, reject }])
      if (!this.#reading) this.#next()
    })
  }

  /** Finalizes the statements once nothing is waiting (the store has waited for its reads). */
  async close(): Promise<void> {
    await this.#ready
    await Promise.all(this.#live.map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))))
  }

  readonly #headers = (json: string): Record<string, string> => {
    let parsed = this.#headerSets.get(json)
    if (parsed === undefined) {
      parsed = Object.freeze(JSON.parse(json) as Record<string, string>)
      if (this.#headerSets.size < MAX_HEADER_SETS) this.#headerSets.set(json, parsed)
    }
    return parsed
  }

  #next(): void {
    if (this.#waiting.size === 0) {
      this.#reading = false
      return
    }
    this.#reading = true
    if (!this.#prepared) {
      void this.#ready.then(() => this.#next())
      return
    }
    if (this.#failure) {
      const failed = this.#waiting
      this.#waiting = new Map()
      settle(failed, this.#failure, [], this.#headers)
      this.#reading = false
      return
    }
    let batch = this.#waiting
    if (batch.size > MAX_BATCH) {
      batch = new Map([...batch].slice(0, MAX_BATCH))
      for (const id of batch.keys()) this.#waiting.delete(id)
    } else {
      this.#waiting = new Map()
    }
    const done = (err: Error | null, rows: ResponseRow[]) => {
      try {
        settle(batch, err, rows, this.#headers)
      } finally {
        this.#next()
      }
    }
    if (batch.size === 1) this.#one.all(batch.keys().next().value!, done)
    else this.#many.all(JSON.stringify([...batch.keys()]), done)
  }
}

function settle(batch: Map<number, Waiter[]>, err: Error | null, rows: ResponseRow[], headers: (json: string) => Record<string, string>): void {
  const byId = new Map<number, ResponseRow>()
  if (!err) for (const row of rows) byId.set(row.id, row)
  for (const [id, waiters] of batch) {
    let response: RecordedResponse | undefined
    try {
      if (err) throw err
      const row = byId.get(id)
      // A row whose headers are not JSON fails its own readers only, never the batch.
      response = row && { status: row.response_status, headers: headers(row.response_headers), body: row.response_body }
    } catch (e) {
      for (const w of waiters) w.reject(e instanceof Error ? e : new Error(String(e)))
      continue
    }
    for (const w of waiters) w.resolve(response)
  }
}
