// Turns an operation's output, or an error, into the HTTP answer the service would send: the
// model's success status (204 and no body where it says so), JSON with only the members the model
// defines, and the fixed headers IVS puts on Batch* outputs and on every error.
import type { ServiceSpec } from '../model/service-spec.js'
import type { OperationModel } from '../model/types.js'
import type { AwsError } from './aws-error.js'
import type { HttpAnswer } from '../backend/backend.js'
import type { JsonObject, JsonValue } from '../backend/json.js'

// The model binds these headers on Batch* outputs and every error; their values are not documented.
// Chosen as a browser-facing AWS API answers them (docs/ivs-behavior.md §1).
const modeledHeaderValues: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-amzn-RequestId,x-amzn-ErrorType,Date',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'",
  'Strict-Transport-Security': 'max-age=47304000',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
}
const errorHeaders = modeledHeaderValues
const JSON_TYPE = { 'Content-Type': 'application/json' }
const EMPTY = Buffer.alloc(0)

function headersBoundIn(spec: ServiceSpec, shapeName: string | undefined): Record<string, string> {
  if (!shapeName) return {}
  const out: Record<string, string> = {}
  for (const member of Object.values(spec.structureOf(shapeName).members)) {
    const name = member.location === 'header' ? member.locationName : undefined
    if (name && modeledHeaderValues[name]) out[name] = modeledHeaderValues[name]
  }
  return out
}

/** What is compiled once per service: success headers per operation, a picker per shape. */
interface Compiled {
  readonly headers: Map<OperationModel, Readonly<Record<string, string>>>
  readonly pickers: Map<string, Picker>
}
const compiled = new WeakMap<ServiceSpec, Compiled>()
function compiledFor(spec: ServiceSpec): Compiled {
  let c = compiled.get(spec)
  if (!c) {
    c = { headers: new Map(), pickers: new Map() }
    compiled.set(spec, c)
  }
  return c
}

function successHeaders(spec: ServiceSpec, cache: Compiled, op: OperationModel): Readonly<Record<string, string>> {
  let headers = cache.headers.get(op)
  if (!headers) {
    headers = { ...headersBoundIn(spec, op.output), ...(op.status === 204 ? {} : JSON_TYPE) }
    cache.headers.set(op, headers)
  }
  return headers
}

export function serializeOutput(spec: ServiceSpec, op: OperationModel, output: unknown): HttpAnswer {
  const cache = compiledFor(spec)
  if (op.status === 204) return { status: 204, headers: successHeaders(spec, cache, op), body: EMPTY }
  const body = op.output ? pickerFor(spec, cache, op.output)(output ?? {}) : {}
  return { status: op.status, headers: successHeaders(spec, cache, op), body: Buffer.from(JSON.stringify(body)) }
}

/**
 * The body carries the message twice where the error is not modeled, or modeled with
 * `exceptionMessage` (ivs, ivs-realtime): `exceptionMessage` is the modeled member the JS SDK reads,
 * `message` what botocore and the JS SDK's `err.message` read. An error the service models with a
 * `message` member (ivschat) has that, plus its other modeled members (`reason`, `resourceId`…).
 */
export function serializeError(err: AwsError, spec?: ServiceSpec): HttpAnswer {
  const members = spec?.errorShape(err.code)?.members
  const body = members && !members.exceptionMessage
    ? { ...err.fields, message: err.message }
    : { ...err.fields, exceptionMessage: err.message, message: err.message }
  return {
    status: err.status,
    headers: { ...errorHeaders, ...JSON_TYPE, 'x-amzn-ErrorType': err.code, ...err.headers },
    body: Buffer.from(JSON.stringify(body)),
  }
}

/**
 * Keeps only modeled members (body-bound ones), dropping undefined; timestamps become ISO strings.
 * One picker per shape, compiled on first use from the model and cached: an answer walks plain
 * arrays of member names instead of looking shapes up for every value (ListChannels answers 50
 * channels, each a structure with nested ones).
 */
type Picker = (value: unknown) => JsonValue
/** Scalars are copied as they are (null stays null), with no call. */
const COPY = undefined

function pickerFor(spec: ServiceSpec, cache: Compiled, shapeName: string): Picker {
  let picker = cache.pickers.get(shapeName)
  if (!picker) {
    picker = compilePicker(spec, cache, shapeName)
    cache.pickers.set(shapeName, picker)
  }
  return picker
}

function memberPicker(spec: ServiceSpec, cache: Compiled, shapeName: string): Picker | typeof COPY {
  const type = spec.shapeOf(shapeName).type
  return type === 'string' || type === 'integer' || type === 'long' || type === 'float' || type === 'double' || type === 'boolean' ? COPY : pickerFor(spec, cache, shapeName)
}

function compilePicker(spec: ServiceSpec, cache: Compiled, shapeName: string): Picker {
  const shape = spec.shapeOf(shapeName)
  switch (shape.type) {
    case 'structure': {
      // Resolved on first call, so that a shape may contain itself.
      let names: string[] | undefined
      let picks: (Picker | typeof COPY)[] = []
      return (value) => {
        if (value === null || value === undefined) return null
        if (!names) {
          const body = Object.entries(shape.members).filter(([, member]) => !member.location)
          picks = body.map(([, member]) => memberPicker(spec, cache, member.shape))
          names = body.map(([name]) => name)
        }
        const source = value as Record<string, unknown>
        const out: JsonObject = {}
        for (let i = 0; i < names.length; i++) {
          const v = source[names[i]]
          if (v === undefined) continue
          const pick = picks[i]
          out[names[i]] = pick === COPY ? (v as JsonValue) : pick(v)
        }
        return out
      }
    }
    case 'list': {
      let pick: Picker | typeof COPY | null = null
      return (value) => {
        if (value === null || value === undefined) return null
        if (pick === null) pick = memberPicker(spec, cache, shape.member)
        const items = value as unknown[]
        if (pick === COPY) return items.slice() as JsonValue[]
        const out: JsonValue[] = new Array(items.length)
        for (let i = 0; i < items.length; i++) out[i] = items[i] === undefined ? null : pick(items[i])
        return out
      }
    }
    case 'map': {
      let pick: Picker | typeof COPY | null = null
      return (value) => {
        if (value === null || value === undefined) return null
        if (pick === null) pick = memberPicker(spec, cache, shape.value)
        // Map keys are the client's (tag keys). A plain object keeps JSON.stringify on its fast
        // path (a prototype-less one costs ~20% more on a ListChannels page); the one key that
        // assignment would not store as data, `__proto__`, is defined instead.
        const out: JsonObject = {}
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const item = pick === COPY ? (v === undefined ? null : (v as JsonValue)) : pick(v)
          if (k === '__proto__') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true })
          else out[k] = item
        }
        return out
      }
    }
    case 'timestamp':
      return (value) => (value === null || value === undefined ? null : value instanceof Date ? formatTimestamp(value) : (value as string))
    default:
      return (value) => (value === undefined ? null : (value as JsonValue))
  }
}

/** IVS prints timestamps as ISO 8601 without milliseconds: `2020-05-05T21:55:38Z`. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
