// What a recorded interaction may hold, decided before a byte reaches the cassette:
//   - headers: a small allow-list only (no Authorization, X-Amz-Date, X-Amz-Security-Token, cookies…);
//   - stream keys (`sk_<region>_<id>_<secret>`) and SRT passphrases: replaced by stand-ins of the same
//     format (same lengths, same alphabet), so recorded answers still pass a client's own checks;
//   - the real account id: rewritten to the caller's local account everywhere it appears.
//
// A stand-in is an HMAC of the real value under a random salt kept in the cassette's meta table: the
// same real value maps to the same stand-in across a whole cassette (CreateChannel's and
// GetStreamKey's answers agree, across restarts too), and no table of real values exists anywhere.
// Every stand-in's secret part starts with STAND_IN_MARKER, which is how the secret scan tells a
// stand-in from a real value.
//
// Bodies are rewritten as latin1 text: every byte maps to one character and back, and every
// replacement is ASCII, so the bytes around a replacement stay exactly as the upstream sent them (no
// JSON re-serialisation that would reorder keys or reformat numbers).
import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { JsonValue } from '../protocol/deserialize.js'
import type { CassetteStore } from './cassette-store.js'

/** The first characters of every stand-in's secret part (alphanumeric, like the real secrets). */
export const STAND_IN_MARKER = 'REDACTED'

/** The meta-table key of the per-cassette salt (hex). */
export const SALT_META_KEY = 'redaction.salt'

/** `sk_<region>_<stream key id>_<secret>`; only the secret part is secret (the id is in the key's ARN). */
export const STREAM_KEY_PATTERN = /(?<![A-Za-z0-9])sk_([a-z0-9-]+)_([A-Za-z0-9]+)_([A-Za-z0-9]+)/g

/** An SRT passphrase member in JSON text (IVS passphrases are alphanumeric: no escapes inside). */
export const PASSPHRASE_PATTERN = /("passphrase"\s*:\s*")([^"\\]*)(")/g

/** Request headers kept, by lower-case name → the name stored. Everything else is dropped. */
export const REQUEST_HEADERS_KEPT: Readonly<Record<string, string>> = { 'content-type': 'content-type' }

/** Response headers kept; `x-amzn-ErrorType` in the casing the server and the replay use. */
export const RESPONSE_HEADERS_KEPT: Readonly<Record<string, string>> = {
  'content-type': 'content-type',
  'x-amzn-errortype': 'x-amzn-ErrorType',
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** Bytes at or above this are skipped so that `byte % 62` is uniform (248 = 4 × 62). */
const UNBIASED_LIMIT = 248

/** Which account id recorded text must show instead of which. */
export interface AccountRewrite {
  readonly real: string
  readonly local: string
}

/** Whether a secret part already is a stand-in (recording a replayed stand-in must not re-derive it). */
export function isStandIn(secret: string): boolean {
  return secret.startsWith(STAND_IN_MARKER.slice(0, Math.min(secret.length, STAND_IN_MARKER.length)))
}

export class Redactor {
  readonly #salt: Buffer

  constructor(salt: Buffer) {
    if (salt.length < 16) throw new Error('the redaction salt must be at least 16 bytes')
    this.#salt = salt
  }

  /**
   * The cassette's redactor: its salt is read from the meta table, or created (32 random bytes) and
   * stored on first use. Re-read after writing, so two recorders racing on a new cassette agree.
   */
  static async forCassette(store: CassetteStore): Promise<Redactor> {
    let hex = await store.getMeta(SALT_META_KEY)
    if (hex === undefined) {
      await store.setMeta(SALT_META_KEY, randomBytes(32).toString('hex'))
      hex = await store.getMeta(SALT_META_KEY)
    }
    if (hex === undefined || !/^(?:[0-9a-f]{2}){16,}$/.test(hex)) {
      throw new Error(`the cassette's ${SALT_META_KEY} meta value is not a hex salt of at least 16 bytes`)
    }
    return new Redactor(Buffer.from(hex, 'hex'))
  }

  /** `length` characters: STAND_IN_MARKER, then alphanumerics drawn from HMAC(salt, kind, real). */
  standIn(kind: string, real: string, length: number): string {
    let out = STAND_IN_MARKER
    for (let block = 0; out.length < length; block++) {
      const digest = createHmac('sha256', this.#salt).update(`${kind}\0${block}\0${real}`).digest()
      for (const byte of digest) {
        if (byte < UNBIASED_LIMIT) out += ALNUM[byte % ALNUM.length]
        if (out.length >= length) break
      }
    }
    return out.slice(0, length)
  }

  /** A stream key with its secret part replaced; region and id stay, so the key still names its ARN. */
  streamKey(value: string): string {
    return value.replace(STREAM_KEY_PATTERN, (whole: string, region: string, id: string, secret: string) =>
      isStandIn(secret) ? whole : `sk_${region}_${id}_${this.standIn('stream-key', whole, secret.length)}`)
  }

  passphrase(value: string): string {
    return value === '' || isStandIn(value) ? value : this.standIn('srt-passphrase', value, value.length)
  }

  /** Any text: stream keys, JSON passphrase members, and the account id. */
  text(text: string, account?: AccountRewrite): string {
    let out = this.streamKey(text)
    out = out.replace(PASSPHRASE_PATTERN, (_m, open: string, value: string, close: string) => open + this.passphrase(value) + close)
    return account ? rewriteAccount(out, account) : out
  }

  /** A body: the same rewriting, every other byte left exactly as it was. */
  bytes(body: Buffer, account?: AccountRewrite): Buffer {
    if (body.length === 0) return body
    return Buffer.from(this.text(body.toString('latin1'), account), 'latin1')
  }

  /** A parsed JSON value (an operation's input): every string rewritten, `passphrase` members replaced. */
  json(value: JsonValue, account?: AccountRewrite): JsonValue {
    if (typeof value === 'string') return this.text(value, account)
    if (Array.isArray(value)) return value.map((v) => this.json(v, account))
    if (value === null || typeof value !== 'object') return value
    const out: { [key: string]: JsonValue } = {}
    for (const [key, v] of Object.entries(value)) {
      out[key] = key === 'passphrase' && typeof v === 'string' ? this.passphrase(v) : this.json(v, account)
    }
    return out
  }

  /** Only the allow-listed headers, under their stored names, their values rewritten too. */
  headers(headers: IncomingHttpHeaders, kept: Readonly<Record<string, string>>, account?: AccountRewrite): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) {
      const stored = kept[name.toLowerCase()]
      if (stored === undefined || value === undefined) continue
      out[stored] = this.text(Array.isArray(value) ? value.join(', ') : value, account)
    }
    return out
  }
}

/**
 * Replaces the real account id wherever it stands as a whole number (ARNs, playback URLs, error
 * messages). Recorded data is rewritten this broadly on purpose: the real account must never reach
 * the cassette, and a 12-digit run equal to it by chance is far less likely than an account id in
 * a place no narrower pattern foresaw.
 */
export function rewriteAccount(text: string, account: AccountRewrite): string {
  if (account.real === account.local || !text.includes(account.real)) return text
  return text.replace(new RegExp(`(?<!\\d)${account.real}(?!\\d)`, 'g'), account.local)
}
