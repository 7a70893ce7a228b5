// Signs a forwarded request for the upstream with the real credentials (SigV4, service `ivs`, or
// `sts` for the caller-identity check).
// Only host, x-amz-date, content-type and x-amz-security-token are signed: what real IVS requires,
// and nothing a hop could change. The path is signed exactly as it will be sent, still
// percent-encoded (the signer encodes it once more, as the client's signer did); query values are
// given decoded (the signer encodes them) and sent in the same encoding (`encodeQuery`).
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { uriEscape } from '../auth/sigv4-canonical.js'
import type { RealCredentials } from './real-credentials.js'
import type { UpstreamEndpoint } from './upstream-endpoint.js'

export interface UpstreamSigningInput {
  readonly method: string
  readonly endpoint: UpstreamEndpoint
  /** Percent-encoded, base path included, no query. */
  readonly path: string
  /** Decoded names and values, repeats in order. */
  readonly query: Readonly<Record<string, readonly string[]>>
  readonly contentType: string | undefined
  readonly body: Buffer
  readonly region: string
  readonly credentials: RealCredentials
  readonly signingDate?: Date
  /** The signing name; default `ivs`. */
  readonly service?: string
}

/** The headers to add: host, content-type, x-amz-date, x-amz-security-token (with a token), authorization. */
export async function signUpstreamRequest(input: UpstreamSigningInput): Promise<Record<string, string>> {
  const { credentials, endpoint } = input
  const signer = new SignatureV4({
    service: input.service ?? 'ivs',
    region: input.region,
    sha256: Sha256,
    // No x-amz-content-sha256: IVS does not ask for it, and it would be one more header to keep intact.
    applyChecksum: false,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
    },
  })
  const headers: Record<string, string> = { host: endpoint.host }
  if (input.contentType !== undefined) headers['content-type'] = input.contentType
  const query: Record<string, string | string[]> = {}
  for (const [name, values] of Object.entries(input.query)) query[name] = values.length === 1 ? values[0] : [...values]
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: input.path,
      query,
      headers,
      body: input.body,
    },
    { signingDate: input.signingDate ?? new Date() },
  )
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = String(value)
  return out
}

/** `?a=1&b=x%20y`, or '' for no query; names in the order given, repeats in order. */
export function encodeQuery(query: Readonly<Record<string, readonly string[]>>): string {
  const parts: string[] = []
  // RFC 3986, as the signer canonicalises: what is sent is exactly what was signed.
  for (const [name, values] of Object.entries(query)) for (const v of values) parts.push(`${uriEscape(name, false)}=${uriEscape(v, false)}`)
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}
