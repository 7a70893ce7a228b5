// The in-memory index replay answers from: identity → the ids of its recorded interactions in
// recorded order. Identical requests replay their answers in that order, then repeat the last.
// Responses are read from the cassette on first use and kept in a bounded cache, so a hot request
// costs no database round trip and a 100,000-interaction cassette does not live in memory.
import type { JsonValue } from '../protocol/deserialize.js'
import type { CassetteStore, IndexEntry, Interaction, RecordedResponse } from './cassette-store.js'
import { requestIdentity, type MatchRules } from './request-identity.js'

const RESPONSE_CACHE_SIZE = 10_000

export interface ReplayHit {
  readonly id: number
  readonly response: RecordedResponse
}

export class ReplayIndex {
  readonly #store: CassetteStore
  /** identity → ids ordered by seq. */
  readonly #byIdentity = new Map<string, number[]>()
  /** identity → how many times it was replayed since the last rewind. */
  readonly #cursor = new Map<string, number>()
  readonly #operations = new Set<string>()
  readonly #cache = new Map<number, RecordedResponse>()
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
    let entries: IndexEntry[] = await store.indexEntries()
    const ruled = (operation: string) => Object.hasOwn(rules, '*') || Object.hasOwn(rules, operation)
    if (entries.some((e) => ruled(e.operation))) {
      const recomputed = new Map<number, string>()
      for (const operation of new Set(entries.filter((e) => ruled(e.operation)).map((e) => e.operation))) {
        for (const i of await store.ofOperation(operation)) recomputed.set(i.id, identityWithRules(i, rules))
      }
      entries = entries.map((e) => ({ ...e, identity: recomputed.get(e.id) ?? e.identity }))
    }
    // Ids grow with recording order, and seq grows with id within an identity: sort by seq to be
    // exact even after an import renumbered things.
    entries.sort((a, b) => (a.identity === b.identity ? a.seq - b.seq : a.id - b.id))
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
    const ids = this.#byIdentity.get(entry.identity)
    if (ids) ids.push(entry.id)
    else this.#byIdentity.set(entry.identity, [entry.id])
    this.#operations.add(entry.operation)
    this.#size++
  }

  /** The next recorded answer for this identity, or undefined when none was recorded. */
  async take(identity: string): Promise<ReplayHit | undefined> {
    const ids = this.#byIdentity.get(identity)
    if (!ids) return undefined
    const turn = this.#cursor.get(identity) ?? 0
    this.#cursor.set(identity, turn + 1)
    const id = ids[Math.min(turn, ids.length - 1)]
    this.#used.add(id)
    const cached = this.#cache.get(id)
    if (cached) return { id, response: cached }
    const interaction = await this.#store.get(id)
    if (!interaction) return undefined
    this.#remember(id, interaction.response)
    return { id, response: interaction.response }
  }

  #remember(id: number, response: RecordedResponse): void {
    if (this.#cache.size >= RESPONSE_CACHE_SIZE) {
      // Drop the oldest entry (Map iterates in insertion order): a simple FIFO bound is enough here.
      const oldest = this.#cache.keys().next().value
      if (oldest !== undefined) this.#cache.delete(oldest)
    }
    this.#cache.set(id, response)
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
  let body: JsonValue = {}
  try {
    body = i.request.body.length ? (JSON.parse(i.request.body.toString('utf8')) as JsonValue) : {}
  } catch {
    body = i.request.body.toString('utf8')
  }
  return requestIdentity({ operation: i.operation, path: i.request.path, query: i.request.query, body }, rules)
}
