// A cassette store in memory, with the SQLite store's semantics: the same row shape and mapping
// (interaction-rows.ts), the same column types enforced (the SQLite tables are STRICT), ids never
// reused, seq renumbered after deletions, first uses stamped once, writes refused when read-only,
// and the same errors. test/cassette-store.test.ts runs one suite against both to keep it so.
//
// A MemoryCassette is the "file": it outlives the stores opened on it, so a test can close a store,
// open another on the same cassette (read-only, say) and see what the first one wrote.
import type { Insertable, Selectable } from 'kysely'
import { CassetteError } from './cassette-error.js'
import type { InteractionsTable } from './cassette-schema.js'
import { fromRow, toRow } from './interaction-rows.js'
import type { CassetteStore, IndexEntry, Interaction, NewInteraction, RecordedResponse, ResourceEntry } from './storage.js'
import { StoreCalls } from './store-calls.js'

type Row = Selectable<InteractionsTable>

/** What a cassette holds, in memory. */
export class MemoryCassette {
  /** How it is named in messages (`cassette <location>: …`). */
  readonly location: string
  /** In id order (ids only grow, and an import appends its rows after every earlier id). */
  rows: Row[] = []
  nextId = 1
  readonly meta = new Map<string, string>()
  /** The stores open on it now (for assertNotOpenElsewhere). */
  readonly stores = new Set<MemoryCassetteStore>()

  constructor(name = 'cassette') {
    this.location = `memory:${name}`
  }
}

export interface MemoryCassetteOptions {
  /** Reads only: every write rejects, as on a read-only SQLite file. Default false. */
  readonly readOnly?: boolean
}

export class MemoryCassetteStore implements CassetteStore {
  readonly location: string
  readonly readOnly: boolean
  readonly #cassette: MemoryCassette
  readonly #calls: StoreCalls

  private constructor(cassette: MemoryCassette, readOnly: boolean) {
    this.#cassette = cassette
    this.location = cassette.location
    this.readOnly = readOnly
    this.#calls = new StoreCalls(
      (message, options) => new CassetteError(cassette.location, message, options),
      (e) => e instanceof CassetteError,
    )
  }

  /** Opens a store on `cassette` (a new, empty one by default). */
  static async open(cassette = new MemoryCassette(), options: MemoryCassetteOptions = {}): Promise<MemoryCassetteStore> {
    const store = new MemoryCassetteStore(cassette, options.readOnly ?? false)
    cassette.stores.add(store)
    return store
  }

  append(item: NewInteraction): Promise<Interaction> {
    return this.#calls.run('append', async () => {
      this.#writable()
      const c = this.#cassette
      const recordedAt = item.recordedAt ?? new Date().toISOString()
      let seq = 0
      for (const r of c.rows) if (r.identity === item.identity && r.seq >= seq) seq = r.seq + 1
      const row = stored(toRow(item, seq, recordedAt), c.nextId)
      c.nextId++
      c.rows.push(row)
      return { ...item, id: row.id, seq, recordedAt, usedAt: null }
    })
  }

  all(): Promise<Interaction[]> {
    return this.#calls.run('all', async () => this.#cassette.rows.map(read))
  }

  indexEntries(afterId = 0, limit = 1_000_000_000): Promise<IndexEntry[]> {
    return this.#calls.run('indexEntries', async () =>
      this.#cassette.rows.filter((r) => r.id > afterId).slice(0, limit)
        .map((r) => ({ id: r.id, identity: r.identity, seq: r.seq, operation: r.operation })))
  }

  resourceEntries(afterId: number, limit: number): Promise<ResourceEntry[]> {
    return this.#calls.run('resourceEntries', async () =>
      this.#cassette.rows.filter((r) => r.id > afterId && r.response_status >= 200 && r.response_status < 300).slice(0, limit)
        .map((r) => ({ id: r.id, operation: r.operation, resources: r.resources })))
  }

  byIds(ids: readonly number[]): Promise<Interaction[]> {
    return this.#calls.run('byIds', async () => {
      const wanted = new Set(ids)
      return this.#cassette.rows.filter((r) => wanted.has(r.id)).map(read)
    })
  }

  get(id: number): Promise<Interaction | undefined> {
    return this.#calls.run('get', async () => {
      const row = this.#cassette.rows.find((r) => r.id === id)
      return row && read(row)
    })
  }

  response(id: number): Promise<RecordedResponse | undefined> {
    return this.#calls.run('response', async () => {
      const row = this.#cassette.rows.find((r) => r.id === id)
      return row && read(row).response
    })
  }

  ofOperation(operation: string): Promise<Interaction[]> {
    return this.#calls.run('ofOperation', async () => this.#cassette.rows.filter((r) => r.operation === operation).map(read))
  }

  markUsed(ids: readonly number[], at: string = new Date().toISOString()): Promise<void> {
    return this.#calls.run('markUsed', async () => {
      if (ids.length === 0) return
      this.#writable()
      const wanted = new Set(ids)
      for (const r of this.#cassette.rows) if (wanted.has(r.id) && r.used_at === null) r.used_at = at
    })
  }

  prune(keepIds: ReadonlySet<number>): Promise<number> {
    return this.#calls.run('prune', async () => this.#delete((r) => !keepIds.has(r.id)))
  }

  deleteUnused(): Promise<number> {
    return this.#calls.run('deleteUnused', async () => {
      this.#writable() // a DELETE, even of nothing, is a write
      return this.#delete((r) => r.used_at === null)
    })
  }

  replaceAll(items: readonly NewInteraction[]): Promise<void> {
    return this.#calls.run('replaceAll', async () => {
      this.#writable()
      const c = this.#cassette
      const nextSeqOf = new Map<string, number>()
      const now = new Date().toISOString()
      // Every row is built (and checked) before any is stored: a bad item keeps the old set.
      const rows = items.map((item, k) => {
        const seq = nextSeqOf.get(item.identity) ?? 0
        nextSeqOf.set(item.identity, seq + 1)
        return stored(toRow(item, seq, item.recordedAt ?? now), c.nextId + k)
      })
      c.rows = rows
      c.nextId += rows.length
    })
  }

  getMeta(key: string): Promise<string | undefined> {
    return this.#calls.run('getMeta', async () => this.#cassette.meta.get(key))
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.#calls.run('setMeta', async () => {
      this.#writable()
      if (typeof key !== 'string' || typeof value !== 'string') throw new TypeError('cannot store a non-TEXT value in TEXT column meta.value')
      this.#cassette.meta.set(key, value)
    })
  }

  assertNotOpenElsewhere(what: string): Promise<void> {
    return this.#calls.run('assertNotOpenElsewhere', async () => {
      if ([...this.#cassette.stores].some((s) => s !== this)) {
        throw new CassetteError(this.location, `is open in another store (a running ivs-replay server?); stop it before ${what}`)
      }
    })
  }

  recordedBefore(iso: string): Promise<{ count: number; oldest: string | null }> {
    return this.#calls.run('recordedBefore', async () => {
      let count = 0
      let oldest: string | null = null
      for (const r of this.#cassette.rows) {
        if (r.recorded_at >= iso) continue
        count++
        if (oldest === null || r.recorded_at < oldest) oldest = r.recorded_at
      }
      return { count, oldest }
    })
  }

  /** Memory cannot be corrupt: always `'ok'`. */
  integrityCheck(): Promise<string> {
    return this.#calls.run('integrityCheck', async () => 'ok')
  }

  async close(): Promise<void> {
    if (!(await this.#calls.close())) return
    this.#cassette.stores.delete(this)
  }

  #writable(): void {
    if (this.readOnly) throw new Error('attempt to write a readonly store')
  }

  /** Deletes the rows that match, then renumbers seq: each identity's survivors 0, 1, 2… in id order. */
  #delete(doomed: (r: Row) => boolean): number {
    const c = this.#cassette
    const kept = c.rows.filter((r) => !doomed(r))
    const deleted = c.rows.length - kept.length
    if (deleted === 0) return 0
    this.#writable()
    const nextSeqOf = new Map<string, number>()
    for (const r of kept) {
      const seq = nextSeqOf.get(r.identity) ?? 0
      nextSeqOf.set(r.identity, seq + 1)
      r.seq = seq
    }
    c.rows = kept
    return deleted
  }
}

