// What a recorded interaction may hold, decided before a byte reaches the cassette:
//   - headers: a small allow-list only (no Authorization, X-Amz-Date, X-Amz-Security-Token, cookies…);
//   - every value the model marks sensitive (stream keys, SRT passphrases, PutMetadata's metadata…),
//     found by its place in the operation's shapes (sensitive-members.ts): replaced by a stand-in of
//     its format (stand-in-formats.ts), wherever the same value also appears in the interaction;
//   - anything shaped like an IVS stream key or a JSON `passphrase` member, wherever it stands
//     (the model cannot see into error messages or non-JSON bodies);
//   - the real account id: rewritten to the caller's local account everywhere it appears.
//
// A stand-in is an HMAC of the real value under a random salt kept in the cassette's meta table: the
// same real value maps to the same stand-in across a whole cassette (CreateChannel's and
// GetStreamKey's answers agree, across restarts too), and no table of real values exists anywhere.
//
// Bodies are rewritten as text with every byte kept except the replaced ones (no JSON
// re-serialisation that would reorder keys or reformat numbers): only a JSON string that held a
// sensitive value is written anew.
import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { SensitiveValue } from '../model/sensitive-members.js'
import type { JsonValue } from '../protocol/deserialize.js'
import type { CassetteMeta } from '../storage/storage.js'
import { isStandIn, STAND_IN_MARKER, standInFormat, STREAM_KEY_IN_TEXT, streamKeyFormat, type StandInSource } from './stand-in-formats.js'

export { isStandIn, STAND_IN_MARKER } from './stand-in-formats.js'

/** The meta-table key of the per-cassette salt (hex). */
export const SALT_META_KEY = 'redaction.salt'

