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
//   5. Host (and X-Amz-Date, or Date, whichever dates the request) must be signed → InvalidSignature
//   6. algorithm → IncompleteSignature;  7. credential has 5 parts → IncompleteSignature
//   8. scope region / service / terminator / date → InvalidSignature (sentences concatenated)
//   9. access key known → UnrecognizedClient
//  10. x-amz-content-sha256 equals the body's hash → InvalidSignature
//  11. signature (constant-time compare) → InvalidSignature
//  12. session token matches → UnrecognizedClient;  13. credentials not expired → ExpiredToken
//
// Only a mismatch (11) pays for explaining itself: the canonical request and string-to-sign in the
// message, and the search for a common signing mistake that reproduces the client's signature
// (sigv4-diagnosis.ts). A correctly signed request never builds either.
import { hash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { CredentialStore } from './credentials.js'
import {
  canonicalHeadersFromObject,
  canonicalHeadersFromRaw,
  canonicalQueryString,
  canonicalRequestHash,
  canonicalUri,
  decodeCanonical,
  formatIsoBasic,
  isSignatureParam,
  parseHttpDate,
  parseIsoBasic,
  parseQueryParams,
  type QueryParam,
} from './sigv4-canonical.js'
import type { Caller } from '../backend/ivs-call.js'
import { splitTarget } from '../http/request-target.js'
import { explainMismatch, findMistake, type SignedParts } from './sigv4-diagnosis.js'
import * as refuse from './sigv4-errors.js'
import { safeEqual, type HmacSha256Key } from './hmac-key.js'
import { signingKey } from './signing-key.js'

export interface IncomingSignedRequest {
  method: string
  /** The raw request-target as received (`req.url`): still percent-encoded, with its query. */
  url: string
  /** Header names lower-case, as node delivers them (`req.headers`): read for the auth parameters. */
  headers: IncomingHttpHeaders
  /**
   * `req.rawHeaders`, as received: signed headers are canonicalized from these, so a repeated header
   * is its values joined with ',' as SigV4 says (node's `req.headers` has joined most with ', ' and
   * kept only the first User-Agent or Content-Type). Without it, `headers` is used.
   */
  rawHeaders?: readonly string[]
  body: Buffer
}

export interface VerifyOptions {
  /** The signing name: 'ivs'. */
  service: string
  /** The regions a credential scope may name, or 'any'. */
  regions: ReadonlySet<string> | 'any'
  /** Allowed clock skew either way: config.maxSkewSeconds × 1000 (AWS's REST-JSON front ends allow 5 minutes). */
  maxSkewMs: number
  /** Epoch ms; defaults to Date.now. */
  now?: () => number
  /**
   * A mismatch's message carries the canonical request and string-to-sign we computed, as AWS's
   * JSON services send them (default true); false keeps the one-sentence message.
   */
  explainMismatch?: boolean
  /** Called with the signed parts just before the signature is compared (`ivs-replay sigv4 explain`). */
  inspect?: (parts: SignedParts, valid: boolean) => void
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const TERMINATOR = 'aws4_request'
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const MAX_EXPIRES_SECONDS = 604800
/**
 * Outside S3, a presigned URL is good for 15 minutes from its X-Amz-Date whatever its X-Amz-Expires
 * says: STS ignores the parameter (aws/aws-sdk-go#2167: "AWS ignores the header, and the requests
 * lives only for the default 15 minutes"), and so does IoT (aws/aws-sdk-go#2304). X-Amz-Expires is
 * then optional; a value that is sent is still checked for shape (S3's texts), a signer bug either way.
 */
const PRESIGNED_WINDOW_MS = 15 * 60 * 1000

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
  /** The session token, from the query (presigned) or the X-Amz-Security-Token header. */
  token?: string
  tokenFromQuery: boolean
  /** The x-amz-content-sha256 the client claims, if any. */
  contentSha256?: string
}

/**
 * Verifies `req`'s SigV4 signature against `credentials`; returns who signed it, or throws an
 * AwsError (403) with AWS's code and message.
 *
 * @example
 * const caller = verifySigV4({ method: req.method!, url: req.url!, headers: req.headers, body },
 *   store, { service: 'ivs', regions: new Set(['us-west-2']), maxSkewMs: 300_000 })
 */
export function verifySigV4(req: IncomingSignedRequest, credentials: CredentialStore, opts: VerifyOptions): Caller {
  const now = opts.now ? opts.now() : Date.now()
  const { path, rawQuery } = splitTarget(req.url)
  const query = parseQueryParams(rawQuery)

  // 1-2. Which form, and are its parts all there?
  const claimed = readClaims(req.headers, query)

  // 3. Date format, then the expiry parameter of a presigned URL.
  const requestTime = claimed.dateSource === 'date'
    ? parseIsoBasic(claimed.date) ?? parseHttpDate(claimed.date)
    : parseIsoBasic(claimed.date)
  if (requestTime === undefined) throw refuse.badDateFormat(claimed.date)
  // The timestamp the string-to-sign carries: the X-Amz-Date as sent, or the Date header re-written.
  const amzDate = claimed.dateSource === 'date' ? formatIsoBasic(requestTime) : claimed.date
  if (claimed.presigned && claimed.expires !== undefined) {
    const e = claimed.expires
    const expiresSeconds = /^\d{1,7}$/.test(e) ? Number(e) : NaN
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_EXPIRES_SECONDS)) throw refuse.badExpires(e)
  }

  // 4. Time window: ±maxSkewMs for the header form; a presigned URL lives from its date (minus the
  //    skew, for a client clock running ahead) until its date + 15 minutes.
  const skew = opts.maxSkewMs
  if (requestTime > now + skew) {
    throw refuse.signatureNotYetCurrent(amzDate, formatIsoBasic(now + skew), formatIsoBasic(now), duration(skew))
  }
  if (claimed.presigned) {
    const lifetime = PRESIGNED_WINDOW_MS
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
  // An X-Amz-Security-Token header need not be signed: the SigV4 test suite's post-sts-header-after
  // adds it after signing and expects the same signature, and AWS's SigV4 guide says some services
  // take the token added after the signature is computed. Its value is still checked (12).

  // 6. Algorithm.
  if (claimed.algorithm !== ALGORITHM) throw refuse.unsupportedAlgorithm(claimed.algorithm)

  // 7-8. Credential scope.
  const credential = claimed.credential
  const parts = (credential.charCodeAt(credential.length - 1) === 0x2f ? credential.replace(/\/+$/, '') : credential).split('/')
  if (parts.length !== 5) throw refuse.credentialNotFiveParts(claimed.credential)
  const [accessKeyId, scopeDate, region, service, terminator] = parts
  const scope = `${scopeDate}/${region}/${service}/${TERMINATOR}`
  const expectedDate = amzDate.slice(0, 8)
  // The regions this endpoint serves: the configured region, or the explicit `regions` list. A
  // regional AWS endpoint refuses a scope naming any other (BEHAVIOR.md §11).
  const badRegion = opts.regions !== 'any' && !opts.regions.has(region)
  if (badRegion || service !== opts.service || terminator !== TERMINATOR || scopeDate !== expectedDate) {
    throw refuse.wrongScope({
      region: badRegion ? region : undefined,
      service: service !== opts.service ? opts.service : undefined,
      terminator: terminator !== TERMINATOR ? terminator : undefined,
      date: scopeDate !== expectedDate ? { scope: scopeDate, expected: expectedDate, from: amzDate } : undefined,
    }).by(accessKeyId, parts.slice(1).join('/'))
  }

  // 9. Known key.
  const entry = credentials.find(accessKeyId)
  if (entry === undefined) throw refuse.invalidSecurityToken('access-key').by(accessKeyId, scope)

  // 10. The payload hash is always the received body's: a claimed one must match it, never replace it.
  // crypto.hash is the one-shot form: no Hash object per request (about 1 µs less each).
  const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : hash('sha256', req.body, 'hex')
  let payloadHash = bodyHash
  if (claimed.contentSha256 !== undefined && claimed.contentSha256 !== bodyHash) {
    // A presigned URL may say UNSIGNED-PAYLOAD (as S3-style presigners do) only when there is no
    // body to leave unsigned.
    if (!(claimed.presigned && claimed.contentSha256 === UNSIGNED_PAYLOAD && req.body.length === 0)) {
      throw refuse.payloadHashMismatch().by(accessKeyId, scope)
    }
    payloadHash = UNSIGNED_PAYLOAD
  }

  // 11. Signature.
  const key = signingKey(entry.secretAccessKey, scopeDate, region, service)
  const skipSignature = claimed.presigned ? isSignatureParam : undefined
  const headerBlock = req.rawHeaders !== undefined
    ? canonicalHeadersFromRaw(req.rawHeaders, signedNames)
    : canonicalHeadersFromObject(req.headers, signedNames)
  const uri = canonicalUri(path)
  const canonicalQuery = canonicalQueryString(query, skipSignature)
  const head = req.method + '\n' + uri + '\n' + canonicalQuery + '\n' + headerBlock + '\n' + claimed.signedHeaders + '\n'
  let ok = signatureMatches(claimed.signature, key, amzDate, scope, head + payloadHash)
  // Generic presigners (@smithy/signature-v4 presign, botocore SigV4QueryAuth) sign the body's hash;
  // S3-style ones sign UNSIGNED-PAYLOAD without saying so. Harmless to accept when the body is empty.
  if (!ok && claimed.presigned && claimed.contentSha256 === undefined && req.body.length === 0) {
    ok = signatureMatches(claimed.signature, key, amzDate, scope, head + UNSIGNED_PAYLOAD)
  }
  // The query form of post-sts-header-after (SigV4 test suite): a session token appended to a
  // presigned URL after signing, as IoT's presigned WebSocket URLs are made (aws/aws-sdk-go#2304).
  if (!ok && claimed.tokenFromQuery) {
    const withoutToken = canonicalQueryString(query, isSignatureOrTokenParam)
    ok = signatureMatches(claimed.signature, key, amzDate, scope,
      req.method + '\n' + uri + '\n' + withoutToken + '\n' + headerBlock + '\n' + claimed.signedHeaders + '\n' + payloadHash)
  }
  if (!ok || opts.inspect !== undefined) {
    // Off the hot path: only a mismatch (or `sigv4 explain`) gets here.
    const signed: SignedParts = {
      method: req.method, rawPath: path, query, presigned: claimed.presigned, rawHeaders: req.rawHeaders,
      headers: req.headers, signedNames, signedHeaders: claimed.signedHeaders, uri, canonicalQuery, headerBlock,
      payloadHash, bodyHash, amzDate, scopeDate, region, service, scope, secretAccessKey: entry.secretAccessKey,
      signature: claimed.signature, tokenFromQuery: claimed.tokenFromQuery, dateHeader: header(req.headers, 'date'),
    }
    opts.inspect?.(signed, ok)
    if (!ok) {
      const explained = explainMismatch(signed)
      const refusal = refuse.signatureMismatch(opts.explainMismatch === false ? undefined : explained, findMistake(signed))
      refusal.canonicalRequest = explained.canonicalRequest
      throw refusal.by(accessKeyId, scope)
    }
  }

  // 12-13. Session token, then expiry: only a correctly signed request learns about either.
  if (entry.sessionToken !== undefined || claimed.token !== undefined) {
    if (entry.sessionToken === undefined || claimed.token === undefined || !safeEqual(entry.sessionToken, claimed.token)) {
      throw refuse.invalidSecurityToken('session-token').by(accessKeyId, scope)
    }
  }
  if (entry.expiresAt !== undefined && now > Date.parse(entry.expiresAt)) throw refuse.expiredSecurityToken().by(accessKeyId, scope)

  return { accessKeyId, accountId: entry.accountId, region }
}

