// Every refusal the SigV4 verifier can give, with AWS's code and text (docs/ivs-behavior.md §8). All are 403.
//
// What goes into a message: only what the caller sent in the clear and what is not a secret (the
// algorithm, the credential scope including the access key id, dates, header names), and, for a
// signature mismatch, the canonical request and string-to-sign we computed, as AWS's JSON services
// give them, with a session token's value redacted. Never a secret, a session token or a signature.
import { AwsError } from '../protocol/aws-error.js'

const STATUS = 403

/** The check a refusal comes from (named in the debug log line of a refused request). */
export type SigV4Check =
  | 'authentication-present' | 'signature-format' | 'date-format' | 'expires-format' | 'time-window'
  | 'signed-headers' | 'algorithm' | 'credential-format' | 'credential-scope' | 'access-key' | 'payload-hash'
  | 'signature' | 'session-token' | 'token-expiry'

/** The response header naming a common signing mistake that reproduces the client's signature. */
export const HINT_HEADER = 'x-ivs-replay-signature-hint'

/** A SigV4 refusal: the AWS error, plus what a debug log line may say about it. */
export class SigV4Refusal extends AwsError {
  /** Set once the credential has been parsed: the access key id and the scope (neither is a secret). */
  accessKeyId?: string
  scope?: string
  /** For a signature mismatch: the canonical request we computed (session token redacted). */
  canonicalRequest?: string
  /** For a signature mismatch that one common mistake reproduces: what the client got wrong. */
  hint?: string

  constructor(code: string, message: string, readonly check: SigV4Check) {
    super(code, STATUS, message, {})
  }

  /** Records who the refused request claims to be; returns the refusal, for `throw`. */
  by(accessKeyId: string, scope: string): this {
    this.accessKeyId = accessKeyId
    this.scope = scope
    return this
  }

  /** The fields of the debug log line: never a secret, never the signature. */
  logFields(): Record<string, string | undefined> {
    return {
      check: this.check, error: this.code, accessKeyId: this.accessKeyId, scope: this.scope, hint: this.hint,
      canonicalRequest: this.canonicalRequest,
    }
  }
}

const incomplete = (message: string, check: SigV4Check) => new SigV4Refusal('IncompleteSignatureException', message, check)
const invalid = (message: string, check: SigV4Check) => new SigV4Refusal('InvalidSignatureException', message, check)

export const missingAuthenticationToken = () =>
  new SigV4Refusal('MissingAuthenticationTokenException', 'Missing Authentication Token', 'authentication-present')

export const bothHeaderAndQueryAuth = () =>
  invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.", 'authentication-present')

/**
 * AWS builds this from one sentence per missing part, then appends `Authorization=<the header>`.
 * We deliberately leave that suffix out: it echoes the whole header (access key id and signature)
 * back into a response body that may end up in logs, and we never echo secrets-adjacent material.
 */
export const incompleteAuthorizationHeader = (missing: { params: readonly string[]; date: boolean }) => {
  let message = ''
  for (const p of missing.params) message += `Authorization header requires '${p}' parameter. `
  if (missing.date) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
  return incomplete(message, 'signature-format')
}

/**
 * An Authorization item that is not `key=value` (BEHAVIOR.md §11, from public captures). AWS ends
 * the text with the whole header; we echo it with the signature's value masked, for the reason above.
 */
export const authorizationItemWithoutEquals = (item: string, header: string) =>
  incomplete(
    `'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${maskSignature(header)}'.`,
    'signature-format',
  )

const maskSignature = (header: string) => header.replace(/(Signature=)[^,\s]+/g, '$1<redacted>')

export const incompleteQueryAuth = (missingParams: readonly string[]) => {
  let message = ''
  for (const p of missingParams) message += `AWS query-string parameters must include '${p}'. `
  return incomplete(message + 'Re-examine the query-string parameters.', 'signature-format')
}

