// ivs-replay's own answer to AWS STS GetCallerIdentity: the account of the key that signed the
// request. So that one ivs-replay can play "real AWS" for another (a recorder asks who its
// credentials belong to before it forwards anything), and so that apps which ask who they are work
// against ivs-replay too.
//
// STS speaks the Query protocol, not REST-JSON: a form-encoded `Action=GetCallerIdentity&Version=
// 2011-06-15` (POST body or query string), signed for service `sts`, answered in XML, errors as
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. Signature
// failures carry STS's codes (SignatureDoesNotMatch, InvalidClientTokenId…), not IVS's.
// The caller is answered as the account's root user: ivs-replay's credentials name an account,
// not an IAM user or role (docs/ivs-behavior.md §16).
import type { IncomingHttpHeaders } from 'node:http'
import type { CredentialStore } from '../auth/credentials.js'
import { verifySigV4 } from '../auth/verify-sigv4.js'
import { AwsError } from '../protocol/aws-error.js'
import type { HttpAnswer } from '../backend/backend.js'
import type { Caller } from '../backend/ivs-call.js'

export const STS_VERSION = '2011-06-15'
const XMLNS = `https://sts.amazonaws.com/doc/${STS_VERSION}/`

export interface StsRequest {
  readonly method: string
  /** The raw request-target, as the verifier needs it. */
  readonly url: string
  readonly rawQuery: string
  readonly headers: IncomingHttpHeaders
  /** `req.rawHeaders`: signed headers are canonicalized from these (src/auth/verify-sigv4.ts). */
  readonly rawHeaders?: readonly string[]
  readonly body: Buffer
  readonly requestId: string
}

export interface StsResponderOptions {
  readonly credentials: CredentialStore
  readonly maxSkewMs: number
  /** A mismatch's message shows the canonical request (the `signatureDiagnostics` setting). */
  readonly explainMismatch?: boolean
  /** Set when signatures are not checked (`auth: off`): who every caller is then. */
  readonly anonymous?: () => Caller
}

/** The verifier's IVS-style codes as STS names them (its Query-protocol front end). */
const STS_CODES: Readonly<Record<string, string>> = {
  InvalidSignatureException: 'SignatureDoesNotMatch',
  UnrecognizedClientException: 'InvalidClientTokenId',
  IncompleteSignatureException: 'IncompleteSignature',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  ExpiredTokenException: 'ExpiredToken',
}

export class StsResponder {
  readonly #o: StsResponderOptions

  constructor(options: StsResponderOptions) {
    this.#o = options
  }

  answer(request: StsRequest): HttpAnswer {
    try {
      const caller = this.#o.anonymous?.() ?? verifySigV4(request, this.#o.credentials, {
        service: 'sts', regions: 'any', maxSkewMs: this.#o.maxSkewMs,
        ...(this.#o.explainMismatch !== undefined && { explainMismatch: this.#o.explainMismatch }),
      })
      const params = new URLSearchParams(request.rawQuery)
      if (isForm(request.headers)) for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) params.append(name, value)
      const action = params.get('Action')
      const version = params.get('Version') ?? 'NO_VERSION_SPECIFIED'
      if (action !== 'GetCallerIdentity' || version !== STS_VERSION) {
        throw new AwsError('InvalidAction', 400, `Could not find operation ${action ?? ''} for version ${version}`)
      }
      return xml(200, callerIdentity(caller.accountId, request.requestId))
    } catch (err) {
      if (!(err instanceof AwsError)) throw err
      return xml(err.status, errorResponse(err, request.requestId))
    }
  }
}

function isForm(headers: IncomingHttpHeaders): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
}

function callerIdentity(account: string, requestId: string): string {
  return `<GetCallerIdentityResponse xmlns="${XMLNS}">\n` +
    '  <GetCallerIdentityResult>\n' +
    `    <Arn>arn:aws:iam::${account}:root</Arn>\n` +
    `    <UserId>${account}</UserId>\n` +
    `    <Account>${account}</Account>\n` +
    '  </GetCallerIdentityResult>\n' +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    '</GetCallerIdentityResponse>\n'
}

function errorResponse(err: AwsError, requestId: string): string {
  const code = STS_CODES[err.code] ?? err.code
  return `<ErrorResponse xmlns="${XMLNS}">\n` +
    `  <Error>\n    <Type>Sender</Type>\n    <Code>${escapeXml(code)}</Code>\n    <Message>${escapeXml(err.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    '</ErrorResponse>\n'
}

function xml(status: number, text: string): HttpAnswer {
  return { status, headers: { 'Content-Type': 'text/xml' }, body: Buffer.from(text, 'utf8') }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
