// The pieces of a SigV4 canonical request, built from a request exactly as it arrived, the way
// clients build them before sending (botocore auth.py, @smithy/signature-v4):
//   - URI: the received path (still percent-encoded), dot-segments and empty segments removed, then
//     percent-encoded AGAIN (non-S3 services double-encode: `arn%3Aaws` → `arn%253Aaws`);
//   - query: every parameter decoded and re-encoded in strict RFC 3986 form, repeated keys kept,
//     sorted by encoded name then encoded value;
//   - header values: trimmed, inner whitespace runs collapsed, repeated headers joined with ','.
// Everything here is synchronous and allocation-light: it runs on every request.
import { createHash, hash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

const UNRESERVED = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1
const HEX = '0123456789ABCDEF'
const SLASH = 0x2f
const PERCENT = 0x25
const PLUS = 0x2b

const pct = (byte: number) => '%' + HEX[byte >> 4] + HEX[byte & 15]
const hexValue = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1

/** Percent-encodes the UTF-8 bytes of the code point at `s[i]`; returns [encoded, chars consumed]. */
function encodeNonAscii(s: string, i: number): [string, number] {
  const cp = s.codePointAt(i)!
  const width = cp > 0xffff ? 2 : 1
  let out = ''
  for (const b of Buffer.from(s.slice(i, i + width), 'utf8')) out += pct(b)
  return [out, width]
}

/**
 * Strict RFC 3986 percent-encoding of a string (as UTF-8): everything but `A-Z a-z 0-9 - _ . ~`
 * (and `/` when `keepSlash`) is escaped, `%` included. This is the SDKs' `escapeUri` / botocore's
 * `quote(s, safe='-_.~')`.
 */
export function uriEscape(s: string, keepSlash: boolean): string {
  const n = s.length
  let i = 0
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!(c < 128 && (UNRESERVED[c] === 1 || (keepSlash && c === SLASH)))) break
  }
  if (i === n) return s
  let out = s.slice(0, i)
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c < 128) {
      out += UNRESERVED[c] === 1 || (keepSlash && c === SLASH) ? s[i] : pct(c)
      i++
    } else {
      const [enc, width] = encodeNonAscii(s, i)
      out += enc
      i += width
    }
  }
  return out
}

/** The canonical URI of a raw (still percent-encoded) request path. */
export function canonicalUri(rawPath: string): string {
  return uriEscape(normalizePath(rawPath), true)
}

/** A raw path with dot-segments and empty segments removed (RFC 3986 §5.2.4, as the SDKs do it). */
export function normalizePath(rawPath: string): string {
  // Only pay for segment normalization when there is something to normalize.
  if (!(rawPath.includes('//') || rawPath.includes('/.') || rawPath === '' || rawPath[0] !== '/')) return rawPath
  const segments: string[] = []
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') segments.pop()
    else segments.push(seg)
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : ''
  return '/' + segments.join('/') + trailing
}

/**
 * One received query component (name or value) in canonical form: percent-decoded byte by byte and
 * re-encoded strictly, so `%7e`→`~`, `%2b` stays `%2B`, a raw `:` becomes `%3A` and `+` is a space
 * (`%20`), as form encoding means it. Working on bytes keeps non-UTF-8 escapes intact instead of
 * throwing as `decodeURIComponent` would.
 */
export function canonicalQueryComponent(raw: string): string {
  const n = raw.length
  let i = 0
  for (; i < n; i++) {
    const c = raw.charCodeAt(i)
    if (!(c < 128 && UNRESERVED[c] === 1)) break
  }
  if (i === n) return raw
  let out = raw.slice(0, i)
  while (i < n) {
    const c = raw.charCodeAt(i)
    if (c === PERCENT && i + 2 < n && hexValue(raw.charCodeAt(i + 1)) >= 0 && hexValue(raw.charCodeAt(i + 2)) >= 0) {
      const byte = (hexValue(raw.charCodeAt(i + 1)) << 4) | hexValue(raw.charCodeAt(i + 2))
      out += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : pct(byte)
      i += 3
    } else if (c === PLUS) {
      out += '%20'
      i++
    } else if (c < 128) {
      out += UNRESERVED[c] === 1 ? raw[i] : pct(c)
      i++
    } else {
      const [enc, width] = encodeNonAscii(raw, i)
      out += enc
      i += width
    }
  }
  return out
}

/** A query parameter as received, with its name and value in canonical (encoded) form. */
export interface QueryParam {
  readonly name: string
  readonly value: string
}

/** Splits a raw query string (without `?`) into canonical parameters, in received order (the
 * protocol's parseQuery, by contrast, decodes it into a map of values for the operation input). */
export function parseQueryParams(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = []
  if (rawQuery === '') return params
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    params.push(
      eq < 0
        ? { name: canonicalQueryComponent(part), value: '' }
        : { name: canonicalQueryComponent(part.slice(0, eq)), value: canonicalQueryComponent(part.slice(eq + 1)) },
    )
  }
  return params
}

/** The canonical query string: sorted by encoded name, then encoded value; `skip` names are left out. */
export function canonicalQueryString(params: readonly QueryParam[], skip?: (name: string) => boolean): string {
  if (params.length === 0) return ''
  const kept = skip ? params.filter((p) => !skip(p.name)) : params.slice()
  kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  let out = ''
  for (let i = 0; i < kept.length; i++) out += (i === 0 ? '' : '&') + kept[i].name + '=' + kept[i].value
  return out
}

/** Decodes a canonical component (only valid `%XX` escapes remain) to text; undecodable bytes stay escaped. */
export function decodeCanonical(component: string): string {
  if (!component.includes('%')) return component
  try {
    return decodeURIComponent(component)
  } catch {
    return component
  }
}