export const badDateFormat = (value: string) =>
  incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`, 'date-format')

// X-Amz-Expires texts are S3's (the only AWS service whose texts for these are published); the
// code is the one this family of services uses for a malformed signature.
export const badExpires = (value: string) => {
  if (!/^-?\d+$/.test(value)) return incomplete('X-Amz-Expires should be a number', 'expires-format')
  if (Number(value) < 0) return incomplete('X-Amz-Expires must be non-negative', 'expires-format')
  if (Number(value) === 0) return incomplete('X-Amz-Expires must be at least 1 second', 'expires-format')
  return incomplete(
    'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    'expires-format',
  )
}

export const unsupportedAlgorithm = (value: string) =>
  incomplete(`Unsupported AWS 'algorithm': '${value}' (only AWS4-HMAC-SHA256 for now). `, 'algorithm')

export const credentialNotFiveParts = (value: string) =>
  incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${value}'`, 'credential-format')

/** `display` is how AWS names the header: 'Host' (with ':authority'), 'X-Amz-Date', 'Date'. */
export const headerNotSigned = (display: string) =>
  invalid(display === 'Host'
    ? "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    : `'${display}' must be a 'SignedHeader' in the AWS Authorization.`, 'signed-headers')

/** `window` as AWS prints it, e.g. '5 min'. All timestamps in ISO 8601 basic format. */
export const signatureExpired = (requestDate: string, earliest: string, now: string, window: string) =>
  invalid(`Signature expired: ${requestDate} is now earlier than ${earliest} (${now} - ${window}.)`, 'time-window')

export const signatureNotYetCurrent = (requestDate: string, latest: string, now: string, window: string) =>
  invalid(`Signature not yet current: ${requestDate} is still later than ${latest} (${now} + ${window}.)`, 'time-window')

/** The scope sentences, concatenated as AWS does when several parts are wrong (undefined = that part is fine). */
export const wrongScope = (wrong: {
  region?: string
  service?: string
  terminator?: string
  date?: { scope: string; expected: string; from: string }
}) => {
  let message = ''
  if (wrong.region !== undefined) message += `Credential should be scoped to a valid region, not '${wrong.region}'. `
  if (wrong.service !== undefined) message += `Credential should be scoped to correct service: '${wrong.service}'. `
  if (wrong.terminator !== undefined) {
    message += `Credential should be scoped with a valid terminator: 'aws4_request', not '${wrong.terminator}'. `
  }
  if (wrong.date !== undefined) {
    const d = wrong.date
    message += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${d.scope}' != '${d.expected}', from '${d.from}'.`
  }
  return invalid(message, 'credential-scope')
}

export const MISMATCH_TEXT =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/**
 * AWS's JSON services append what they computed (public captures from DynamoDB, Lambda, API Gateway,
 * Elasticsearch; BEHAVIOR.md §11); `explained` is left out when the setting says so.
 * `explained.canonicalRequest` is the display form (session token redacted).
 */
export const signatureMismatch = (explained?: { canonicalRequest: string; stringToSign: string }, hint?: string) => {
  const message = explained
    ? `${MISMATCH_TEXT}\n\nThe Canonical String for this request should have been\n'${explained.canonicalRequest}'\n\n` +
      `The String-to-Sign should have been\n'${explained.stringToSign}'\n`
    : MISMATCH_TEXT
  const refusal = invalid(message, 'signature')
  if (hint !== undefined) {
    ;(refusal.headers as Record<string, string>)[HINT_HEADER] = hint
    refusal.hint = hint
  }
  return refusal
}

// S3's text for the same fault (XAmzContentSHA256Mismatch); docs/ivs-behavior.md §9 #28 fixes the code.
export const payloadHashMismatch = () =>
  invalid("The provided 'x-amz-content-sha256' header does not match what was computed.", 'payload-hash')

export const invalidSecurityToken = (check: 'access-key' | 'session-token') =>
  new SigV4Refusal('UnrecognizedClientException', 'The security token included in the request is invalid.', check)

export const expiredSecurityToken = () =>
  new SigV4Refusal('ExpiredTokenException', 'The security token included in the request is expired', 'token-expiry')
