// Every generated id, key and passphrase comes from here, so a seed makes a whole run reproducible.
import { randomBytes } from 'node:crypto'

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const HEX = '0123456789abcdef'

export class IdGenerator {
  readonly #next: () => number

  /** With a seed: a deterministic sequence (sfc32). Without: crypto-strength randomness. */
  constructor(seed: number | null = null) {
    this.#next = seed === null ? cryptoSource() : sfc32(seed)
  }

  /** A uniformly drawn character string from an alphabet. */
  #draw(alphabet: string, length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.#next() * alphabet.length)]
    return out
  }

  alnum(length: number): string {
    return this.#draw(ALNUM, length)
  }

  hex(length: number): string {
    return this.#draw(HEX, length)
  }

  uuid(): string {
    const h = this.hex(32)
    const variant = HEX[8 + Math.floor(this.#next() * 4)]
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
}

/** A float in [0, 1) from buffered crypto bytes (one syscall per 4 KiB, not per character). */
function cryptoSource(): () => number {
  let buffer = randomBytes(4096)
  let offset = 0
  return () => {
    if (offset + 4 > buffer.length) {
      buffer = randomBytes(4096)
      offset = 0
    }
    const value = buffer.readUInt32LE(offset)
    offset += 4
    return value / 0x1_0000_0000
  }
}

/** Small, fast, well-distributed PRNG (Chris Doty-Humphrey's sfc32), seeded from one integer. */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const step = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 0x1_0000_0000
  }
  for (let i = 0; i < 16; i++) step()
  return step
}