/** Column types, as the STRICT tables of migrations/ declare them. */
const COLUMNS: Readonly<Record<keyof Insertable<InteractionsTable>, { type: 'TEXT' | 'INTEGER' | 'BLOB'; nullable?: true }>> = {
  id: { type: 'INTEGER' },
  operation: { type: 'TEXT' },
  identity: { type: 'TEXT' },
  seq: { type: 'INTEGER' },
  request_method: { type: 'TEXT' },
  request_path: { type: 'TEXT' },
  request_query: { type: 'TEXT' },
  request_headers: { type: 'TEXT' },
  request_body: { type: 'BLOB' },
  response_status: { type: 'INTEGER' },
  response_headers: { type: 'TEXT' },
  response_body: { type: 'BLOB' },
  recorded_at: { type: 'TEXT' },
  used_at: { type: 'TEXT', nullable: true },
  resources: { type: 'TEXT', nullable: true },
}

/**
 * The row as stored: checked against the column types (with SQLite's own wording, so a failure
 * reads the same from either store), bodies copied so the caller's buffers stay the caller's.
 */
function stored(row: Insertable<InteractionsTable>, id: number): Row {
  const full: Record<string, unknown> = { ...row, id }
  for (const [column, { type, nullable }] of Object.entries(COLUMNS)) {
    const value = full[column]
    if (value === null || value === undefined) {
      if (!nullable) throw new Error(`NOT NULL constraint failed: interactions.${column}`)
      full[column] = null
      continue
    }
    const got = Buffer.isBuffer(value) ? 'BLOB' : typeof value === 'string' ? 'TEXT'
      : typeof value === 'number' ? (Number.isInteger(value) ? 'INTEGER' : 'REAL') : typeof value
    if (got !== type) throw new Error(`cannot store ${got} value in ${type} column interactions.${column}`)
    if (Buffer.isBuffer(value)) full[column] = Buffer.from(value)
  }
  return full as Row
}

/** An interaction read back: fresh objects, as a query gives, so no caller changes what is stored. */
function read(row: Row): Interaction {
  const i = fromRow(row)
  i.request.body = Buffer.from(i.request.body)
  i.response.body = Buffer.from(i.response.body)
  return i
}
