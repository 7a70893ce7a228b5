// Asks AWS STS which account the recording credentials belong to (GetCallerIdentity: needs no
// permission, every principal may call it). A few lines of Query protocol over the forwarder rather
// than @aws-sdk/client-sts: one form POST and one XML element, through the same transport,
// deadline and trusted CAs as every forwarded IVS call.
import type { RealCredentials } from './real-credentials.js'
import { signUpstreamRequest } from './sign-upstream-request.js'
import type { UpstreamEndpoint } from './upstream-endpoint.js'
import { UpstreamFailure } from './upstream-failure.js'
import type { UpstreamForwarder } from './upstream-forwarder.js'

const BODY = Buffer.from('Action=GetCallerIdentity&Version=2011-06-15')
const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8'
const ACCOUNT = /<Account>\s*(\d{12})\s*<\/Account>/
const CODE = /<Code>([^<]*)<\/Code>/
const MESSAGE = /<Message>([^<]*)<\/Message>/
/** Any 12-digit run: an error text may name the caller's ARN, and so its account. */
const ACCOUNT_RUN = /(?<!\d)\d{12}(?!\d)/g

/** Why the account could not be learnt; the message names no account id. */
export class CallerIdentityError extends Error {
  override name = 'CallerIdentityError'
}

/**
 * The 12-digit account id of `credentials`, from STS at `endpoint` (signed for `sts` in `region`).
 * Rejects with a CallerIdentityError naming what went wrong (no answer, an STS error code and text,
 * an answer without an account).
 */
export async function stsCallerAccount(o: {
  readonly endpoint: UpstreamEndpoint
  readonly region: string
  readonly credentials: RealCredentials
  readonly forwarder: UpstreamForwarder
}): Promise<string> {
  const path = `${o.endpoint.basePath}/`
  const signed = await signUpstreamRequest({
    method: 'POST', endpoint: o.endpoint, path, query: {}, contentType: CONTENT_TYPE, body: BODY,
    region: o.region, credentials: o.credentials, service: 'sts',
  })
  let answer
  try {
    answer = await o.forwarder.send({
      endpoint: o.endpoint, method: 'POST', target: path, headers: { ...signed, 'content-length': String(BODY.length) }, body: BODY,
    })
  } catch (err) {
    throw new CallerIdentityError(err instanceof UpstreamFailure ? err.message : String(err))
  }
  const text = answer.body.toString('utf8')
  if (answer.status === 200) {
    const account = ACCOUNT.exec(text)?.[1]
    if (account !== undefined) return account
    throw new CallerIdentityError(`the answer (status 200) holds no <Account> of 12 digits`)
  }
  const code = CODE.exec(text)?.[1]
  const message = MESSAGE.exec(text)?.[1]
  const what = code === undefined ? `status ${answer.status}` : `status ${answer.status} ${code}${message ? `: ${message}` : ''}`
  throw new CallerIdentityError(what.replace(ACCOUNT_RUN, '<account>'))
}
