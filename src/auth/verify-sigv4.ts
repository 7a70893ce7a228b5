// Verifies an incoming request's AWS Signature Version 4, header form or presigned-URL form, and
// refuses it the way AWS does (docs/ivs-behavior.md §8): 403 with AWS's exception code and text.
//
// Synchronous on purpose (it sits on every request's hot path): we build the canonical request
// ourselves with node:crypto instead of re-signing through an SDK signer, and cache signing keys.
//
// Check order follows what AWS front ends are observed to do (dynalite / kinesalite notes):
//   1. both header and query auth → InvalidSignature; neither → MissingAuthenticationToken
//   2. missing parts (Credential, Signature, SignedHeaders, date) → IncompleteSignature
//   3. date format (and X-Amz-Expires) → IncompleteSignature
//   4. clock skew / presigned expiry → InvalidSignature
//   5. Host (and X-Amz-Date, X-Amz-Security-Token when sent as headers) must be signed → InvalidSignature
//   6. algorithm → IncompleteSignature;  7. credential has 5 parts → IncompleteSignature
//   8. scope region / service / terminator / date → InvalidSignature (sentences concatenated)
//   9. access key known → UnrecognizedClient
//  10. x-amz-content-sha256 equals the body's hash → InvalidSignature
//  11. signature (constant-time compare) → InvalidSignature
//  12. session token matches → UnrecognizedClient;  13. credentials not expired → ExpiredToken
import { createHash, hash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { CredentialStore } from './credentials.js'
import {
  canonicalHeaderValue,
  canonicalQueryString,
  canonicalUri,
  decodeCanonical,
  formatIsoBasic,
  parseHttpDate,
  parseIsoBasic,
  parseQuery,
  type QueryParam,
} from './sigv4-canonical.js'
import * as refuse from './sigv4-errors.js'
import type { HmacSha256Key } from './hmac-key.js'
import { signingKey } from './signing-key.js'

export interface IncomingSignedRequest {
  method: string
  /** The raw request-target as received (`req.url`): still percent-encoded, with its query. */
  url: string
  /**
   * Header names lower-case, as node delivers them (`req.headers`). Pass `req.headersDistinct`
   * instead to canonicalize repeated headers exactly as AWS does (values joined with ','); with
   * `req.headers`, node has already joined repeats of most headers with ', '.
   */
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface VerifyOptions {
  /** The signing name: 'ivs'. */
  service: string
  /** The regions a credential scope may name, or 'any'. */
  regions: ReadonlySet<string> | 'any'
  /** Allowed clock skew either way, e.g. DEFAULT_MAX_SKEW_MS. */
  maxSkewMs: number
  /** Epoch ms; defaults to Date.now. */
  now?: () => number
}

export interface Caller {
  accessKeyId: string
  accountId: string
  /** The region of the credential scope. */
  region: string
}

/** AWS's REST-JSON front ends allow 5 minutes either way. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000

const ALGORITHM = 'AWS4-HMAC-SHA256'
const TERMINATOR = 'aws4_request'
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const MAX_EXPIRES_SECONDS = 604800
const NON_LATIN1 = /[^\u0000-\u00ff]/
const NON_ASCII = /[^\u0000-\u007f]/

/** What the request claims, from either form, before any of it is trusted. */
interface Claimed {
  presigned: boolean
  algorithm: string
  credential: string
  signedHeaders: string
  signature: string
  /** The date as sent, and where it came from. */
  date: string
  dateSource: 'x-amz-date' | 'date' | 'query'
  expires?: string
  /** The session token, and whether it came as a header (then it must be signed). */
  token?: string
  tokenFromHeader: boolean
  /** The x-amz-content-sha256 the client claims, if any. */
  contentSha256?: string
}

/**
 * Verifies `req`'s SigV4 signature against `credentials`; returns who signed it, or throws an
 * AwsError (403) with AWS's code and message.
 *
 * @example
 * const caller = verifySigV4({ method: req.method!, url: req.url!, headers: req.headers, body },
 *   store, { service: 'ivs', regions: new Set(['us-west-2']), maxSkewMs: DEFAULT_MAX_SKEW_MS })
 */
export function verifySigV4(req: IncomingSignedRequest, credentials: CredentialStore, opts: VerifyOptions): Caller {
  const now = opts.now ? opts.now() : Date.now()
  const { path, rawQuery } = splitTarget(req.url)
  const query = parseQuery(rawQuery)

  // 1-2. Which form, and are its parts all there?
  const claimed = readClaims(req.headers, query)

  // 3. Date format, then the expiry parameter of a presigned URL.
  const requestTime = claimed.dateSource === 'date'
    ? parseIsoBasic(claimed.date) ?? parseHttpDate(claimed.date)
    : parseIsoBasic(claimed.date)
  if (requestTime === undefined) throw refuse.badDateFormat(claimed.date)
  // The timestamp the string-to-sign carries: the X-Amz-Date as sent, or the Date header re-written.
  const amzDate = claimed.dateSource === 'date' ? formatIsoBasic(requestTime) : claimed.date
  let expiresSeconds = 0
  if (claimed.presigned) {
    const e = claimed.expires!
    expiresSeconds = /^\d{1,7}$/.test(e) ? Number(e) : NaN
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_EXPIRES_SECONDS)) throw refuse.badExpires(e)
  }

  // 4. Time window: ±maxSkewMs for the header form; a presigned URL lives from its date (minus the
  //    skew, for a client clock running ahead) until its date + X-Amz-Expires.
  const skew = opts.maxSkewMs
  if (requestTime > now + skew) {
    throw refuse.signatureNotYetCurrent(amzDate, formatIsoBasic(now + skew), formatIsoBasic(now), duration(skew))
  }
  if (claimed.presigned) {
    const lifetime = expiresSeconds * 1000
    if (now > requestTime + lifetime) {
      throw refuse.signatureExpired(amzDate, formatIsoBasic(now - lifetime), formatIsoBasic(now), duration(lifetime))
    }
  } else if (requestTime < now - skew) {
    throw refuse.signatureExpired(amzDate, formatIsoBasic(now - skew), formatIsoBasic(now), duration(skew))
  }

  // 5. Headers that must be covered by the signature.
  // Lower-cased once: the list is short, so `includes` beats building a Set per request.
  const signedNames = claimed.signedHeaders.toLowerCase().split(';')
  if (!signedNames.includes('host')) throw refuse.headerNotSigned('Host')
  if (claimed.dateSource === 'x-amz-date' && !signedNames.includes('x-amz-date')) throw refuse.headerNotSigned('X-Amz-Date')
  if (claimed.dateSource === 'date' && !signedNames.includes('date')) throw refuse.headerNotSigned('Date')
  if (claimed.tokenFromHeader && !signedNames.includes('x-amz-security-token')) {
    throw refuse.headerNotSigned('X-Amz-Security-Token')
  }

  // 6. Algorithm.
  if (claimed.algorithm !== ALGORITHM) throw refuse.unsupportedAlgorithm(claimed.algorithm)

  // 7-8. Credential scope.
  const credential = claimed.credential
  const parts = (credential.charCodeAt(credential.length - 1) === 0x2f ? credential.replace(/\/+$/, '') : credential).split('/')
  if (parts.length !== 5) throw refuse.credentialNotFiveParts(claimed.credential)
  const [accessKeyId, scopeDate, region, service, terminator] = parts
  const expectedDate = amzDate.slice(0, 8)
  const badRegion = opts.regions !== 'any' && !opts.regions.has(region)
  if (badRegion || service !== opts.service || terminator !== TERMINATOR || scopeDate !== expectedDate) {
    throw refuse.wrongScope({
      region: badRegion ? region : undefined,
      service: service !== opts.service ? opts.service : undefined,
      terminator: terminator !== TERMINATOR ? terminator : undefined,
      date: scopeDate !== expectedDate ? { scope: scopeDate, expected: expectedDate, from: amzDate } : undefined,
    })
  }

  // 9. Known key.
  const entry = credentials.find(accessKeyId)
  if (entry === undefined) throw refuse.invalidSecurityToken()

  // 10. The payload hash is always the received body's: a claimed one must match it, never replace it.
  // crypto.hash is the one-shot form: no Hash object per request (about 1 µs less each).
  const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : hash('sha256', req.body, 'hex')
  let payloadHash = bodyHash
  if (claimed.contentSha256 !== undefined && claimed.contentSha256 !== bodyHash) {
    // A presigned URL may say UNSIGNED-PAYLOAD (as S3-style presigners do) only when there is no
    // body to leave unsigned.
    if (!(claimed.presigned && claimed.contentSha256 === UNSIGNED_PAYLOAD && req.body.length === 0)) {
      throw refuse.payloadHashMismatch()
    }
    payloadHash = UNSIGNED_PAYLOAD
  }

  // 11. Signature.
  const key = signingKey(entry.secretAccessKey, scopeDate, region, service)
  const scope = `${scopeDate}/${region}/${service}/${TERMINATOR}`
  const skipSignature = claimed.presigned ? isSignatureParam : undefined
  const head =
    req.method + '\n' + canonicalUri(path) + '\n' + canonicalQueryString(query, skipSignature) + '\n' +
    canonicalHeaders(req.headers, signedNames) + '\n' + claimed.signedHeaders + '\n'
  let ok = signatureMatches(claimed.signature, key, amzDate, scope, head + payloadHash)
  // Generic presigners (@smithy/signature-v4 presign, botocore SigV4QueryAuth) sign the body's hash;
  // S3-style ones sign UNSIGNED-PAYLOAD without saying so. Harmless to accept when the body is empty.
  if (!ok && claimed.presigned && claimed.contentSha256 === undefined && req.body.length === 0) {
    ok = signatureMatches(claimed.signature, key, amzDate, scope, head + UNSIGNED_PAYLOAD)
  }
  if (!ok) throw refuse.signatureMismatch()

  // 12-13. Session token, then expiry: only a correctly signed request learns about either.
  if (entry.sessionToken !== undefined || claimed.token !== undefined) {
    if (entry.sessionToken === undefined || claimed.token === undefined || !safeEqual(entry.sessionToken, claimed.token)) {
      throw refuse.invalidSecurityToken()
    }
  }
  if (entry.expiresAt !== undefined && now > Date.parse(entry.expiresAt)) throw refuse.expiredSecurityToken()

  return { accessKeyId, accountId: entry.accountId, region }
}

