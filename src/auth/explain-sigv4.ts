// `ivs-replay sigv4 explain`: runs the server's own verifier over a captured request and reports
// what a correct signer computes for it (canonical request, string-to-sign, signature), the verdict
// the server would give and, for a mismatch, the common mistake that reproduces the signature.
// The clock is the request's own date: a capture is explained as of when it was signed.
import type { CredentialStore } from './credentials.js'
import { explainMismatch, expectedSignature, findMistake, type SignedParts } from './sigv4-diagnosis.js'
import { decodeCanonical, parseHttpDate, parseIsoBasic, parseQueryParams } from './sigv4-canonical.js'
import { AwsError } from '../protocol/aws-error.js'
import { verifySigV4, type IncomingSignedRequest, type VerifyOptions } from './verify-sigv4.js'

export interface SigV4Explanation {
  /** Display form (a session token's value redacted); absent when the request failed before the signature check. */
  readonly canonicalRequest?: string
  readonly stringToSign?: string
  readonly expectedSignature?: string
  readonly verdict:
    | { readonly valid: true; readonly accessKeyId: string; readonly accountId: string; readonly region: string }
    | { readonly valid: false; readonly status: number; readonly code: string; readonly message: string }
  readonly hint?: string
}

export function explainSigV4(
  req: IncomingSignedRequest,
  credentials: CredentialStore,
  opts: Omit<VerifyOptions, 'inspect' | 'now' | 'explainMismatch'>,
): SigV4Explanation {
  let parts: SignedParts | undefined
  const at = signedAt(req) ?? Date.now()
  const verify = () =>
    verifySigV4(req, credentials, {
      ...opts, now: () => at, explainMismatch: false, inspect: (p) => {
        parts = p
      },
    })
  let verdict: SigV4Explanation['verdict']
  try {
    const caller = verify()
    verdict = { valid: true, ...caller }
  } catch (err) {
    if (!(err instanceof AwsError)) throw err
    verdict = { valid: false, status: err.status, code: err.code, message: err.message }
  }
  if (parts === undefined) return { verdict }
  const { canonicalRequest, stringToSign } = explainMismatch(parts)
  const mismatch = !verdict.valid && verdict.code === 'InvalidSignatureException'
  return {
    canonicalRequest, stringToSign, expectedSignature: expectedSignature(parts), verdict,
    hint: mismatch ? findMistake(parts) : undefined,
  }
}

/** The instant the request says it was signed: X-Amz-Date (header or query), else Date. */
function signedAt(req: IncomingSignedRequest): number | undefined {
  const q = req.url.indexOf('?')
  if (q >= 0) {
    const date = parseQueryParams(req.url.slice(q + 1)).find((p) => p.name === 'X-Amz-Date')
    if (date) return parseIsoBasic(decodeCanonical(date.value))
  }
  const amz = req.headers['x-amz-date']
  if (typeof amz === 'string') return parseIsoBasic(amz)
  const date = req.headers.date
  return typeof date === 'string' ? parseIsoBasic(date) ?? parseHttpDate(date) : undefined
}
