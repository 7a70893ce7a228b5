// The load generator's SigV4 signer: the same canonical request @smithy/signature-v4 builds for
// the IVS clients (non-S3: the path is escaped again, `%3A` → `%253A`; user-agent is not signed), computed
// synchronously with node:crypto so that a fresh signature per request costs microseconds, not the
// SDK's middleware stack. ivs-requests.ts checks its output byte for byte against the SDK clients before
// any load is sent, so a difference here fails the benchmark instead of skewing it.
import { createHash, createHmac } from 'node:crypto'

/** Headers @smithy/signature-v4 never signs (ALWAYS_UNSIGNABLE_HEADERS, lower case). */
const UNSIGNABLE = new Set([
  'authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma',
  'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id',
])

export interface ClientCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

/** `20261126T042855Z` from a Date, as the SDK formats X-Amz-Date. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')
}

/** The SDK's `escapeUri`: encodeURIComponent plus `! ' ( ) *`. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/** The canonical path of an already percent-encoded request path (no dot segments in ours). */
export function canonicalPath(path: string): string {
  return escapeUri(path).replace(/%2F/g, '/')
}

export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex')
}

export class ClientSigner {
  readonly #credentials: ClientCredentials
  /** The SigV4 scope's service: the model's signing name (`ivs` for ivs and ivs-realtime, `ivschat`). */
  readonly #service: string
  #keyDate = ''
  #key: Buffer = Buffer.alloc(0)

  constructor(credentials: ClientCredentials, service = 'ivs') {
    this.#credentials = credentials
    this.#service = service
  }

  #signingKey(date: string): Buffer {
    if (date !== this.#keyDate) {
      const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
      const { secretAccessKey, region } = this.#credentials
      this.#key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), this.#service), 'aws4_request')
      this.#keyDate = date
    }
    return this.#key
  }

  /**
   * The Authorization header for a request whose headers (lower-case names, final values, host,
   * x-amz-date and x-amz-content-sha256 included) are `headers`. No query string: the
   * operations the benchmark sends carry none.
   */
  authorization(method: string, path: string, headers: readonly (readonly [string, string])[], payloadHash: string): string {
    const date = headers.find(([n]) => n === 'x-amz-date')?.[1]
    if (!date) throw new Error('x-amz-date must be set before signing')
    const signable = headers.filter(([n]) => !UNSIGNABLE.has(n)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const signedHeaders = signable.map(([n]) => n).join(';')
    const canonical =
      method + '\n' + canonicalPath(path) + '\n\n' +
      signable.map(([n, v]) => n + ':' + v.trim().replace(/\s+/g, ' ') + '\n').join('') + '\n' +
      signedHeaders + '\n' + payloadHash
    const day = date.slice(0, 8)
    const scope = `${day}/${this.#credentials.region}/${this.#service}/aws4_request`
    const stringToSign = 'AWS4-HMAC-SHA256\n' + date + '\n' + scope + '\n' + sha256Hex(canonical)
    const signature = createHmac('sha256', this.#signingKey(day)).update(stringToSign).digest('hex')
    return `AWS4-HMAC-SHA256 Credential=${this.#credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  }
}
