// Only loopback drives a loopback-bound server. A page in the user's browser can reach 127.0.0.1
// under a name of its own (DNS rebinding: evil.example resolves to 127.0.0.1 after the page loads)
// and send signed requests with the public `test`/`test`; in record mode they would be re-signed
// with the user's real credentials and forwarded. The browser cannot forge the Host header, so a
// loopback-bound server answers only requests whose Host names a loopback address, `localhost` or
// `*.localhost` (RFC 6761: always loopback), or a host the user listed in `allowedHosts`.
//
// Bound to any other address the user has chosen to be reachable by others; no check then.
import { isIP } from 'node:net'
import { AwsError } from '../protocol/aws-error.js'

export const HOST_REFUSED_TYPE = 'HostNotAllowedException'

/** Whether a listen address (or host name) is a loopback one: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(address: string): boolean {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host) || /^::ffff:127\./.test(host)
  return false
}

/** The host part of a Host header value: `[::1]:4599` → `::1`, `Example.COM:80` → `example.com`. */
function hostOf(header: string): string {
  const value = header.trim().toLowerCase()
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') < 0 ? undefined : value.indexOf(']'))
  const colon = value.indexOf(':')
  // More than one colon without brackets is no valid Host; kept whole, it matches nothing.
  const host = colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.slice(0, colon) : value
  return host.replace(/\.$/, '')
}

/** Host header values already judged, so a client's requests cost one map lookup each. */
const MAX_REMEMBERED = 256

/**
 * A check for the Host header of each request, or undefined when the server is not bound to a
 * loopback address. A missing Host passes: SigV4 refuses it (Host is a signed header), and no
 * browser sends a request without one.
 */
export function hostGuard(listenHost: string, allowedHosts: readonly string[]): ((host: string | undefined) => boolean) | undefined {
  if (!isLoopback(listenHost)) return undefined
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase().replace(/\.$/, '')))
  const judged = new Map<string, boolean>()
  return (header) => {
    if (header === undefined) return true
    let ok = judged.get(header)
    if (ok === undefined) {
      const host = hostOf(header)
      ok = isLoopback(host) || allowed.has(host)
      if (judged.size >= MAX_REMEMBERED) judged.clear()
      judged.set(header, ok)
    }
    return ok
  }
}

export function hostRefusal(header: string): AwsError {
  return new AwsError(HOST_REFUSED_TYPE, 403,
    `The Host ${JSON.stringify(header)} is not allowed: ivs-replay listens on a loopback address and answers only requests ` +
    'addressed to a loopback host (127.0.0.1, [::1], localhost, *.localhost). To accept this host, add it to the allowedHosts setting.',
    { Connection: 'close' })
}
