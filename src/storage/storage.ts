// What ivs-replay keeps, and the narrow interfaces its parts keep it through, like Polly.js's
// persisters: replay reads a ReplaySource (and stamps first uses through UseMarks), recording appends
// to a RecordingSink, the redactor keeps its salt in CassetteMeta, the `cassette` commands work on
// CassetteAdmin, and `--state` keeps the simulator in a SimulatorStateStore. Each part depends only
// on the interface it uses; whoever opens a store (the mode wiring, a command) holds the whole
// CassetteStore and closes it.
//
// Implementations: storage/sqlite/ (the cassette and state files, over kysely and node-sqlite3) and
// storage/memory-cassette-store.ts (the same semantics in memory; test/cassette-store.test.ts runs
// one suite against both). A shared store for many CI runners (PostgreSQL, say) would implement
// these over kysely's PostgresDialect; the SQLite store's queries are kysely's, and what is
// SQLite's own (file modes, WAL, pragmas, the prepared response reader) is named where it is done.
//
// This module imports nothing: every part of ivs-replay may depend on it.

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string[]>
  headers: Record<string, string>
  body: Buffer
}

export interface RecordedResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** What a recorded answer describes, by ARN (computed by src/cassette/described-resources.ts). */
export interface DescribedResources {
  /** Described whole (Channel, StreamKey, …): from here on the answer alone is its state. */
  readonly full: string[]
  /** Described by a summary (ListChannels): newer than any full description before it. */
  readonly summary: string[]
  /** Changed by the call itself (a delete, a tag change), which the answer does not show. */
  readonly effect: string[]
}

/** An interaction to store. The one definition: a new field goes here and in each store's mapping. */
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

/** A stored interaction. Reads give back what was stored, without `resources` (see ResourceEntry). */
export interface Interaction extends NewInteraction {
  id: number
  /** 0, 1, 2… rank among the interactions with the same identity, in id (recording) order. */
  seq: number
  recordedAt: string
  /** When it was first replayed (see `markUsed`), null if never. */
  usedAt: string | null
}

/** A successful interaction and what its answer describes (JSON DescribedResources; null: not computed when recorded). */
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

/**
 * Every store's contract, whatever keeps the data:
 * - ids grow and are never reused (not after a delete, a prune or an import);
 * - seq is each identity's rank in id order: an append takes the next one, and every deletion
 *   renumbers the survivors 0, 1, 2…;
 * - each call is atomic (an import or a prune is all or nothing) and done when its promise resolves;
 * - a failure, a refusal, or any call after close() rejects with a CassetteError naming `location`.
 */
export interface StoreBase {
  /** Where the store is, for messages and logs: a file's absolute path for the SQLite stores. */
  readonly location: string
  /** Opened without write access: every write rejects. */
  readonly readOnly: boolean
}

/** What replay, the hybrid's recorded state and miss diagnostics read. */
export interface ReplaySource extends StoreBase {
  /**
   * Every interaction's id, identity, seq and operation, in id order, and nothing heavier: what the
   * replay index holds. `afterId` and `limit` read it a page at a time.
   */
  indexEntries(afterId?: number, limit?: number): Promise<IndexEntry[]>
  /** One interaction's recorded response, or undefined when it is gone. Replay's hot path. */
  response(id: number): Promise<RecordedResponse | undefined>
  /** Every interaction of one operation, in id order. */
  ofOperation(operation: string): Promise<Interaction[]>
  /** The interactions with these ids that still exist, in id order. */
  byIds(ids: readonly number[]): Promise<Interaction[]>
  /**
   * The successful (2xx) interactions after `afterId`, in id order, a page at a time, and what each
   * describes (null where it was not computed when recorded, or the store predates it).
   */
  resourceEntries(afterId: number, limit: number): Promise<ResourceEntry[]>
  /** How many interactions were recorded before `iso`, and the oldest `recordedAt` (for age warnings). */
  recordedBefore(iso: string): Promise<{ count: number; oldest: string | null }>
}

/** Replay's one write: when each interaction was first used (what `cassette prune` keeps). */
export interface UseMarks {
  /** Stamps `usedAt` (default now) on those of `ids` that have none yet; a later use changes nothing. */
  markUsed(ids: readonly number[], at?: string): Promise<void>
}

/** Where recording appends. */
export interface RecordingSink extends StoreBase {
  /** Stores one interaction with the next seq of its identity; overlapping calls never share a seq. */
  append(item: NewInteraction): Promise<Interaction>
}

/** Free-form facts about a cassette (the redaction salt, who made it). */
export interface CassetteMeta {
  getMeta(key: string): Promise<string | undefined>
  setMeta(key: string, value: string): Promise<void>
}

/** What the `cassette` commands do to a whole cassette. */
export interface CassetteAdmin extends StoreBase {
  /** Every interaction, in id order. */
  all(): Promise<Interaction[]>
  /** One interaction by id, or undefined when it is gone. */
  get(id: number): Promise<Interaction | undefined>
  /** Replaces every interaction with `items` (an import); seq follows their order. */
  replaceAll(items: readonly NewInteraction[]): Promise<void>
  /** Deletes every interaction whose id is not in `keepIds`; returns how many went. */
  prune(keepIds: ReadonlySet<number>): Promise<number>
  /** Deletes every interaction never replayed (`usedAt` null); returns how many went. */
  deleteUnused(): Promise<number>
  /** Refuses when another process has the store open (a running server); `what` ends the message. */
  assertNotOpenElsewhere(what: string): Promise<void>
  /** `'ok'`, or the store's findings one per line. */
  integrityCheck(): Promise<string>
}

/** A whole cassette, as whoever opened it holds it. */
export interface CassetteStore extends ReplaySource, UseMarks, RecordingSink, CassetteMeta, CassetteAdmin {
  /** Waits for the calls already made, then closes; later calls reject; closing twice is harmless. */
  close(): Promise<void>
}

export interface CassetteStoreOptions {
  /** Open without write access: no migration, no WAL checkpoint; writes fail. Default false. */
  readonly readOnly?: boolean
  /** Create the store when missing. Default true unless `readOnly`. */
  readonly create?: boolean
  /**
   * Open read-only instead when this process may not write the store (a read-only CI volume, a
   * checkout owned by another user): replay needs no write, and `readOnly` says which it got.
   * Default false: the read-write open fails as it would.
   */
  readonly readOnlyIfUnwritable?: boolean
}

/** The simulator's state, kept across restarts (`--state FILE`): JSON values by key. */
export interface SimulatorStateStore {
  readonly location: string
  /** The value last saved under `key`, or undefined. */
  loadState(key: string): Promise<unknown>
  /** Saves `value` (JSON-serialisable) under `key`, replacing what was there. */
  saveState(key: string, value: unknown): Promise<void>
  close(): Promise<void>
}
