// SigV4 signing keys: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
// A key only changes with its (secret, date, region, service), so a small bounded cache makes a
// steady stream of requests pay one 4-HMAC derivation per key per day instead of four HMACs each.
import { createHmac } from 'node:crypto'
import { HmacSha256Key } from './hmac-key.js'

/** Enough for every key × region × day a local stand-in realistically sees; oldest entries go first. */
const MAX_ENTRIES = 128
// The key embeds the secret; it lives in process memory only, exactly like the credential store.
const cache = new Map<string, HmacSha256Key>()
let derivations = 0

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

/** `date` is the 8-digit scope date; region and service contain no '/' (they come from a split on it). */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): HmacSha256Key {
  const id = `${date}/${region}/${service}/${secretAccessKey}`
  const hit = cache.get(id)
  if (hit !== undefined) return hit
  const key = deriveSigningKey(secretAccessKey, date, region, service)
  derivations++
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
  cache.set(id, key)
  return key
}

function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): HmacSha256Key {
  return new HmacSha256Key(hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), 'aws4_request'))
}

/**
 * The keys the diagnosis of a mismatch tries (other regions, services, days): a cache of their own,
 * so that trying them never evicts the keys real requests use, and a stream of refused requests
 * derives each only once.
 */
const diagnosisCache = new Map<string, HmacSha256Key>()
const MAX_DIAGNOSIS_ENTRIES = 512

export function diagnosisSigningKey(secretAccessKey: string, date: string, region: string, service: string): HmacSha256Key {
  const id = `${date}/${region}/${service}/${secretAccessKey}`
  const hit = diagnosisCache.get(id)
  if (hit !== undefined) return hit
  const key = deriveSigningKey(secretAccessKey, date, region, service)
  if (diagnosisCache.size >= MAX_DIAGNOSIS_ENTRIES) diagnosisCache.delete(diagnosisCache.keys().next().value!)
  diagnosisCache.set(id, key)
  return key
}

/** For tests and diagnostics: how many keys were derived (cache misses) since start-up, and how many are held. */
export function signingKeyStats(): { derivations: number; cached: number } {
  return { derivations, cached: cache.size }
}
