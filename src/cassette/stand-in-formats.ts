// What a stand-in for a sensitive value looks like, by the model shape the value is under. A
// stand-in must pass the checks a client makes on the real thing (a stream key still starts
// `sk_<region>_`, a passphrase keeps its length and alphabet), whatever the upstream's own value
// looked like, and must be recognisable as a stand-in: its secret part starts with STAND_IN_MARKER.
//
// Shapes without an entry here get the generic format: the value's length, alphanumerics after the
// marker (a value shorter than the marker gets the marker's first characters).

/** The first characters of every stand-in's secret part (alphanumeric, like the real secrets). */
export const STAND_IN_MARKER = 'REDACTED'

/** Derives stand-in text from a real value (the Redactor, keyed by the cassette's salt). */
export interface StandInSource {
  /** `length` characters: STAND_IN_MARKER, then alphanumerics derived from (kind, real). */
  standIn(kind: string, real: string, length: number): string
  /** `length` alphanumerics derived from (kind, real), without the marker. */
  alnum(kind: string, real: string, length: number): string
}

export interface StandInFormat {
  /** How the secret scan names a real value of this format. */
  readonly kind: 'stream-key' | 'srt-passphrase' | 'sensitive-member'
  make(source: StandInSource, real: string, region: string | undefined): string
  isStandIn(value: string): boolean
}

/** Whether a secret part already is a stand-in (recording a replayed stand-in must not re-derive it). */
export function isStandIn(secret: string): boolean {
  return secret.startsWith(STAND_IN_MARKER.slice(0, Math.min(secret.length, STAND_IN_MARKER.length)))
}

/** IVS's own stream-key format, `sk_<region>_<stream key id>_<secret>`: only the secret part is secret. */
export const IVS_STREAM_KEY = /^sk_([a-z0-9-]+)_([A-Za-z0-9]+)_([A-Za-z0-9]+)$/
/**
 * A stream key in free text (an error message, an ingest URL): `sk_<region>_` and the whole run of
 * URL-safe characters after it, so keys whose random part holds `-` or `_` (moto's) are caught whole.
 */
export const STREAM_KEY_IN_TEXT = /(?<![A-Za-z0-9_-])sk_([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[A-Za-z0-9_-]+/g
const REGION_PREFIX = /^sk_([a-z]{2}(?:-[a-z]+)+-\d{1,2})_/
/** IVS stream-key ids and secrets (docs/ivs-behavior.md §3: 12-character id, 30-character secret). */
const STREAM_KEY_ID_LENGTH = 12
const STREAM_KEY_SECRET_LENGTH = 30

const streamKey: StandInFormat = {
  kind: 'stream-key',
  make(source, real, region) {
    const ivs = IVS_STREAM_KEY.exec(real)
    if (ivs !== null) {
      // The region and id stay, so the key still names its ARN; the same input as ever, so a
      // cassette recorded before keeps its stand-ins.
      return isStandIn(ivs[3]) ? real : `sk_${ivs[1]}_${ivs[2]}_${source.standIn('stream-key', real, ivs[3].length)}`
    }
    // Another format (moto's `sk_<region>_<urlsafe token>`, or none at all): a key in IVS's format.
    const keyRegion = REGION_PREFIX.exec(real)?.[1] ?? region ?? 'us-west-2'
    return `sk_${keyRegion}_${source.alnum('stream-key-id', real, STREAM_KEY_ID_LENGTH)}_${source.standIn('stream-key', real, STREAM_KEY_SECRET_LENGTH)}`
  },
  isStandIn(value) {
    const ivs = IVS_STREAM_KEY.exec(value)
    return value === '' || (ivs !== null && isStandIn(ivs[3]))
  },
}

function sameLength(kind: string, findingKind: StandInFormat['kind']): StandInFormat {
  return {
    kind: findingKind,
    make: (source, real) => (real === '' || isStandIn(real) ? real : source.standIn(kind, real, real.length)),
    isStandIn: (value) => value === '' || isStandIn(value),
  }
}

const generic = sameLength('sensitive', 'sensitive-member')

/** Formats by shape name, for the services whose models ivs-replay knows. */
const FORMATS: Readonly<Record<string, StandInFormat>> = {
  StreamKeyValue: streamKey,
  SrtPassphrase: sameLength('srt-passphrase', 'srt-passphrase'),
}

export function standInFormat(shape: string): StandInFormat {
  return Object.hasOwn(FORMATS, shape) ? FORMATS[shape] : generic
}

/** The stream-key format, for keys found in free text rather than by their place in the model. */
export const streamKeyFormat: StandInFormat = streamKey