const isSignatureOrTokenParam = (name: string) => isSignatureParam(name) || name === 'X-Amz-Security-Token'

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',')
}

function firstParam(query: readonly QueryParam[], name: string): string | undefined {
  for (const p of query) if (p.name === name) return decodeCanonical(p.value)
  return undefined
}

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
    // X-Amz-Expires is optional outside S3 (see PRESIGNED_WINDOW_MS).
    const expires = firstParam(query, 'X-Amz-Expires')
    if (!algorithm || !credential || !signature || !signedHeaders || !date) {
      const missing: string[] = []
      if (!algorithm) missing.push('X-Amz-Algorithm')
      if (!credential) missing.push('X-Amz-Credential')
      if (!signature) missing.push('X-Amz-Signature')
      if (!signedHeaders) missing.push('X-Amz-SignedHeaders')
      if (!date) missing.push('X-Amz-Date')
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
      tokenFromQuery: queryToken !== undefined,
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
      if (item === '') continue
      const eq = item.indexOf('=')
      if (eq < 0) throw refuse.authorizationItemWithoutEquals(item, authorization)
      if (eq === 0) continue
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
    tokenFromQuery: false,
    contentSha256: header(headers, 'x-amz-content-sha256'),
  }
}

function signatureMatches(provided: string, key: HmacSha256Key, amzDate: string, scope: string, canonicalRequest: string): boolean {
  const expected = key.hexOfLatin1(ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + canonicalRequestHash(canonicalRequest))
  return safeEqual(expected, provided)
}

/** How AWS prints the allowed window: '5 min', or seconds when not whole minutes. */
function duration(ms: number): string {
  return ms % 60000 === 0 ? `${ms / 60000} min` : `${Math.round(ms / 1000)} sec`
}
