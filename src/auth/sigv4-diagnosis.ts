// What to tell the author of a signer whose signature did not match (issue 12). Runs only after a
// mismatch (or for `ivs-replay sigv4 explain`), never for a correctly signed request:
//   - the canonical request and string-to-sign we computed, for AWS's message (token redacted);
//   - a search for one common signing mistake that reproduces the client's signature exactly: each
//     candidate rebuilds the canonical request (or the signing key) the way a buggy signer would and
//     compares HMACs. A match is certain evidence of that mistake, not a guess.
import type { IncomingHttpHeaders } from 'node:http'
import { safeEqual, type HmacSha256Key } from './hmac-key.js'
import {
  canonicalHeadersFromObject,
  canonicalHeadersFromRaw,
  canonicalQueryComponent,
  canonicalRequestHash,
  canonicalQueryString,
  decodeCanonical,
  formatIsoBasic,
  isSignatureParam,
  normalizePath,
  parseIsoBasic,
  uriEscape,
  type QueryParam,
} from './sigv4-canonical.js'
import { diagnosisSigningKey as deriveSigningKey } from './signing-key.js'

/** Everything the verifier computed for one signed request, as the diagnosis needs it. */
export interface SignedParts {
  readonly method: string
  /** The received path, still percent-encoded, without the query. */
  readonly rawPath: string
  readonly query: readonly QueryParam[]
  readonly presigned: boolean
  readonly rawHeaders: readonly string[] | undefined
  readonly headers: IncomingHttpHeaders
  readonly signedNames: readonly string[]
  readonly signedHeaders: string
  /** The canonical pieces as we computed them. */
  readonly uri: string
  readonly canonicalQuery: string
  readonly headerBlock: string
  readonly payloadHash: string
  readonly bodyHash: string
  readonly amzDate: string
  readonly scopeDate: string
  readonly region: string
  readonly service: string
  readonly scope: string
  readonly secretAccessKey: string
  readonly signature: string
  readonly tokenFromQuery: boolean
  readonly dateHeader: string | undefined
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Regions a signer may wrongly derive its key for: the IVS regions and the SDK defaults. */
const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2',
  'ap-southeast-1', 'ap-southeast-2', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-north-1', 'ca-central-1', 'sa-east-1',
]
/** Signing names a signer may wrongly use for an IVS request. */
const SERVICES = ['ivs', 'ivschat', 'ivs-realtime', 'ivsrealtime', 'execute-api', 'ivs-chat', 'sts', 's3']

interface Canonical {
  uri?: string
  query?: string
  headerBlock?: string
  signedHeaders?: string
  payloadHash?: string
}

function canonicalRequest(p: SignedParts, v: Canonical = {}): string {
  return p.method + '\n' + (v.uri ?? p.uri) + '\n' + (v.query ?? p.canonicalQuery) + '\n' + (v.headerBlock ?? p.headerBlock) +
    '\n' + (v.signedHeaders ?? p.signedHeaders) + '\n' + (v.payloadHash ?? p.payloadHash)
}

const stringToSign = (amzDate: string, scope: string, canonical: string) =>
  ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + canonicalRequestHash(canonical)

/** A canonical request as shown to a client or a log: a session token's value is never echoed. */
export function displayCanonical(canonical: string): string {
  return canonical
    .replace(/(^|\n)x-amz-security-token:[^\n]*/, '$1x-amz-security-token:<redacted>')
    .replace(/(^|&|\n)(X-Amz-Security-Token=)[^&\n]*/, '$1$2<redacted>')
}

/** The canonical request (display form) and string-to-sign a correct signer computes for this request. */
export function explainMismatch(p: SignedParts): { canonicalRequest: string; stringToSign: string } {
  const canonical = canonicalRequest(p)
  return { canonicalRequest: displayCanonical(canonical), stringToSign: stringToSign(p.amzDate, p.scope, canonical) }
}

/** The signature a correct signer computes with our secret (for `sigv4 explain`). */
export function expectedSignature(p: SignedParts): string {
  return deriveSigningKey(p.secretAccessKey, p.scopeDate, p.region, p.service).hexOfLatin1(stringToSign(p.amzDate, p.scope, canonicalRequest(p)))
}

/**
 * Names the common mistake that reproduces the client's signature, or undefined when none does.
 * The text goes out in a response header: ASCII only, and never a secret (a path, a host or a query
 * may appear; they came from the client).
 */