function splitTarget(url: string): { path: string; rawQuery: string } {
  let target = url
  if (target.charCodeAt(0) !== 0x2f /* '/' */) {
    // absolute-form (`http://host/path?q`), as sent to a proxy
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target)
    if (m) target = target.slice(m[0].length)
  }
  const hash = target.indexOf('#')
  if (hash >= 0) target = target.slice(0, hash)
  const q = target.indexOf('?')
  return q < 0 ? { path: target, rawQuery: '' } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',')
}

function firstParam(query: readonly QueryParam[], name: string): string | undefined {
  for (const p of query) if (p.name === name) return decodeCanonical(p.value)
  return undefined
}

const isSignatureParam = (name: string) => name.length === 15 && name.toLowerCase() === 'x-amz-signature'

function readClaims(headers: IncomingHttpHeaders, query: readonly QueryParam[]): Claimed {
  const authorization = header(headers, 'authorization')?.trim() || undefined
  const presigned = query.some((p) => p.name === 'X-Amz-Algorithm')
  if (authorization !== undefined && presigned) throw refuse.bothHeaderAndQueryAuth()
  const headerToken = header(headers, 'x-amz-security-token')

  if (presigned) {
    const get = (name: string) => firstParam(query, name) || undefined
    const algorithm = get('X-Amz-Algorithm')
    const credential = get('X-Amz-Credential')
    const signature = get('X-Amz-Signature')
    const signedHeaders = get('X-Amz-SignedHeaders')
    const date = get('X-Amz-Date')
    const expires = get('X-Amz-Expires')
    if (!algorithm || !credential || !signature || !signedHeaders || !date || !expires) {
      const missing: string[] = []
      if (!algorithm) missing.push('X-Amz-Algorithm')
      if (!credential) missing.push('X-Amz-Credential')
      if (!signature) missing.push('X-Amz-Signature')
      if (!signedHeaders) missing.push('X-Amz-SignedHeaders')
      if (!date) missing.push('X-Amz-Date')
      if (!expires) missing.push('X-Amz-Expires')
      throw refuse.incompleteQueryAuth(missing)
    }
    const queryToken = firstParam(query, 'X-Amz-Security-Token')
    let contentSha256: string | undefined
    for (const p of query) {
      if (p.name.length === 20 && p.name.toLowerCase() === 'x-amz-content-sha256') {
        contentSha256 = decodeCanonical(p.value)
        break
      }
    }
    return {
      presigned, algorithm, credential, signature, signedHeaders, date, dateSource: 'query', expires,
      token: queryToken ?? headerToken,
      tokenFromHeader: queryToken === undefined && headerToken !== undefined,
      contentSha256: contentSha256 ?? header(headers, 'x-amz-content-sha256'),
    }
  }

  // dynalite/kinesalite: anything not even starting like SigV4 counts as no authentication at all.
  if (authorization === undefined || !authorization.startsWith('AWS4-')) throw refuse.missingAuthenticationToken()

  const space = authorization.search(/\s/)
  const algorithm = space < 0 ? authorization : authorization.slice(0, space)
  let credential = ''
  let signedHeaders = ''
  let signature = ''
  if (space >= 0) {
    for (const item of authorization.slice(space + 1).split(/[\s,]+/)) {
      const eq = item.indexOf('=')
      if (eq <= 0) continue
      const k = item.slice(0, eq)
      const v = item.slice(eq + 1)
      if (k === 'Credential') credential ||= v
      else if (k === 'SignedHeaders') signedHeaders ||= v
      else if (k === 'Signature') signature ||= v
    }
  }
  const xAmzDate = header(headers, 'x-amz-date') || undefined
  const dateHeader = xAmzDate === undefined ? header(headers, 'date') || undefined : undefined
  if (!credential || !signature || !signedHeaders || (xAmzDate === undefined && dateHeader === undefined)) {
    const params: string[] = []
    if (!credential) params.push('Credential')
    if (!signature) params.push('Signature')
    if (!signedHeaders) params.push('SignedHeaders')
    throw refuse.incompleteAuthorizationHeader({ params, date: xAmzDate === undefined && dateHeader === undefined })
  }
  return {
    presigned, algorithm, credential, signature, signedHeaders,
    date: xAmzDate ?? dateHeader!,
    dateSource: xAmzDate !== undefined ? 'x-amz-date' : 'date',
    token: headerToken,
    tokenFromHeader: headerToken !== undefined,
    contentSha256: header(headers, 'x-amz-content-sha256'),
  }
}

