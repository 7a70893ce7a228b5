// Origin lists, as a token's `aws:access-control-allow-origin` (comma-separated) and a playback
// restriction policy's `allowedOrigins` give them. UG: "Wildcard domains are allowed: each origin
// may begin its hostname with * (example: https://*.amazon.com)". An origin is scheme, host and
// port (RFC 6454); hosts compare case-insensitively, and `*.amazon.com` matches subdomains only.

interface OriginPattern {
  readonly scheme: string
  /** Lowercase; without the leading `*.` when `wildcard`. */
  readonly host: string
  readonly wildcard: boolean
  readonly port: string
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([^/:?#]+)(?::(\d+))?\/?$/i
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' }

function parse(origin: string): OriginPattern | undefined {
  const m = ORIGIN.exec(origin.trim())
  if (!m) return undefined
  const scheme = m[1].toLowerCase()
  return { scheme, wildcard: m[2] !== undefined, host: m[3].toLowerCase(), port: m[4] ?? DEFAULT_PORTS[scheme] ?? '' }
}

/** The entries of a token's comma-separated claim, blanks dropped. */
export function splitOriginList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Whether the request's Origin header value is one the list allows (`*` allows any). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  const request = parse(origin)
  if (!request || request.wildcard) return false
  return allowed.some((entry) => {
    if (entry.trim() === '*') return true
    const pattern = parse(entry)
    if (!pattern || pattern.scheme !== request.scheme || pattern.port !== request.port) return false
    return pattern.wildcard ? request.host.endsWith(`.${pattern.host}`) : request.host === pattern.host
  })
}