/** An SRT passphrase member in JSON text (IVS passphrases are alphanumeric: no escapes inside). */
export const PASSPHRASE_PATTERN = /("passphrase"\s*:\s*")([^"\\]*)(")/g

/**
 * A sensitive value shorter than this is replaced only where it is a whole value, never inside
 * other text: a short one (a one-letter metadata) would match innocent text everywhere.
 */
export const MIN_EMBEDDED_LENGTH = 8

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

/** What one interaction's text is rewritten with. */
export interface Rewrite {
  /** Set when the real account must be shown as the caller's local one. */
  readonly account?: AccountRewrite
  /** Real sensitive value → its stand-in (Redactor.replacements). */
  readonly replacements?: ReadonlyMap<string, string>
  /** The call's region: the region of a stream-key stand-in whose real value names none. */
  readonly region?: string
}

const NONE: Rewrite = {}
/** A JSON string token, escapes included. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g
const utf8 = new TextDecoder('utf-8', { fatal: true })

export class Redactor implements StandInSource {
  readonly #salt: Buffer

  constructor(salt: Buffer) {
    if (salt.length < 16) throw new Error('the redaction salt must be at least 16 bytes')
    this.#salt = salt
  }

  /**
   * The cassette's redactor: its salt is read from the meta table, or created (32 random bytes) and
   * stored on first use. Re-read after writing, so two recorders racing on a new cassette agree.
   */
  static async forCassette(store: CassetteMeta): Promise<Redactor> {
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
    return (STAND_IN_MARKER + this.#derive(kind, real, length - STAND_IN_MARKER.length)).slice(0, length)
  }

  alnum(kind: string, real: string, length: number): string {
    return this.#derive(kind, real, length)
  }

  #derive(kind: string, real: string, length: number): string {
    let out = ''
    for (let block = 0; out.length < length; block++) {
      const digest = createHmac('sha256', this.#salt).update(`${kind}\0${block}\0${real}`).digest()
      for (const byte of digest) {
        if (byte < UNBIASED_LIMIT) out += ALNUM[byte % ALNUM.length]
        if (out.length >= length) break
      }
    }
    return out
  }

  /** The stand-in of a value under the sensitive shape `shape`, in that shape's format. */
  sensitive(shape: string, value: string, region?: string): string {
    return standInFormat(shape).make(this, value, region)
  }

  /** Real value → stand-in for everything the model walk found in one interaction. */
  replacements(found: readonly SensitiveValue[], region?: string): Map<string, string> {
    const out = new Map<string, string>()
    for (const f of found) if (f.value !== '' && !out.has(f.value)) out.set(f.value, this.sensitive(f.shape, f.value, region))
    for (const [real, standIn] of out) if (real === standIn) out.delete(real)
    return out
  }

  /** A stream key in IVS's format (or any other) as its stand-in; a stand-in is left alone. */
  streamKey(value: string, region?: string): string {
    return streamKeyFormat.make(this, value, region)
  }

  passphrase(value: string): string {
    return this.sensitive('SrtPassphrase', value)
  }

  /** Any text: the interaction's sensitive values, stream keys, JSON passphrase members, the account id. */
  text(text: string, rewrite: Rewrite = NONE): string {
    let out = rewrite.replacements ? replaceValues(text, rewrite.replacements) : text
    out = out.replace(STREAM_KEY_IN_TEXT, (whole: string) => (streamKeyFormat.isStandIn(whole) ? whole : this.streamKey(whole, rewrite.region)))
    out = out.replace(PASSPHRASE_PATTERN, (_m, open: string, value: string, close: string) => open + this.passphrase(value) + close)
    return rewrite.account ? rewriteAccount(out, rewrite.account) : out
  }

  /**
   * A body: in JSON, every string holding a sensitive value is written anew (whatever escapes the
   * upstream used); then the text rewriting on the bytes as latin1, every other byte left exactly
   * as it was.
   */
  bytes(body: Buffer, rewrite: Rewrite = NONE): Buffer {
    if (body.length === 0) return body
    let bytes = body
    const { replacements } = rewrite
    if (replacements !== undefined && replacements.size > 0) {
      const json = jsonText(body)
      if (json !== undefined) bytes = Buffer.from(json.replace(JSON_STRING, (token) => replaceInToken(token, replacements)), 'utf8')
    }
    const latin1 = replacements === undefined ? undefined : asLatin1(replacements)
    return Buffer.from(this.text(bytes.toString('latin1'), { ...rewrite, replacements: latin1 }), 'latin1')
  }

  /** A parsed JSON value (an operation's input): every string rewritten, `passphrase` members replaced. */
  json(value: JsonValue, rewrite: Rewrite = NONE): JsonValue {
    if (typeof value === 'string') return this.text(value, rewrite)
    if (Array.isArray(value)) return value.map((v) => this.json(v, rewrite))
    if (value === null || typeof value !== 'object') return value
    const out: { [key: string]: JsonValue } = {}
    for (const [key, v] of Object.entries(value)) {
      out[key] = key === 'passphrase' && typeof v === 'string' ? this.passphrase(v) : this.json(v, rewrite)
    }
    return out
  }

  /** Only the allow-listed headers, under their stored names, their values rewritten too. */
  headers(headers: IncomingHttpHeaders, kept: Readonly<Record<string, string>>, rewrite: Rewrite = NONE): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) {
      const stored = kept[name.toLowerCase()]
      if (stored === undefined || value === undefined) continue
      out[stored] = this.text(Array.isArray(value) ? value.join(', ') : value, rewrite)
    }
    return out
  }
}

/** A whole value is replaced whatever its length; inside other text only from MIN_EMBEDDED_LENGTH on. */
function replaceValues(text: string, replacements: ReadonlyMap<string, string>): string {
  const whole = replacements.get(text)
  if (whole !== undefined) return whole
  let out = text
  for (const [real, standIn] of replacements) {
    if (real.length >= MIN_EMBEDDED_LENGTH && out.includes(real)) out = out.split(real).join(standIn)
  }
  return out
}

function replaceInToken(token: string, replacements: ReadonlyMap<string, string>): string {
  let value: string
  if (!token.includes('\\')) value = token.slice(1, -1)
  else {
    try {
      value = JSON.parse(token) as string
    } catch {
      return token
    }
  }
  const replaced = replaceValues(value, replacements)
  return replaced === value ? token : JSON.stringify(replaced)
}

/** The body as text when it is UTF-8 JSON (an object or an array), else undefined. */
function jsonText(body: Buffer): string | undefined {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return undefined
  }
  const first = text.trimStart()[0]
  return first === '{' || first === '[' ? text : undefined
}

/** The replacements as the latin1 view of their UTF-8 bytes, for rewriting bytes as latin1 text. */
function asLatin1(replacements: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>()
  for (const [real, standIn] of replacements) out.set(Buffer.from(real, 'utf8').toString('latin1'), standIn)
  return out
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