export function findMistake(p: SignedParts): string | undefined {
  const key = deriveSigningKey(p.secretAccessKey, p.scopeDate, p.region, p.service)
  // Most candidates only change the key or the string-to-sign: the canonical request's hash is shared.
  const ownHash = canonicalRequestHash(canonicalRequest(p))
  const matches = (v: Canonical, k: HmacSha256Key = key, amzDate = p.amzDate, scope = p.scope) => {
    const hashed = Object.keys(v).length === 0 ? ownHash : canonicalRequestHash(canonicalRequest(p, v))
    return safeEqual(k.hexOfLatin1(ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + hashed), p.signature)
  }
  for (const candidate of candidates(p)) {
    const hint = candidate(matches)
    if (hint !== undefined) return asHeaderText(hint)
  }
  return undefined
}

type Matches = (v: Canonical, key?: HmacSha256Key, amzDate?: string, scope?: string) => boolean
type Candidate = (matches: Matches) => string | undefined

function candidates(p: SignedParts): Candidate[] {
  return [
    // The path percent-encoded once (S3's rule) instead of twice, or not normalized.
    (m) => {
      const once = normalizePath(p.rawPath)
      if (once !== p.uri && m({ uri: once })) {
        return `path encoded once: the signature matches the canonical URI '${once}'; every AWS service but S3 ` +
          `percent-encodes the path a second time: '${p.uri}'`
      }
      const unnormalized = uriEscape(p.rawPath, true)
      if (unnormalized !== p.uri && m({ uri: unnormalized })) {
        return `path not normalized: the signature matches the canonical URI '${unnormalized}'; ` +
          `remove empty and dot segments first: '${p.uri}'`
      }
      return undefined
    },
    // Host signed without the port the request was sent to.
    (m) => {
      const host = headerValue(p, 'host')
      const bare = host?.replace(/:\d+$/, '')
      if (host === undefined || bare === host || !p.signedNames.includes('host')) return undefined
      return m({ headerBlock: replaceLine(p.headerBlock, 'host', bare!) })
        ? `Host without the port: the signature matches 'host:${bare}'; sign the Host header as sent: 'host:${host}'`
        : undefined
    },
    // Repeated headers joined with ', ' (or only the first kept), as node's req.headers does.
    (m) => {
      if (p.rawHeaders === undefined || !hasRepeatedSignedHeader(p.rawHeaders, p.signedNames)) return undefined
      const commaSpace = canonicalHeadersFromRaw(p.rawHeaders, p.signedNames, ', ')
      if (m({ headerBlock: commaSpace })) {
        return "repeated headers joined with ', ': SigV4 joins the values of a header sent several times with ',' " +
          'in the order sent'
      }
      const nodeStyle = canonicalHeadersFromObject(p.headers, p.signedNames)
      return nodeStyle !== p.headerBlock && m({ headerBlock: nodeStyle })
        ? "repeated headers: the signature matches node's req.headers view (values joined with ', ', only the first " +
          "User-Agent or Content-Type kept); SigV4 joins every value with ',' in the order sent"
        : undefined
    },
    // The query in the order sent, or its components encoded another way than RFC 3986's strict form.
    (m) => {
      const params = p.presigned ? p.query.filter((q) => !isSignatureParam(q.name)) : p.query
      if (params.length === 0) return undefined
      const unsorted = joinQuery(params)
      if (unsorted !== p.canonicalQuery && m({ query: unsorted })) {
        return `query not sorted: the signature matches '${unsorted}'; sort the parameters by encoded name, ` +
          `then value: '${p.canonicalQuery}'`
      }
      for (const [how, encode] of QUERY_ENCODINGS) {
        const other = canonicalQueryString(params.map((q) => ({ name: encode(q.name), value: encode(q.value) })))
        if (other !== p.canonicalQuery && m({ query: other })) {
          return `query encoded wrongly (${how}): the signature matches '${other}'; encode every byte but ` +
            `A-Z a-z 0-9 - _ . ~ as %XX: '${p.canonicalQuery}'`
        }
      }
      return undefined
    },
    // A session token listed in SignedHeaders but added after signing. (Added after signing and not
    // listed is fine: the SigV4 test suite's post-sts-header-after, accepted by the verifier.)
    (m) => {
      if (!p.signedNames.includes('x-amz-security-token')) return undefined
      const names = p.signedNames.filter((n) => n !== 'x-amz-security-token')
      const block = p.rawHeaders ? canonicalHeadersFromRaw(p.rawHeaders, names) : canonicalHeadersFromObject(p.headers, names)
      return m({ headerBlock: block, signedHeaders: names.join(';') })
        ? 'unsigned session token: the signature was computed before X-Amz-Security-Token was added, yet ' +
          'SignedHeaders lists it; sign after adding the token, or leave it out of SignedHeaders'
        : undefined
    },
    // UNSIGNED-PAYLOAD (S3's convention), or the hash of an empty body, instead of the body's hash.
    (m) => {
      if (p.payloadHash !== UNSIGNED_PAYLOAD && m({ payloadHash: UNSIGNED_PAYLOAD })) {
        return `UNSIGNED-PAYLOAD: the signature was computed with payload hash UNSIGNED-PAYLOAD (an S3 convention); ` +
          `sign the SHA-256 of the body: ${p.bodyHash}`
      }
      if (p.bodyHash !== EMPTY_SHA256 && m({ payloadHash: EMPTY_SHA256 })) {
        return `empty payload hash: the signature was computed over an empty body; sign the body sent: ${p.bodyHash}`
      }
      return undefined
    },
    // The signing key (or the scope in the string-to-sign) for another region or service.
    (m) => {
      const [date, , , terminator] = p.scope.split('/')
      for (const region of REGIONS) {
        if (region === p.region) continue
        const k = deriveSigningKey(p.secretAccessKey, p.scopeDate, region, p.service)
        if (m({}, k) || m({}, k, p.amzDate, `${date}/${region}/${p.service}/${terminator}`)) {
          return `wrong region: the signature was computed for region '${region}' while the Credential scope says ` +
            `'${p.region}'; derive the signing key and the scope from the same region`
        }
      }
      for (const service of SERVICES) {
        if (service === p.service) continue
        const k = deriveSigningKey(p.secretAccessKey, p.scopeDate, p.region, service)
        if (m({}, k) || m({}, k, p.amzDate, `${date}/${p.region}/${service}/${terminator}`)) {
          return `wrong service: the signature was computed for service '${service}' while the Credential scope says ` +
            `'${p.service}'; IVS signs as '${p.service}'`
        }
      }
      return undefined
    },
    // The wrong date: a key for the day before or after (local time), or another timestamp signed.
    (m) => {
      const t = parseIsoBasic(p.amzDate)
      if (t === undefined) return undefined
      for (const days of [-1, 1]) {
        const day = formatIsoBasic(t + days * 86_400_000).slice(0, 8)
        const k = deriveSigningKey(p.secretAccessKey, day, p.region, p.service)
        if (m({}, k)) {
          return `wrong date: the signing key was derived for ${day} while the Credential scope and X-Amz-Date say ` +
            `${p.scopeDate}; derive it from the UTC date of X-Amz-Date`
        }
      }
      const stamps: string[] = []
      for (let s = 1; s <= 5; s++) stamps.push(formatIsoBasic(t - s * 1000), formatIsoBasic(t + s * 1000))
      if (p.dateHeader !== undefined && p.amzDate !== p.dateHeader) stamps.push(p.dateHeader)
      for (const stamp of stamps) {
        if (m({}, undefined, stamp)) {
          return `wrong date: the string-to-sign carried '${stamp}' while the request says '${p.amzDate}'; sign the ` +
            'timestamp you send'
        }
      }
      return undefined
    },
  ]
}

