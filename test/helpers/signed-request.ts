// Sends hand-made IVS requests signed by the reference signer (@smithy/signature-v4), for tests
// that need bodies, paths or methods no SDK would send.
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'

export interface RawResponse {
  status: number
  headers: Headers
  text: string
  json: Record<string, unknown>
}

export interface SignedRequestOptions {
  method?: string
  /** Raw, already percent-encoded path, optionally with a query string. */
  path: string
  body?: string | Buffer
  headers?: Record<string, string>
  region?: string
  accessKeyId?: string
  secretAccessKey?: string
  /** Sign nothing: send the request bare. */
  unsigned?: boolean
  /** The SigV4 scope's service: `ivs` unless given (`ivschat` for chat). */
  service?: string
}

export async function signedRequest(endpoint: string, o: SignedRequestOptions): Promise<RawResponse> {
  const url = new URL(endpoint)
  const method = o.method ?? 'POST'
  const [pathOnly, rawQuery = ''] = o.path.split('?')
  const query: Record<string, string | string[]> = {}
  for (const part of rawQuery ? rawQuery.split('&') : []) {
    const [k, v = ''] = part.split('=').map((s) => decodeURIComponent(s))
    const prev = query[k]
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  const body = o.body ?? (method === 'POST' ? '{}' : undefined)
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', ...o.headers }
  if (!o.unsigned) {
    const signer = new SignatureV4({
      service: o.service ?? 'ivs',
      region: o.region ?? 'us-west-2',
      sha256: Sha256,
      credentials: { accessKeyId: o.accessKeyId ?? 'test', secretAccessKey: o.secretAccessKey ?? 'test' },
    })
    const signed = await signer.sign({
      method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: pathOnly, query, headers, body,
    })
    headers = signed.headers as Record<string, string>
  }
  delete headers.host
  const res = await fetch(`${endpoint}${o.path}`, { method, headers, body })
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    /* not JSON: the test looks at text */
  }
  return { status: res.status, headers: res.headers, text, json }
}
