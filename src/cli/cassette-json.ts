// The reviewable JSON form of a cassette (`cassette export` writes it, `cassette import` reads it):
//
//   { "format": "ivs-replay-cassette", "interactions": [ … ], "version": 1 }
//
// Interactions come in id (recording) order; every object key of the envelope is sorted, 2-space
// indent, trailing newline, so the same cassette always exports to the same bytes and a pull request
// shows only what changed. What the store derives or changes by itself stays out: id (an import
// numbers afresh), seq (recomputed from the order), identity (recomputed with requestIdentity on
// import, never taken from a hand-edited file) and usedAt (set by replay runs). recordedAt stays.
import { validateHeaderName, validateHeaderValue } from 'node:http'
import type { Interaction, RecordedRequest, RecordedResponse } from '../storage/storage.js'
import type { JsonValue } from '../protocol/deserialize.js'
import { ivs } from '../model/services.js'
import { CliError } from './cli-error.js'
import { bodyFields, decodeBody, encodeBody } from './exported-body.js'

export const CASSETTE_JSON_FORMAT = 'ivs-replay-cassette'
export const CASSETTE_JSON_VERSION = 1

/** An interaction read back from the JSON form: everything but the identity, which the caller computes. */
export interface ImportedInteraction {
  readonly operation: string
  readonly recordedAt: string
  readonly request: RecordedRequest
  readonly response: RecordedResponse
}

/** Sorted keys at every level except inside a `body` value, whose key order is part of its bytes. */
function sortEnvelope(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortEnvelope)
  if (value === null || typeof value !== 'object') return value
  // No prototype: a header or query name `__proto__` stays an ordinary key instead of vanishing.
  const out = Object.create(null) as Record<string, unknown>
  const source = value as Record<string, unknown>
  for (const key of Object.keys(source).sort()) out[key] = key === 'body' ? source[key] : sortEnvelope(source[key])
  return out
}

export function encodeCassetteJson(interactions: readonly Interaction[]): string {
  const document = {
    format: CASSETTE_JSON_FORMAT,
    version: CASSETTE_JSON_VERSION,
    interactions: [...interactions].sort((a, b) => a.id - b.id).map((i) => ({
      operation: i.operation,
      recordedAt: i.recordedAt,
      request: {
        method: i.request.method,
        path: i.request.path,
        query: i.request.query,
        headers: i.request.headers,
        ...encodeBody(i.request.body),
      },
      response: {
        status: i.response.status,
        headers: i.response.headers,
        ...encodeBody(i.response.body),
      },
    })),
  }
  return `${JSON.stringify(sortEnvelope(document), null, 2)}\n`
}

type Raw = Record<string, unknown>

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)
const shapeError = (at: string, problem: string) => new CliError(`${at} ${problem}`, 2)
/** A field's path for messages: `interactions[0].request.path`, or `format` at the top level. */
const join = (at: string, key: string) => (at === '' ? key : `${at}.${key}`)

/** Refuses keys outside `allowed`, so a misspelt field is named instead of silently ignored. */
function onlyKnown(raw: Raw, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) throw shapeError(join(at, key), 'is not a known field')
}

function object(raw: Raw, field: string, at: string): Raw {
  const v = raw[field]
  if (!isObject(v)) throw shapeError(join(at, field), 'must be an object')
  return v
}

function string(raw: Raw, field: string, at: string, pattern?: RegExp, what?: string): string {
  const v = raw[field]
  if (typeof v !== 'string' || v === '') throw shapeError(join(at, field), `must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`)
  if (pattern && !pattern.test(v)) throw shapeError(join(at, field), `must be ${what}, got ${JSON.stringify(v)}`)
  return v
}

function stringMap(raw: Raw, field: string, at: string): Record<string, string> {
  const map = object(raw, field, at)
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'string') throw shapeError(`${join(at, field)}.${key}`, 'must be a string')
  }
  return map as Record<string, string>
}

/**
 * Recorded response headers are sent again as they are on replay: a name or value node would refuse
 * to write (a line break, a space in a name) is refused here, naming the field, rather than failing
 * every replay of it.
 */
