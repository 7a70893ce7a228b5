// The replay index's map from request identity to interaction ids, in typed arrays.
//
// A cassette of 100,000 interactions held as a Map of 24-character strings cost ~9 MB of heap in
// 200,000 small objects, and loading it was what grew V8's young generation to its maximum (every
// entry survives its first collections). Here an identity is its first 96 bits (three 32-bit
// words of the SHA-256 hex; a collision among millions of interactions is out of reach, ~2^-56 at
// 10^6) in an open-addressing table: 16 bytes a slot, no object per entry, ~4 MB at 100,000.
//
// A slot's value is the interaction id (ids start at 1; 0 marks an empty slot), or, for an identity
// recorded more than once, -(n + 1) where `lists[n]` holds its ids in recording order.

const EMPTY = 0
const INITIAL_CAPACITY = 1024

/** The three 32-bit words of the first 24 hex digits of an identity. */
export type IdentityKey = readonly [number, number, number]

export function identityKey(identity: string): IdentityKey {
  return [hexWord(identity, 0), hexWord(identity, 8), hexWord(identity, 16)]
}

function hexWord(s: string, from: number): number {
  let v = 0
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i)
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1
    if (d < 0) throw new Error(`not a hex identity: ${JSON.stringify(s.slice(0, 24))}`)
    v = v * 16 + d
  }
  return v >>> 0
}

export class IdentityTable {
  #keys: Uint32Array
  #values: Int32Array
  #mask: number
  #used = 0
  /** The ids of identities recorded more than once. */
  readonly lists: number[][] = []

  constructor() {
    this.#keys = new Uint32Array(INITIAL_CAPACITY * 3)
    this.#values = new Int32Array(INITIAL_CAPACITY)
    this.#mask = INITIAL_CAPACITY - 1
  }

  /** The slot's value for `key` (an id, or -(list + 1)), or EMPTY (0). */
  get(key: IdentityKey): number {
    const slot = this.#find(key)
    return this.#values[slot]
  }

  /** Adds `id` as the latest recording of `key`. */
  add(key: IdentityKey, id: number): void {
    if (!(id >= 1 && id <= 0x7fffffff)) throw new RangeError(`interaction id out of range: ${id}`)
    let slot = this.#find(key)
    const value = this.#values[slot]
    if (value === EMPTY) {
      if ((this.#used + 1) * 2 > this.#values.length) {
        this.#grow()
        slot = this.#find(key)
      }
      const k = slot * 3
      this.#keys[k] = key[0]
      this.#keys[k + 1] = key[1]
      this.#keys[k + 2] = key[2]
      this.#values[slot] = id
      this.#used++
    } else if (value > 0) {
      this.lists.push([value, id])
      this.#values[slot] = -this.lists.length
    } else {
      this.lists[-value - 1].push(id)
    }
  }

  /** Linear probing from the key's first word (already uniformly distributed: it is a hash). */
  #find(key: IdentityKey): number {
    const keys = this.#keys
    const values = this.#values
    let slot = key[0] & this.#mask
    while (values[slot] !== EMPTY) {
      const k = slot * 3
      if (keys[k] === key[0] && keys[k + 1] === key[1] && keys[k + 2] === key[2]) return slot
      slot = (slot + 1) & this.#mask
    }
    return slot
  }

  #grow(): void {
    const oldKeys = this.#keys
    const oldValues = this.#values
    const capacity = oldValues.length * 2
    this.#keys = new Uint32Array(capacity * 3)
    this.#values = new Int32Array(capacity)
    this.#mask = capacity - 1
    for (let slot = 0; slot < oldValues.length; slot++) {
      if (oldValues[slot] === EMPTY) continue
      const k = slot * 3
      const target = this.#find([oldKeys[k], oldKeys[k + 1], oldKeys[k + 2]])
      this.#keys.set(oldKeys.subarray(k, k + 3), target * 3)
      this.#values[target] = oldValues[slot]
    }
  }
}
