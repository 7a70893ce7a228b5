// The in-memory index replay answers from: identity → the ids of its recorded interactions in
// recorded order. Identical requests replay their answers in that order, then repeat the last.
// Responses are read from the cassette on first use and kept in a bounded cache, so a hot request
// costs no database round trip and a 100,000-interaction cassette does not live in memory.
import type { CassetteStore, IndexEntry, Interaction, RecordedResponse } from './cassette-store.js'
import { recordedRequestParts, requestIdentity, type MatchRules } from './request-identity.js'

/** Recorded responses kept in memory, by their bytes: most cassettes fit whole. */
const RESPONSE_CACHE_BYTES = 32 * 1024 * 1024
/** Rows read per query while loading: bounds the transient memory of opening a large cassette. */
const LOAD_PAGE = 10_000
/**
 * The index keys on the first 96 bits of the SHA-256 identity (24 hex characters): a collision
 * among even millions of interactions is out of reach (~2^-56 at 10^6), and the key strings take
 * less than half the memory of the full 64.
 */
const KEY_LENGTH = 24
const keyOf = (identity: string) => identity.slice(0, KEY_LENGTH)

export interface ReplayHit {
  readonly id: number
  readonly response: RecordedResponse
}

export class ReplayIndex {
  readonly #store: CassetteStore
  /** identity key → ids ordered by seq (one id stored bare: most identities are recorded once). */
  readonly #byIdentity = new Map<string, number | number[]>()
  /** identity → how many times it was replayed since the last rewind. */
  readonly #cursor = new Map<string, number>()
  readonly #operations = new Set<string>()
  readonly #cache = new Map<number, RecordedResponse>()
  #cachedBytes = 0
  /** Ids replayed since the last flush, for `used_at` (what `cassette prune` keeps). */
  #used = new Set<number>()
  #size = 0

  private constructor(store: CassetteStore) {
    this.#store = store
  }

  /**
   * Matching rules may change after recording, so the identities of operations that have rules are
   * computed again from their stored requests; the others are used as stored (an identity without
   * rules is the same either way).
   */
  static async load(store: CassetteStore, rules: MatchRules = {}): Promise<ReplayIndex> {
    const index = new ReplayIndex(store)
    let entries: IndexEntry[] = []
    for (let after = 0; ; ) {
      const page = await store.indexEntries(after, LOAD_PAGE)
      for (const e of page) entries.push({ id: e.id, identity: keyOf(e.identity), seq: e.seq, operation: e.operation })
      if (page.length < LOAD_PAGE) break
      after = page[page.length - 1].id
    }
    const ruled = (operation: string) => Object.hasOwn(rules, '*') || Object.hasOwn(rules, operation)
    if (entries.some((e) => ruled(e.operation))) {
      const recomputed = new Map<number, string>()
      for (const operation of new Set(entries.filter((e) => ruled(e.operation)).map((e) => e.operation))) {
        for (const i of await store.ofOperation(operation)) recomputed.set(i.id, identityWithRules(i, rules))
      }
      entries = entries.map((e) => ({ ...e, identity: keyOf(recomputed.get(e.id) ?? e.identity) }))
    }
    // Each identity's ids must go in by seq. A stable sort on seq alone does it: all seq-0 entries
    // come first, then seq 1, … so every identity's list fills in seq order.
    entries.sort((a, b) => a.seq - b.seq)
    for (const entry of entries) index.#addEntry(entry)
    return index
  }

  get size(): number {
    return this.#size
  }

  hasOperation(operation: string): boolean {
    return this.#operations.has(operation)
  }

  /** Learns an interaction recorded while serving (record-missing: the next identical request replays it). */
  add(interaction: Interaction, rules: MatchRules = {}): void {
    this.#addEntry({ ...interaction, identity: identityWithRules(interaction, rules) })
    this.#remember(interaction.id, interaction.response)
  }

  #addEntry(entry: IndexEntry): void {
    const key = keyOf(entry.identity)
    const ids = this.#byIdentity.get(key)
    if (ids === undefined) this.#byIdentity.set(key, entry.id)
    else if (typeof ids === 'number') this.#byIdentity.set(key, [ids, entry.id])
    else ids.push(entry.id)
    this.#operations.add(entry.operation)
    this.#size++
  }

  /** The next recorded answer for this identity, or undefined when none was recorded. */
  async take(identity: string): Promise<ReplayHit | undefined> {
    const key = keyOf(identity)
    const ids = this.#byIdentity.get(key)
    if (ids === undefined) return undefined
    let id: number
    if (typeof ids === 'number') {
      id = ids
    } else {
      const turn = this.#cursor.get(key) ?? 0
      this.#cursor.set(key, turn + 1)
      id = ids[Math.min(turn, ids.length - 1)]
    }
    this.#used.add(id)
    const response = await this.response(id)
    return response && { id, response }
  }

  /** A recorded response by interaction id: from memory when it is there, else from the cassette. */
  async response(id: number): Promise<RecordedResponse | undefined> {
    const cached = this.#cache.get(id)
    if (cached) return cached
    const response = await this.#store.response(id)
    if (response) this.#remember(id, response)
    return response
  }

  #remember(id: number, response: RecordedResponse): void {
    // Oldest out first (a Map iterates in insertion order) until the new one fits the budget.
    const size = response.body.length + 200
    while (this.#cachedBytes + size > RESPONSE_CACHE_BYTES && this.#cache.size > 0) {
      const [oldest, dropped] = this.#cache.entries().next().value!
      this.#cache.delete(oldest)
      this.#cachedBytes -= dropped.body.length + 200
    }
    this.#cache.set(id, response)
    this.#cachedBytes += size
  }


  /** Starts every identity's sequence from its first recording again. */
  rewind(): void {
    this.#cursor.clear()
  }

  /** Writes the replayed ids' `used_at`; called periodically and on close. */
  async flushUsed(): Promise<void> {
    if (this.#used.size === 0) return
    const ids = [...this.#used]
    this.#used = new Set()
    await this.#store.markUsed(ids)
  }
}

function identityWithRules(i: Interaction, rules: MatchRules): string {
  return requestIdentity(recordedRequestParts(i.operation, i.request), rules)
}
