import type { Generated } from 'kysely'

// The cassette's database schema as TypeScript: a misspelt column does not compile. Kept in step
// with migrations/*.ts by hand (the migrations are the truth for the file, these types for the code).
// Any kysely store of cassettes shares it (the SQLite one; one over PostgreSQL would too), and the
// in-memory store keeps its rows in this shape, so all of them map an interaction alike.

/** One recorded request/response pair. JSON columns hold `JSON.stringify` output. */
export interface InteractionsTable {
  id: Generated<number>
  /** IVS operation name, e.g. `CreateChannel`. */
  operation: string
  /** Request identity hash (computed by the matcher, stored as is). */
  identity: string
  /** 0, 1, 2… rank among the interactions with the same identity, in id order. */
  seq: number
  request_method: string
  request_path: string
  /** JSON `Record<string, string[]>`. */
  request_query: string
  /** JSON `Record<string, string>`. */
  request_headers: string
  request_body: Buffer
  response_status: number
  /** JSON `Record<string, string>`. */
  response_headers: string
  response_body: Buffer
  /** ISO-8601 timestamp. */
  recorded_at: string
  /** ISO-8601 timestamp of the last replay, null if never replayed. */
  used_at: string | null
  /**
   * JSON DescribedResources: the ARNs the answer describes (migration 2026_12_02_0001); null when
   * not computed at recording (older interactions, imports).
   */
  resources: string | null
}

/** Free-form key/value facts about the cassette (e.g. `created_by`, the local account id). */
export interface MetaTable {
  key: string
  value: string
}

// The first migration also made a `simulator_state` table, where `--state` files kept the
// simulator's state while they were cassettes in all but name; a state file now has a store of its
// own (sqlite/sqlite-state-store.ts, which still reads that table in such files). No cassette code reads it.

export interface CassetteDatabase {
  interactions: InteractionsTable
  meta: MetaTable
}
