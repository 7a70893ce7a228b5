// Every refusal the SigV4 verifier can give, with AWS's code and text (docs/ivs-behavior.md §8). All are 403.
//
// What goes into a message: only what the caller sent in the clear and what is not a secret (the
// algorithm, the credential scope including the access key id, dates, header names). Never a
// secret, a session token, a signature, a payload hash we computed, or the Authorization header.
import { AwsError } from '../protocol/aws-error.js'

const STATUS = 403

const incomplete = (message: string) => new AwsError('IncompleteSignatureException', STATUS, message)
const invalid = (message: string) => new AwsError('InvalidSignatureException', STATUS, message)

export const missingAuthenticationToken = () =>
  new AwsError('MissingAuthenticationTokenException', STATUS, 'Missing Authentication Token')

export const bothHeaderAndQueryAuth = () =>
  invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")

/**
 * AWS builds this from one sentence per missing part, then appends `Authorization=<the header>`.
 * We deliberately leave that suffix out: it echoes the whole header (access key id and signature)
 * back into a response body that may end up in logs, and we never echo secrets-adjacent material.
 */
export const incompleteAuthorizationHeader = (missing: { params: readonly string[]; date: boolean }) => {
  let message = ''
  for (const p of missing.params) message += `Authorization header requires '${p}' parameter. `
  if (missing.date) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
  return incomplete(message)
}

export const incompleteQueryAuth = (missingParams: readonly string[]) => {
  let message = ''
  for (const p of missingParams) message += `AWS query-string parameters must include '${p}'. `
  return incomplete(message + 'Re-examine the query-string parameters.')
}

export const badDateFormat = (value: string) =>
  incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`)

// X-Amz-Expires texts are S3's (the only AWS service whose texts for these are published); the
// code is the one this family of services uses for a malformed signature.
export const badExpires = (value: string) => {
  if (!/^-?\d+$/.test(value)) return incomplete('X-Amz-Expires should be a number')
  if (Number(value) < 0) return incomplete('X-Amz-Expires must be non-negative')
  if (Number(value) === 0) return incomplete('X-Amz-Expires must be at least 1 second')
  return incomplete(
    'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
  )
}

export const unsupportedAlgorithm = (value: string) =>
  incomplete(`Unsupported AWS 'algorithm': '${value}' (only AWS4-HMAC-SHA256 for now). `)

export const credentialNotFiveParts = (value: string) =>
  incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${value}'`)

/** `display` is how AWS names the header: 'Host' (with ':authority'), 'X-Amz-Date', 'Date', 'X-Amz-Security-Token'. */
export const headerNotSigned = (display: string) =>
  invalid(display === 'Host'
    ? "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    : `'${display}' must be a 'SignedHeader' in the AWS Authorization.`)

/** `window` as AWS prints it, e.g. '5 min'. All timestamps in ISO 8601 basic format. */
export const signatureExpired = (requestDate: string, earliest: string, now: string, window: string) =>
  invalid(`Signature expired: ${requestDate} is now earlier than ${earliest} (${now} - ${window}.)`)

export const signatureNotYetCurrent = (requestDate: string, latest: string, now: string, window: string) =>
  invalid(`Signature not yet current: ${requestDate} is still later than ${latest} (${now} + ${window}.)`)

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
  return invalid(message)
}

// AWS may append the canonical request and string-to-sign; we do not (they are derived from the
// request plus our view of it, and help an attacker more than a developer with a real SDK).
export const signatureMismatch = () =>
  invalid(
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  )

// S3's text for the same fault (XAmzContentSHA256Mismatch); docs/ivs-behavior.md §9 #28 fixes the code.
export const payloadHashMismatch = () =>
  invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")

export const invalidSecurityToken = () =>
  new AwsError('UnrecognizedClientException', STATUS, 'The security token included in the request is invalid.')

export const expiredSecurityToken = () =>
  new AwsError('ExpiredTokenException', STATUS, 'The security token included in the request is expired')
