// Which headers cross the proxy. Towards the upstream: the client's headers minus hop-by-hop ones,
// minus its signature and everything the signature covered (we sign again), minus framing and
// encodings we set ourselves. Back to the client: the upstream's headers minus hop-by-hop ones and
// framing, with the names the server and the SDKs look for in their usual casing.
import type { IncomingHttpHeaders } from 'node:http'

/** RFC 9110 §7.6.1 connection-specific headers, plus the non-standard ones proxies also drop. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
])

/** The client's signature and what only it covered: the upstream request is signed afresh. */
const CLIENT_AUTH = new Set(['authorization', 'x-amz-date', 'date', 'x-amz-security-token', 'x-amz-content-sha256', 'host'])

/**
 * Set by us: the body goes as read (its length is ours to state), `expect` would stall on a body we
 * already hold, and no `accept-encoding`, so answers arrive uncompressed and can be redacted.
 */
const REQUEST_REBUILT = new Set(['content-length', 'expect', 'accept-encoding'])

/** The server sets Content-Length itself, and bodies are handed on decoded. */
const RESPONSE_REBUILT = new Set(['content-length', 'content-encoding'])

/** Names whose casing matters downstream (the server reads `x-amzn-ErrorType` to log the error). */
const CANONICAL: Readonly<Record<string, string>> = {
  'content-type': 'Content-Type',
  'x-amzn-errortype': 'x-amzn-ErrorType',
  'x-amzn-requestid': 'x-amzn-RequestId',
}

function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection
  const text = Array.isArray(value) ? value.join(',') : value ?? ''
  return new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))
}

function joined(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value
}

/** The client's headers that may travel on to the upstream (before our signature is added). */
export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const listed = connectionListed(headers)
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower) || CLIENT_AUTH.has(lower) || REQUEST_REBUILT.has(lower)) continue
    out[lower] = joined(value)
  }
  return out
}

/** The upstream's answer headers as the client gets them. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const listed = connectionListed(headers)
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower) || RESPONSE_REBUILT.has(lower)) continue
    out[CANONICAL[lower] ?? lower] = joined(value)
  }
  return out
}
