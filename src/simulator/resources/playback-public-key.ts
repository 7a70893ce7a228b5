// The public half of a viewer-token signing key pair, as ImportPlaybackKeyPair receives it: a PEM
// `PUBLIC KEY` (SubjectPublicKeyInfo) block holding an EC key. IVS signs viewer tokens with ECDSA
// (UG-KEY uses OpenSSL secp384r1); any named curve is accepted because refusing curves AWS has not
// been seen to refuse would break valid input (docs/ivs-behavior.md §9 #6).
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { validationError } from '../ivs-errors.js'

export interface PlaybackPublicKey {
  /** DER SubjectPublicKeyInfo, base64: what makes two imports "the same key" (docs/ivs-behavior.md §9 #5). */
  readonly spkiDer: string
  /** MD5 of the DER SubjectPublicKeyInfo, colon-separated lowercase hex (docs/ivs-behavior.md §9 #26). */
  readonly fingerprint: string
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g

function looksLikePrivateKey(material: string): boolean {
  try {
    createPrivateKey(material)
    return true
  } catch {
    // Not a private key, or an encrypted one, which the label check below still catches.
    return false
  }
}

/** Parses the material or throws 400 ValidationException saying what is wrong with it. */
export function parsePlaybackPublicKey(material: string): PlaybackPublicKey {
  const labels = [...material.matchAll(PEM_BEGIN)].map((m) => m[1])
  if (labels.length === 0) {
    throw validationError('publicKeyMaterial must be a PEM-encoded EC public key (-----BEGIN PUBLIC KEY-----)')
  }
  if (labels.length > 1) {
    throw validationError(`publicKeyMaterial must hold exactly one PEM block, found ${labels.length}`)
  }
  // createPublicKey would quietly derive the public key from a private one; refuse instead, since a
  // private key pasted here is a leak the caller should hear about.
  if (labels[0].includes('PRIVATE KEY') || looksLikePrivateKey(material)) {
    throw validationError('publicKeyMaterial is a private key; import only the public portion of the key pair')
  }
  let key: KeyObject
  try {
    key = createPublicKey(material)
  } catch {
    throw validationError('publicKeyMaterial could not be parsed as a PEM-encoded public key')
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw validationError(
      `publicKeyMaterial must be an EC (ECDSA) public key, not ${key.asymmetricKeyType?.toUpperCase() ?? 'an unknown key type'}`,
    )
  }
  // A certificate parses too (its key is extracted); the operation takes the bare key only.
  if (labels[0] !== 'PUBLIC KEY') {
    throw validationError(`publicKeyMaterial must be a PEM 'PUBLIC KEY' block, not '${labels[0]}'`)
  }
  const der = key.export({ type: 'spki', format: 'der' })
  const digest = createHash('md5').update(der).digest('hex')
  return { spkiDer: der.toString('base64'), fingerprint: digest.match(/../g)!.join(':') }
}
