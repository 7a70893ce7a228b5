// Why the upstream gave no answer, and the AWS-shaped error the client gets for it: 504
// UpstreamTimeoutException when it took too long, 502 UpstreamUnavailableException for everything
// else (DNS, refused, reset, TLS, an answer cut short). Messages name the upstream host and the
// cause; Node's network errors carry addresses and codes, never request contents.
import { AwsError } from '../protocol/aws-error.js'

export type UpstreamFailureKind = 'timeout' | 'unavailable'

/** Node's TLS errors (ERR_TLS_*, ERR_SSL_*) and OpenSSL's certificate verification codes. */
const TLS_CODE = /CERT|SSL|TLS|VERIFY|ISSUER|SIGNATURE|CHAIN|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH|PATH_LENGTH/

export class UpstreamFailure extends Error {
  constructor(readonly kind: UpstreamFailureKind, readonly host: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`upstream ${host}: ${reason}`, options)
    this.name = 'UpstreamFailure'
  }

  /** Classifies a socket, DNS or TLS error of a request to `host`. */
  static from(err: unknown, host: string): UpstreamFailure {
    const e = err as NodeJS.ErrnoException
    const code = typeof e?.code === 'string' ? e.code : ''
    const message = err instanceof Error ? err.message : String(err)
    const hostname = host.replace(/:\d+$/, '')
    let reason: string
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `DNS lookup of ${hostname} failed (${code})`
    else if (code === 'ECONNREFUSED') reason = 'connection refused (ECONNREFUSED)'
    else if (code === 'ETIMEDOUT') return new UpstreamFailure('timeout', host, 'connection timed out (ETIMEDOUT)', { cause: err })
    else if (code === 'ECONNRESET' || code === 'EPIPE') reason = `connection reset (${message}, ${code})`
    else if (TLS_CODE.test(code)) {
      reason = `TLS handshake failed: ${message} (${code}); for a private CA, name its PEM file in upstream.caFile`
    } else reason = code ? `${message} (${code})` : message
    return new UpstreamFailure('unavailable', host, reason, { cause: err })
  }

  toAwsError(): AwsError {
    return this.kind === 'timeout'
      ? new AwsError('UpstreamTimeoutException', 504, `ivs-replay got no answer from the upstream ${this.host}: ${this.reason}`)
      : new AwsError('UpstreamUnavailableException', 502, `ivs-replay could not get an answer from the upstream ${this.host}: ${this.reason}`)
  }
}
