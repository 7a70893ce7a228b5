// The extra CA record mode trusts for the upstream (`upstream.caFile`): a private CA, or a test's
// self-signed one. Read and checked at start-up, so a wrong path is a configuration error (exit 2),
// not a TLS failure on the first forwarded request.
import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import { ConfigError } from '../config/config.js'

/** Reads `upstream.caFile` and checks it holds certificates, or throws a ConfigError naming it. */
export function readCaFile(file: string | null): string | undefined {
  if (file === null) return undefined
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError('upstream.caFile', `${JSON.stringify(file)} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('upstream.caFile', `${JSON.stringify(file)} holds no PEM certificate`)
  }
  try {
    tls.createSecureContext({ ca: pem })
  } catch (err) {
    throw new ConfigError('upstream.caFile', `${JSON.stringify(file)} is not a valid PEM certificate file: ${(err as Error).message}`)
  }
  return pem
}
