// HMAC-SHA256 with a key used again and again (a SigV4 signing key signs every request of its day).
//
// HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The padded key blocks are computed once per key;
// each message then costs two one-shot `crypto.hash` calls over a reused scratch buffer, about
// 0.9 µs against 1.4 µs for `createHmac` (which builds a native Hmac object per message).
// Everything here is synchronous, so one process-wide scratch buffer cannot be shared by two calls.
import { hash } from 'node:crypto'

const BLOCK = 64
const DIGEST = 32
let scratch = Buffer.allocUnsafe(1024)

export class HmacSha256Key {
  /** K ^ ipad. */
  readonly #inner: Buffer
  /** K ^ opad, followed by room for the inner digest. */
  readonly #outer: Buffer

  constructor(key: Buffer) {
    const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key
    this.#inner = Buffer.alloc(BLOCK, 0x36)
    this.#outer = Buffer.alloc(BLOCK + DIGEST, 0x5c)
    for (let i = 0; i < k.length; i++) {
      this.#inner[i] ^= k[i]
      this.#outer[i] ^= k[i]
    }
  }

  /**
   * The HMAC of `message`, taken one byte per character (latin1: what node gives header values as;
   * plain ASCII encodes the same way), as lower-case hex.
   */
  hexOfLatin1(message: string): string {
    const size = BLOCK + message.length
    if (scratch.length < size) scratch = Buffer.allocUnsafe(2 * size)
    this.#inner.copy(scratch, 0)
    scratch.write(message, BLOCK, 'latin1')
    hash('sha256', scratch.subarray(0, size), 'buffer').copy(this.#outer, BLOCK)
    return hash('sha256', this.#outer, 'hex')
  }
}

/**
 * Constant-time for equal lengths; a length difference (public for a signature) returns at once.
 * Compares UTF-16 code units with no allocation: equal strings have equal units.
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
