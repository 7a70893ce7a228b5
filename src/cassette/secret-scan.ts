// The last check before an interaction is written (and what `ivs-replay cassette scan` runs over a
// whole cassette): does anything in it still look like a credential or a live secret? Redaction
// decides what to remove; this scan does not trust it and looks at every string that would be
// stored: path, query, headers, and bodies (member by member when they are JSON).
//
// Two kinds of check: by place, every member the model marks sensitive (found by walking the
// operation's input, output or error shape) must hold a stand-in, whatever its text looks like; by
// shape, credentials, signatures, stream keys and passphrases are looked for in every string.
//
// A finding names where (`response.body.streamKey.value`) and what kind, never the value itself, so
// findings can be logged and shown to a client.
import { errorShapeName, sensitiveValues, type OperationShapes, type OperationShapesLookup } from '../model/sensitive-members.js'
import type { NewInteraction } from '../storage/storage.js'
import { interactionShapes } from './interaction-shapes.js'
import { isStandIn, standInFormat, STREAM_KEY_IN_TEXT, streamKeyFormat } from './stand-in-formats.js'

export type FindingKind =
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'aws-session-token'
  | 'authorization-header'
  | 'sigv4-signature'
  | 'stream-key'
  | 'srt-passphrase'
  | 'sensitive-member'
  | 'known-secret'

export interface Finding {
  /** Where, as a path into the interaction: `request.headers.authorization`, `response.body.streamKeys[0].value`. */
  readonly field: string
  readonly kind: FindingKind
}

/** Known secrets shorter than this are ignored: they would match innocent text (`test`). */
export const MIN_KNOWN_SECRET_LENGTH = 8

const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/
const SIGV4 = /AWS4-HMAC-SHA256|Signature=[0-9a-f]{64}/i
/** STS session tokens start with these (base64 of their binary envelope's first bytes). */
const STS_TOKEN = /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{40,}/
const SECRET_NAME = /secret|passw(?:or)?d|private[-_]?key|credential/i
const SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/
/** `secretAccessKey: "…40…"`, `aws_secret_access_key=…`: a secret next to its name in free text. */
const SECRET_IN_TEXT = /(?:secret|passw(?:or)?d)[A-Za-z0-9_-]*["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/i
/** Session or security token fields; `nextToken` (IVS pagination) is deliberately not one. */
const TOKEN_NAME = /(?:session|security)[-_]?token|^token$/i
const LONG_BASE64 = /^[A-Za-z0-9/+=]{100,}$/
const PASSPHRASE_IN_TEXT = /"passphrase"\s*:\s*"([^"\\]*)"/g
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Everything in `i` that looks like a secret. `knownSecrets` are values that must appear nowhere
 * (the real access key id, secret key and session token, the real account id when it is rewritten).
 *
 * ```ts
 * const findings = scanInteraction(interaction, [realSecretAccessKey])
 * if (findings.length) throw new Error(findings.map((f) => `${f.field}: ${f.kind}`).join(', '))
 * ```
 */
export function scanInteraction(
  i: NewInteraction, knownSecrets: readonly string[] = [], shapesOf: OperationShapesLookup = interactionShapes,
): Finding[] {
  const scan = new Scan(knownSecrets.filter((s) => s.length >= MIN_KNOWN_SECRET_LENGTH), shapesOf(i.operation))
  const { request, response } = i
  scan.text('operation', i.operation)
  scan.text('request.path', request.path)
  scan.text('request.path', decodeOrSelf(request.path))
  for (const [name, values] of Object.entries(request.query)) {
    scan.text(`request.query.${name}`, name)
    values.forEach((v, n) => scan.value(`request.query.${name}[${n}]`, name, v))
  }
  scan.headers('request.headers', request.headers)
  scan.body('request.body', request.body, scan.op?.input)
  scan.headers('response.headers', response.headers)
  const answerShape = response.status >= 200 && response.status < 300
    ? scan.op?.output
    : scan.op && errorShapeName(scan.op.shapes, errorTypeOf(response.headers))
  scan.body('response.body', response.body, answerShape)
  return scan.findings
}

class Scan {
  readonly findings: Finding[] = []
  readonly #seen = new Set<string>()
  readonly #known: readonly string[]
  readonly op: OperationShapes | undefined

  constructor(known: readonly string[], op: OperationShapes | undefined) {
    this.#known = known
    this.op = op
  }

  add(field: string, kind: FindingKind): void {
    const key = `${field}\0${kind}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.findings.push({ field, kind })
  }

  headers(where: string, headers: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(headers)) {
      const field = `${where}.${name.toLowerCase()}`
      if (name.toLowerCase() === 'authorization') this.add(field, 'authorization-header')
      if (name.toLowerCase() === 'x-amz-security-token') this.add(field, 'aws-session-token')
      this.text(field, name)
      this.value(field, name, value)
    }
  }

  /** `shape`: the model shape the body is, when known (its sensitive members are checked by place). */
  body(where: string, body: Buffer, shape?: string): void {
    if (body.length === 0) return
    let text: string | undefined
    try {
      text = utf8.decode(body)
    } catch {
      text = undefined
    }
    if (text !== undefined) {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      if (parsed !== undefined) {
        if (this.op !== undefined) {
          for (const found of sensitiveValues(this.op.shapes, shape, parsed, where)) {
            const format = standInFormat(found.shape)
            if (!format.isStandIn(found.value)) this.add(found.path, format.kind)
          }
        }
        this.json(where, '', parsed)
        return
      }
    }
    // Not JSON (or not UTF-8): the whole text, with the name-value patterns that need no structure.
    const whole = text ?? body.toString('latin1')
    this.text(where, whole)
    for (const m of whole.matchAll(PASSPHRASE_IN_TEXT)) if (!isStandIn(m[1]) && m[1] !== '') this.add(where, 'srt-passphrase')
  }

  json(field: string, key: string, value: unknown): void {
    if (typeof value === 'string') {
      this.value(field, key, value)
    } else if (Array.isArray(value)) {
      value.forEach((item, n) => this.json(`${field}[${n}]`, key, item))
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        this.text(`${field}.${k}`, k)
        this.json(`${field}.${k}`, k, v)
      }
    }
  }

  /** A string stored under a name: the name-dependent checks, then the text checks. */
  value(field: string, name: string, value: string): void {
    if (name.toLowerCase() === 'passphrase' && value !== '' && !isStandIn(value)) this.add(field, 'srt-passphrase')
    if (SECRET_NAME.test(name) && SECRET_VALUE.test(value)) this.add(field, 'aws-secret-access-key')
    if (TOKEN_NAME.test(name) && LONG_BASE64.test(value)) this.add(field, 'aws-session-token')
    this.text(field, value)
  }

  /** Checks that need no name: shapes that are secrets wherever they appear. */
  text(field: string, text: string): void {
    if (ACCESS_KEY_ID.test(text)) this.add(field, 'aws-access-key-id')
    if (SIGV4.test(text)) this.add(field, 'sigv4-signature')
    if (STS_TOKEN.test(text)) this.add(field, 'aws-session-token')
    if (SECRET_IN_TEXT.test(text)) this.add(field, 'aws-secret-access-key')
    for (const m of text.matchAll(STREAM_KEY_IN_TEXT)) if (!streamKeyFormat.isStandIn(m[0])) this.add(field, 'stream-key')
    for (const secret of this.#known) if (text.includes(secret)) this.add(field, 'known-secret')
  }
}

function errorTypeOf(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'x-amzn-errortype') return value
  return undefined
}

function decodeOrSelf(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
