// A JWT in JWS compact form, taken apart and checked the way IVS's playback edge does it. The one
// refusal text captured from the edge ("token contains an invalid number of segments", docs/ivs-behavior.md
// §12) is the Go JWT library's (dgrijalva/jwt-go v3, golang-jwt v4), so the parse follows that
// library's order and wording: segments, header, claims, algorithm, signature, then exp/iat/nbf.
import { createPublicKey, verify, type KeyObject } from 'node:crypto'

export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
  /** `<header>.<claims>` as sent: the bytes the signature covers. */
  readonly signingInput: string
  readonly signature: Buffer
}

/** Why a token was refused, in the words the edge's `error` member uses. */
export class TokenRefusal extends Error {}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Go's base64.URLEncoding (after jwt-go re-pads): reports the first byte it cannot take. */
function decodeSegment(segment: string): Buffer {
  const bad = BASE64URL.exec(segment) ? -1 : [...segment].findIndex((c) => !/[A-Za-z0-9_-]/.test(c))
  if (bad >= 0) throw new TokenRefusal(`illegal base64 data at input byte ${bad}`)
  // A length of 4n+1 cannot come from any bytes: Go reports the byte where the input ran out.
  if (segment.length % 4 === 1) throw new TokenRefusal(`illegal base64 data at input byte ${segment.length}`)
  return Buffer.from(segment, 'base64url')
}

function jsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(decodeSegment(segment).toString('utf8'))
  } catch (err) {
    if (err instanceof TokenRefusal) throw err
    throw new TokenRefusal(`token ${what} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenRefusal(`token ${what} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

export function decodeJws(token: string): DecodedJws {
  const parts = token.split('.')
  if (parts.length !== 3) throw new TokenRefusal('token contains an invalid number of segments')
  const header = jsonObject(parts[0], 'header')
  const claims = jsonObject(parts[1], 'claims')
  const signature = decodeSegment(parts[2])
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature }
}

/** The message Go's jwt library gives for any ECDSA signature that does not verify. */
export const ECDSA_VERIFICATION_ERROR = 'crypto/ecdsa: verification error'

/**
 * ES384 (RFC 7518 §3.4): ECDSA over SHA-384, the signature raw r||s of 48 bytes each, not DER.
 * True when any of the keys verifies it; a key on another curve simply does not.
 */
export function verifiesEs384(jws: DecodedJws, keys: readonly KeyObject[]): boolean {
  if (jws.signature.length !== 96) return false
  const data = Buffer.from(jws.signingInput, 'ascii')
  return keys.some((key) => {
    try {
      return verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, jws.signature)
    } catch {
      return false
    }
  })
}

/** Key objects for imported public keys (DER SubjectPublicKeyInfo, base64), parsed once each. */
const keyCache = new Map<string, KeyObject>()
const KEY_CACHE_SIZE = 1_000

export function publicKeyOf(spkiDerBase64: string): KeyObject {
  let key = keyCache.get(spkiDerBase64)
  if (!key) {
    key = createPublicKey({ key: Buffer.from(spkiDerBase64, 'base64'), format: 'der', type: 'spki' })
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear()
    keyCache.set(spkiDerBase64, key)
  }
  return key
}

/** Go's time.Duration.String() for whole seconds: 5s, 2m0s, 1h0m5s. */
export function goDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = s % 60
  if (h > 0) return `${h}h${m}m${rest}s`
  if (m > 0) return `${m}m${rest}s`
  return `${rest}s`
}
