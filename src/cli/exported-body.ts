// How a body (bytes) appears in an exported cassette, chosen so that an import stores the exact
// same bytes back and replay serves them unchanged:
//   body        the parsed JSON, when JSON.stringify of it gives back the very same text (compact
//               JSON as IVS and the SDKs send it); its key order is the wire order, not sorted,
//               because sorting would change the bytes
//   bodyText    any other UTF-8 text, verbatim (pretty JSON, `1.0`, escapes, the empty body)
//   bodyBase64  anything that is not UTF-8
import type { JsonValue } from '../protocol/deserialize.js'

export type ExportedBody = { body: JsonValue } | { bodyText: string } | { bodyBase64: string }

export const bodyFields = ['body', 'bodyText', 'bodyBase64'] as const

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function encodeBody(bytes: Buffer): ExportedBody {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { bodyBase64: bytes.toString('base64') }
  }
  if (text === '') return { bodyText: '' }
  let parsed: JsonValue
  try {
    parsed = JSON.parse(text) as JsonValue
  } catch {
    return { bodyText: text }
  }
  return JSON.stringify(parsed) === text ? { body: parsed } : { bodyText: text }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** The bytes an exported body stands for, or a problem description when the value is unusable. */
export function decodeBody(field: (typeof bodyFields)[number], value: unknown): Buffer | string {
  switch (field) {
    case 'body':
      return Buffer.from(JSON.stringify(value), 'utf8')
    case 'bodyText':
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : 'must be a string'
    case 'bodyBase64':
      // Buffer.from(…, 'base64') skips what it cannot read; a strict check keeps a typo from
      // silently changing the bytes.
      return typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : 'must be base64 text'
  }
}