function responseHeaders(raw: Raw, at: string): Record<string, string> {
  const headers = stringMap(raw, 'headers', at)
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch {
      throw shapeError(`${join(at, 'headers')}.${name}`, `must be an HTTP header a server can send, got ${JSON.stringify(value)}`)
    }
  }
  return headers
}

function queryMap(raw: Raw, field: string, at: string): Record<string, string[]> {
  const map = object(raw, field, at)
  for (const [key, values] of Object.entries(map)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw shapeError(`${join(at, field)}.${key}`, 'must be a list of strings')
    }
  }
  return map as Record<string, string[]>
}

function body(raw: Raw, at: string): Buffer {
  const present = bodyFields.filter((f) => Object.hasOwn(raw, f))
  if (present.length !== 1) {
    throw shapeError(at, `must have exactly one of ${bodyFields.join(', ')}${present.length ? `, has ${present.join(' and ')}` : ''}`)
  }
  const bytes = decodeBody(present[0], raw[present[0]])
  if (typeof bytes === 'string') throw shapeError(`${at}.${present[0]}`, bytes)
  return bytes
}

function interaction(raw: unknown, at: string): ImportedInteraction {
  if (!isObject(raw)) throw shapeError(at, 'must be an object')
  onlyKnown(raw, ['operation', 'recordedAt', 'request', 'response'], at)
  const operation = string(raw, 'operation', at)
  if (!ivs.hasOperation(operation)) throw shapeError(`${at}.operation`, `is not an IVS operation: ${JSON.stringify(operation)}`)
  const recordedAt = string(raw, 'recordedAt', at)
  if (Number.isNaN(Date.parse(recordedAt))) throw shapeError(`${at}.recordedAt`, `must be an ISO 8601 date, got ${JSON.stringify(recordedAt)}`)

  const rq = object(raw, 'request', at)
  const rqAt = `${at}.request`
  onlyKnown(rq, ['method', 'path', 'query', 'headers', ...bodyFields], rqAt)
  const request: RecordedRequest = {
    method: string(rq, 'method', rqAt, /^[A-Z]+$/, 'an HTTP method such as POST'),
    path: string(rq, 'path', rqAt, /^\//, 'a path starting with /'),
    query: queryMap(rq, 'query', rqAt),
    headers: stringMap(rq, 'headers', rqAt),
    body: body(rq, rqAt),
  }

  const rs = object(raw, 'response', at)
  const rsAt = `${at}.response`
  onlyKnown(rs, ['status', 'headers', ...bodyFields], rsAt)
  const status = rs.status
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw shapeError(`${rsAt}.status`, `must be an HTTP status from 100 to 599, got ${JSON.stringify(status) ?? 'nothing'}`)
  }
  const response: RecordedResponse = { status, headers: responseHeaders(rs, rsAt), body: body(rs, rsAt) }
  return { operation, recordedAt, request, response }
}

/**
 * Reads the JSON form back; the first problem is a `CliError` (exit 2) naming the field, like
 * `interactions[3].response.status must be an HTTP status from 100 to 599, got "200"`.
 */
export function decodeCassetteJson(text: string): ImportedInteraction[] {
  let document: JsonValue
  try {
    document = JSON.parse(text) as JsonValue
  } catch (err) {
    throw new CliError(`is not valid JSON: ${(err as Error).message}`, 2)
  }
  if (!isObject(document)) throw shapeError('the document', 'must be a JSON object')
  onlyKnown(document, ['format', 'version', 'interactions'], '')
  if (document.format !== CASSETTE_JSON_FORMAT) {
    throw shapeError('format', `must be ${JSON.stringify(CASSETTE_JSON_FORMAT)}, got ${JSON.stringify(document.format) ?? 'nothing'}`)
  }
  if (document.version !== CASSETTE_JSON_VERSION) {
    throw shapeError('version', `must be ${CASSETTE_JSON_VERSION} (the format this ivs-replay reads), got ${JSON.stringify(document.version) ?? 'nothing'}`)
  }
  const list = document.interactions
  if (!Array.isArray(list)) throw shapeError('interactions', 'must be a list')
  return list.map((raw, i) => interaction(raw, `interactions[${i}]`))
}
