// A small seeded PRNG (mulberry32), so every generated case can be reproduced from the seed a
// failure report prints: Math.random would make a one-in-100k failure impossible to replay.
export class Prng {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let x = this.#state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(items.length)]
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  /** A string of `length` characters drawn from `alphabet` (code points, so astral letters stay whole). */
  string(alphabet: readonly string[], length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += this.pick(alphabet)
    return out
  }
}
