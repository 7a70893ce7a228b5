// Turns an HTTP request into an operation's input, driven by the model: path labels, query string
// and headers for members bound there, the JSON body for the rest. Types are checked here (a wrong
// JSON type is a SerializationException, as restJson1 services answer); constraints are checked
// later by validate.ts. Members the model does not know are dropped, as IVS ignores them.
import { isUtf8 } from 'node:buffer'
import type { IncomingHttpHeaders } from 'node:http'
import type { ServiceSpec } from '../model/service-spec.js'
import type { JsonObject, JsonValue } from '../backend/json.js'
import { AwsError } from './aws-error.js'
import { unmodeledErrors } from './unmodeled-errors.js'

// JSON's types live in the call seam (src/backend/json.ts); re-exported for the protocol's many users.
export type { JsonObject, JsonValue } from '../backend/json.js'

const serializationError = (message: string) =>
  new AwsError('SerializationException', unmodeledErrors.SerializationException, message)

/** Parses a JSON request body; an empty body means `{}` (botocore sends nothing on GET/DELETE). */
export function parseJsonBody(body: Buffer): JsonObject {
  if (body.length === 0) return {}
  // isUtf8 is a native check; decoding with a fatal TextDecoder costs several times more per request.
  if (!isUtf8(body)) throw serializationError('The request body is not valid UTF-8')
  let text = body.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1) // a UTF-8 byte-order mark, as TextDecoder drops it
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw serializationError(`The request body is not valid JSON: ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serializationError('The request body must be a JSON object')
  }
  return parsed as JsonObject
}

/**
 * An empty object with no prototype, for maps whose keys come from the client: on a plain `{}`,
 * `__proto__` assigns the prototype instead of a key and `constructor`/`toString` read inherited
 * members (`?constructor=x` crashed the query parser; a `__proto__` tag vanished).
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** Splits a raw query string into decoded name → values, keeping repeats in order. */
export function parseQuery(raw: string): Record<string, string[]> {
  const out = emptyRecord<string[]>()
  if (!raw) return out
  for (const part of raw.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const name = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq))
    const value = eq < 0 ? '' : decodeQueryComponent(part.slice(eq + 1))
    ;(out[name] ??= []).push(value)
  }
  return out
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'))
  } catch {
    throw serializationError(`The query string holds a malformed percent-encoding: ${text.slice(0, 100)}`)
  }
}

export interface HttpBindings {
  readonly labels: Readonly<Record<string, string>>
  readonly query: Readonly<Record<string, readonly string[]>>
  readonly headers: IncomingHttpHeaders
  readonly body: JsonObject
}

/** Builds the operation input from its bindings; throws SerializationException on a wrong type. */
export function deserializeInput(spec: ServiceSpec, inputShape: string | undefined, http: HttpBindings): JsonObject {
  if (!inputShape) return {}
  const shape = spec.structureOf(inputShape)
  const input: JsonObject = {}
  for (const [name, member] of Object.entries(shape.members)) {
    let value: JsonValue | undefined
    switch (member.location) {
      case 'uri':
        value = http.labels[member.locationName ?? name]
        break
      case 'querystring': {
        const values = http.query[member.locationName ?? name]
        if (values) value = spec.shapeOf(member.shape).type === 'list' ? [...values] : values[0]
        break
      }
      case 'header': {
        const header = http.headers[(member.locationName ?? name).toLowerCase()]
        value = Array.isArray(header) ? header.join(',') : header
        break
      }
      default:
        value = Object.hasOwn(http.body, name) ? http.body[name] : undefined
    }
    // A null member is an absent one (docs/ivs-behavior.md §2): dropped here, so a handler never sees null
    // where its type says "string or undefined"; validation still reports a required one as null.
    if (value === undefined || value === null) continue
    input[name] = checkType(spec, value, member.shape, name)
  }
  return input
}

function typeName(value: JsonValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function mismatch(path: string, expected: string, value: JsonValue): AwsError {
  return serializationError(`Unexpected value type at '${path}': expected ${expected}, got ${typeName(value)}`)
}

/**
 * Returns the value with unknown structure members removed and null structure members dropped;
 * null list items and map values stay null (validation refuses them).
 */
function checkType(spec: ServiceSpec, value: JsonValue, shapeName: string, path: string): JsonValue {
  if (value === null) return null
  const shape = spec.shapeOf(shapeName)
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(path, 'string', value)
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(path, 'boolean', value)
      return value
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(path, 'integer', value)
      return value
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw mismatch(path, 'number', value)
      return value
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') throw mismatch(path, 'timestamp', value)
      return value
    case 'list':
      if (!Array.isArray(value)) throw mismatch(path, 'array', value)
      return value.map((item, i) => checkType(spec, item, shape.member, `${path}.${i + 1}.member`))
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(path, 'object', value)
      const out = emptyRecord<JsonValue>()
      for (const [k, v] of Object.entries(value)) out[k] = checkType(spec, v, shape.value, `${path}.${k}`)
      return out
    }
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(path, 'object', value)
      const out: JsonObject = {}
      for (const name of Object.keys(shape.members)) {
        if (Object.hasOwn(value, name) && value[name] !== null) out[name] = checkType(spec, value[name], shape.members[name].shape, `${path}.${name}`)
      }
      return out
    }
  }
}
