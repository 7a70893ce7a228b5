// Where a call is forwarded: real IVS in the caller's region, or `upstream.url` (a test upstream, a
// private endpoint). A path in `upstream.url` is kept as a prefix of every forwarded path.

export interface UpstreamEndpoint {
  /** `https://ivs.us-west-2.amazonaws.com`, without a trailing slash or path. */
  readonly origin: string
  readonly protocol: 'http:' | 'https:'
  readonly hostname: string
  /** The Host header: hostname, plus the port when it is not the protocol's default. */
  readonly host: string
  readonly port: number
  /** Prepended to every forwarded path: '' or '/prefix'. */
  readonly basePath: string
}

export function upstreamEndpoint(configuredUrl: string | null, region: string): UpstreamEndpoint {
  const url = new URL(configuredUrl ?? `https://ivs.${region}.amazonaws.com`)
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:'
  return {
    origin: url.origin,
    protocol,
    hostname: url.hostname,
    host: url.host,
    port: url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port),
    basePath: url.pathname.replace(/\/+$/, ''),
  }
}