const NEEDS_TRIM_ALL = /^\s|\s$|\s\s|[\t\n\r\v\f]/

/** A header value in canonical form: trimmed, every whitespace run collapsed to one space. */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  if (typeof value !== 'string') return value.map((v) => canonicalHeaderValue(v)).join(',')
  return isPlainValue(value) || !NEEDS_TRIM_ALL.test(value) ? value : value.trim().replace(/\s+/g, ' ')
}

/**
 * True when a value is visible ASCII with single inner spaces: nothing to trim or collapse. A plain
 * scan, cheaper than the regular expression on the values every SDK sends; anything else (tabs,
 * runs of spaces, non-ASCII white space) goes to the expression.
 */
function isPlainValue(v: string): boolean {
  const last = v.length - 1
  for (let i = 0; i <= last; i++) {
    const c = v.charCodeAt(i)
    if (c > 0x20 && c < 0x7f) continue
    if (c === 0x20 && i > 0 && i < last && v.charCodeAt(i + 1) !== 0x20) continue
    return false
  }
  return true
}

/**
 * `name:value\n` for each signed header from node's `req.headers` (names lower-case), in the order
 * the client listed them. Node has already joined repeated values with ', ' (or kept only the first
 * of some): callers that have `req.rawHeaders` use canonicalHeadersFromRaw instead.
 */
export function canonicalHeadersFromObject(headers: IncomingHttpHeaders, signedNames: readonly string[]): string {
  let out = ''
  for (const name of signedNames) {
    const v = headers[name]
    // A signed header that did not arrive canonicalizes as empty, and the signature will not match.
    out += name + ':' + (v === undefined ? '' : canonicalHeaderValue(v)) + '\n'
  }
  return out
}

/** True for the X-Amz-Signature query parameter (any case), which a presigned URL does not sign. */
export const isSignatureParam = (name: string) => name.length === 15 && name.toLowerCase() === 'x-amz-signature'

/**
 * `name:value\n` for each signed header (names lower-case), in the order the client listed them,
 * from node's `req.rawHeaders` (`[name, value, name, value, …]` as received): a header sent several
 * times canonicalizes as its values in arrival order joined with `,` (the SigV4 test suite's
 * get-header-key-duplicate), where `req.headers` would have joined them with `, ` or kept only the
 * first (User-Agent, Content-Type, …). `join` exists for the diagnosis of signers that get this wrong.
 */
export function canonicalHeadersFromRaw(rawHeaders: readonly string[], signedNames: readonly string[], join = ','): string {
  const values: Array<string | undefined> = new Array<string | undefined>(signedNames.length)
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const at = signedNames.indexOf(rawHeaders[i].toLowerCase())
    if (at < 0) continue
    const v = canonicalHeaderValue(rawHeaders[i + 1])
    const prev = values[at]
    values[at] = prev === undefined ? v : prev + join + v
  }
  let out = ''
  for (let i = 0; i < signedNames.length; i++) {
    // A signed header listed twice takes the values of its first listing; one that did not arrive
    // canonicalizes as empty, and the signature will not match.
    const at = signedNames.indexOf(signedNames[i])
    out += signedNames[i] + ':' + (values[at] ?? '') + '\n'
  }
  return out
}

const NON_LATIN1 = /[^\u0000-\u00ff]/
const NON_ASCII = /[^\u0000-\u007f]/

/**
 * The SHA-256 (hex) of a canonical request. node delivers header values as latin1 strings: hashing
 * them as latin1 reproduces the bytes the client signed; everything else in a canonical request is
 * ASCII. The common case, pure ASCII, encodes the same either way and takes the one-shot hash.
 */
export function canonicalRequestHash(canonicalRequest: string): string {
  return !NON_ASCII.test(canonicalRequest)
    ? hash('sha256', canonicalRequest, 'hex')
    : createHash('sha256').update(canonicalRequest, NON_LATIN1.test(canonicalRequest) ? 'utf8' : 'latin1').digest('hex')
}

const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** `YYYYMMDDTHHMMSSZ` to epoch ms, or undefined when not that shape or not a real instant. */
export function parseIsoBasic(s: string): number | undefined {
  const m = ISO_BASIC.exec(s)
  if (!m) return undefined
  const [y, mo, d, h, mi, se] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]]
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined
  const t = Date.UTC(y, mo - 1, d, h, mi, se)
  if (new Date(t).getUTCDate() !== d) return undefined // 20230231 and the like
  return t
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
}
// RFC 7231 IMF-fixdate, plus the `-0000` zone Python's email.utils.formatdate (botocore) writes.
const HTTP_DATE = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC|[+-]0000)$/

/** An HTTP `Date` header value to epoch ms, or undefined. */
export function parseHttpDate(s: string): number | undefined {
  const m = HTTP_DATE.exec(s)
  if (!m || MONTHS[m[2]] === undefined) return undefined
  const [d, h, mi, se] = [+m[1], +m[4], +m[5], +m[6]]
  if (d < 1 || h > 23 || mi > 59 || se > 59) return undefined
  const t = Date.UTC(+m[3], MONTHS[m[2]], d, h, mi, se)
  if (new Date(t).getUTCDate() !== d) return undefined
  return t
}

/** Epoch ms to `YYYYMMDDTHHMMSSZ` (sub-second part dropped). */
export function formatIsoBasic(ms: number): string {
  const iso = new Date(ms).toISOString() // 2024-01-02T03:04:05.678Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + 'T' + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z'
}