/** `name:value\n` for each signed header (names lower-case), in the order the client listed them. */
function canonicalHeaders(headers: IncomingHttpHeaders, signedNames: readonly string[]): string {
  let out = ''
  for (const name of signedNames) {
    const v = headers[name]
    // A signed header that did not arrive canonicalizes as empty, and the signature will not match.
    out += name + ':' + (v === undefined ? '' : canonicalHeaderValue(v)) + '\n'
  }
  return out
}

function signatureMatches(provided: string, key: HmacSha256Key, amzDate: string, scope: string, canonicalRequest: string): boolean {
  // node delivers header values as latin1 strings: hashing them as latin1 reproduces the bytes the
  // client signed. Everything else in a canonical request is ASCII.
  // The common case, pure ASCII, encodes the same either way and takes the one-shot hash.
  const hashed = !NON_ASCII.test(canonicalRequest)
    ? hash('sha256', canonicalRequest, 'hex')
    : createHash('sha256').update(canonicalRequest, NON_LATIN1.test(canonicalRequest) ? 'utf8' : 'latin1').digest('hex')
  const expected = key.hexOfLatin1(ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + hashed)
  return safeEqual(expected, provided)
}

/**
 * Constant-time for equal lengths; a length difference (public for a signature) returns at once.
 * Compares UTF-16 code units with no allocation: equal strings have equal units.
 */
function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** How AWS prints the allowed window: '5 min', or seconds when not whole minutes. */
function duration(ms: number): string {
  return ms % 60000 === 0 ? `${ms / 60000} min` : `${Math.round(ms / 1000)} sec`
}