/** Other ways signers encode query components: as sent on the wire, or with JavaScript's encodeURIComponent. */
const QUERY_ENCODINGS: ReadonlyArray<readonly [string, (canonical: string) => string]> = [
  ['not percent-encoded', (c) => decodeCanonical(c)],
  ["encodeURIComponent leaves !'()* as they are", (c) => encodeURIComponent(decodeCanonical(c))],
  ["a space as '+'", (c) => c.replace(/%20/g, '+')],
  ['lower-case escapes', (c) => c.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
  ['encoded twice', (c) => canonicalQueryComponent(c.replace(/%/g, '%25'))],
]

const joinQuery = (params: readonly QueryParam[]) => params.map((q) => q.name + '=' + q.value).join('&')

function headerValue(p: SignedParts, name: string): string | undefined {
  const v = p.headers[name]
  return v === undefined ? undefined : typeof v === 'string' ? v : v[0]
}

/** The header block with one line's value replaced. */
function replaceLine(block: string, name: string, value: string): string {
  const lines = block.split('\n')
  return lines.map((l) => (l.startsWith(name + ':') ? name + ':' + value : l)).join('\n')
}

function hasRepeatedSignedHeader(rawHeaders: readonly string[], signedNames: readonly string[]): boolean {
  const seen = new Set<string>()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase()
    if (!signedNames.includes(name)) continue
    if (seen.has(name)) return true
    seen.add(name)
  }
  return false
}

/** A hint goes out as a header value: printable ASCII only, and not too long. */
function asHeaderText(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, '?')
  return ascii.length > 1000 ? ascii.slice(0, 997) + '...' : ascii
}
