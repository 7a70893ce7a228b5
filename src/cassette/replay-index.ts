// The in-memory index replay answers from: identity → the ids of its recorded interactions in
// recorded order. Identical requests replay their answers in that order, then repeat the last.
// Responses are read from the cassette on first use and kept in a bounded cache, so a hot request
// costs no database round trip and a 100,000-interaction cassette does not live in memory.
import type { Interaction, RecordedResponse, ReplaySource, UseMarks } from '../storage/storage.js'
import { IdentityTable, identityKey } from './identity-table.js'
import { holdsSensitive } from '../model/sensitive-members.js'
import { interactionShapes } from './interaction-shapes.js'
import { recordedRequestParts, requestIdentity, type MatchRules } from './request-identity.js'

/** Recorded responses kept in memory, by their bytes: most cassettes fit whole. */
const RESPONSE_CACHE_BYTES = 32 * 1024 * 1024
/** Rows read per query while loading: bounds the transient memory of opening a large cassette. */
const LOAD_PAGE = 2_000

export interface ReplayHit {
  readonly id: number
  readonly response: RecordedResponse
}

export class ReplayIndex {
  readonly #store: ReplaySource & UseMarks
  /** identity → its ids in recording order (see IdentityTable). */
  readonly #byIdentity = new IdentityTable()
  /** For each identity recorded more than once (by its list): how often it was replayed since the last rewind. */
  #turns: number[] = []
  readonly #cache = new Map<number, RecordedResponse>()
  #cachedBytes = 0
  /**
   * Ids replayed since the last flush, for `used_at` (what `cassette prune` keeps); the store
   * stamps only those without a stamp, so a run over a cassette replayed before writes nothing.
   */
  #used = new Set<number>()
  #size = 0

  private constructor(store: ReplaySource & UseMarks) {
    this.#store = store
  }

  /**
   * Matching rules may change after recording, so the identities of operations that have rules are
   * computed again from their stored requests; the others are used as stored (an identity without
   * rules is the same either way).
   */
  static async load(store: ReplaySource & UseMarks, rules: MatchRules = {}): Promise<ReplayIndex> {
    const index = new ReplayIndex(store)
    // Entries go straight into the map a page at a time (no array of every row: that was most of
    // the memory of opening 100,000 interactions). Id order is recording order, and within one
    // identity seq follows id (appends take the next seq; imports and prunes renumber in id order),
    // so adding in id order lists each identity's recordings in replay order.
    // Operations with sensitive input members too: a cassette recorded before they were masked
    // stored identities that held them.
    const ruled = (operation: string) => Object.hasOwn(rules, '*') || Object.hasOwn(rules, operation) || hasSensitiveInput(operation)
    const ruledOperations = new Set<string>()
    for (let after = 0; ; ) {
      const page = await store.indexEntries(after, LOAD_PAGE)
      for (const entry of page) {
        if (ruled(entry.operation)) ruledOperations.add(entry.operation)
        else index.#addEntry(entry.id, entry.identity)
      }
      if (page.length < LOAD_PAGE) break
      after = page[page.length - 1].id
    }
    for (const operation of ruledOperations) {
      for (const i of await store.ofOperation(operation)) index.#addEntry(i.id, identityWithRules(i, rules))
    }
    return index
  }

  get size(): number {
    return this.#size
  }

  /** Learns an interaction recorded while serving (record-missing: the next identical request replays it). */
  add(interaction: Interaction, rules: MatchRules = {}): void {
    this.#addEntry(interaction.id, identityWithRules(interaction, rules))
    this.#remember(interaction.id, interaction.response)
  }

  #addEntry(id: number, identity: string): void {
    this.#byIdentity.add(identityKey(identity), id)
    this.#size++
  }

  /** The next recorded answer for this identity, or undefined when none was recorded. */
  async take(identity: string): Promise<ReplayHit | undefined> {
    const value = this.#byIdentity.get(identityKey(identity))
    if (value === 0) return undefined
    let id = value
    if (value < 0) {
      const list = -value - 1
      const ids = this.#byIdentity.lists[list]
      const turn = this.#turns[list] ?? 0
      this.#turns[list] = turn + 1
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
    this.#turns = []
  }

  /** Writes the replayed ids' `used_at`; called periodically and on close. */
  async flushUsed(): Promise<void> {
    if (this.#used.size === 0) return
    const ids = [...this.#used]
    this.#used = new Set()
    await this.#store.markUsed(ids)
  }
}

function hasSensitiveInput(operation: string): boolean {
  const op = interactionShapes(operation)
  return op !== undefined && holdsSensitive(op.shapes, op.input)
}

function identityWithRules(i: Interaction, rules: MatchRules): string {
  return requestIdentity(recordedRequestParts(i.operation, i.request), rules)
}
