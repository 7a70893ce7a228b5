// Where a service model says a value is secret: every member whose shape is marked `sensitive`
// (IVS: stream-key values, SRT passphrases, PutMetadata's metadata; ivschat and ivs-realtime mark
// tokens, user ids and stream keys the same way). Redaction, the secret scan and request identities
// all find those values here, by their place in the operation's shapes rather than by what their
// text looks like, so an upstream whose values have another format is handled the same way.
//
// Nothing here knows IVS: every function takes the shapes of one service (or its ServiceSpec), so
// ivschat's and ivs-realtime's models work unchanged.
import type { ServiceSpec } from './service-spec.js'
import type { ShapeModel } from './types.js'

export type Shapes = Readonly<Record<string, ShapeModel>>

/** What redaction and the scan need to know about one operation of one service. */
export interface OperationShapes {
  readonly shapes: Shapes
  readonly input?: string
  readonly output?: string
}

/** Finds an operation's shapes by its name (one service's model, or several keyed by service). */
export type OperationShapesLookup = (operation: string) => OperationShapes | undefined

const lookups = new WeakMap<ServiceSpec, OperationShapesLookup>()

/**
 * One service's lookup; undefined for a name the service does not have. One object per operation,
 * made on first use: the replay path asks per request.
 */
export function operationShapesOf(spec: ServiceSpec): OperationShapesLookup {
  let lookup = lookups.get(spec)
  if (lookup === undefined) {
    const cache = new Map<string, OperationShapes>()
    lookup = (operation) => {
      let shapes = cache.get(operation)
      // Only names the service has are kept: an unknown one read from a file must not grow the cache.
      if (shapes === undefined && spec.hasOperation(operation)) {
        const op = spec.operationOf(operation)
        shapes = { shapes: spec.model.shapes, ...(op.input !== undefined && { input: op.input }), ...(op.output !== undefined && { output: op.output }) }
        cache.set(operation, shapes)
      }
      return shapes
    }
    lookups.set(spec, lookup)
  }
  return lookup
}

/**
 * A lookup over several services, for a name that comes without its service (a stored
 * interaction): the first service that has the operation answers. IVS, ivschat and ivs-realtime
 * share only the tag operations, which hold nothing sensitive in any of them.
 */
export function firstServiceShapes(specs: readonly ServiceSpec[]): OperationShapesLookup {
  const each = specs.map(operationShapesOf)
  return (operation) => {
    for (const lookup of each) {
      const found = lookup(operation)
      if (found !== undefined) return found
    }
    return undefined
  }
}

export interface SensitiveValue {
  /** Where, from the walked value: `.streamKeys[2].value`, `.channel.srt.passphrase`. */
  readonly path: string
  /** The name of the sensitive shape the value is under (`StreamKeyValue`, `SrtPassphrase`). */
  readonly shape: string
  readonly value: string
}

const holdsSensitiveCache = new WeakMap<Shapes, Map<string, boolean>>()

/** Whether anything under `shapeName` is sensitive (cached per model: most operations hold nothing). */
export function holdsSensitive(shapes: Shapes, shapeName: string | undefined): boolean {
  if (shapeName === undefined) return false
  let cache = holdsSensitiveCache.get(shapes)
  if (cache === undefined) {
    cache = new Map()
    holdsSensitiveCache.set(shapes, cache)
  }
  const known = cache.get(shapeName)
  if (known !== undefined) return known
  cache.set(shapeName, false) // a recursive shape refers to itself: false until proven otherwise
  const shape = shapes[shapeName]
  let holds = false
  if (shape !== undefined) {
    if (shape.sensitive === true) holds = true
    else if (shape.type === 'structure') holds = Object.values(shape.members).some((m) => holdsSensitive(shapes, m.shape))
    else if (shape.type === 'list') holds = holdsSensitive(shapes, shape.member)
    else if (shape.type === 'map') holds = holdsSensitive(shapes, shape.value)
  }
  cache.set(shapeName, holds)
  return holds
}

/**
 * Every string under a sensitive shape in `value`, walked as `shapeName`: members of structures by
 * their JSON names, list items, map values; everything inside a sensitive shape (a sensitive map's
 * values, a sensitive structure's strings) counts. Members the model does not know are not visited.
 *
 * ```ts
 * sensitiveValues(ivs.model.shapes, 'GetStreamKeyResponse', { streamKey: { arn, value: 'sk_…' } })
 * // [{ path: '.streamKey.value', shape: 'StreamKeyValue', value: 'sk_…' }]
 * ```
 */
export function sensitiveValues(shapes: Shapes, shapeName: string | undefined, value: unknown, path = ''): SensitiveValue[] {
  const found: SensitiveValue[] = []
  if (shapeName !== undefined && holdsSensitive(shapes, shapeName)) walk(shapes, shapeName, value, path, undefined, found)
  return found
}

function walk(shapes: Shapes, shapeName: string, value: unknown, path: string, under: string | undefined, found: SensitiveValue[]): void {
  const shape = shapes[shapeName]
  if (shape === undefined || value === null || value === undefined) return
  const sensitive = under ?? (shape.sensitive === true ? shapeName : undefined)
  if (sensitive === undefined && !holdsSensitive(shapes, shapeName)) return
  if (typeof value === 'string') {
    if (sensitive !== undefined) found.push({ path, shape: sensitive, value })
    return
  }
  if (typeof value !== 'object') return
  if (shape.type === 'list' && Array.isArray(value)) {
    value.forEach((item, n) => walk(shapes, shape.member, item, `${path}[${n}]`, sensitive, found))
  } else if (shape.type === 'map' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) walk(shapes, shape.value, v, `${path}.${key}`, sensitive, found)
  } else if (shape.type === 'structure' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>
    for (const [name, member] of Object.entries(shape.members)) {
      if (Object.hasOwn(object, name)) walk(shapes, member.shape, object[name], `${path}.${name}`, sensitive, found)
    }
  }
}

/**
 * A copy of `value` with every sensitive string replaced by `mask` (request identities: the cassette
 * holds only stand-ins of those values, so they cannot take part in matching).
 */
export function maskSensitive<T>(shapes: Shapes, shapeName: string | undefined, value: T, mask: string): T {
  if (shapeName === undefined || !holdsSensitive(shapes, shapeName)) return value
  return masked(shapes, shapeName, value, mask, false) as T
}

function masked(shapes: Shapes, shapeName: string, value: unknown, mask: string, under: boolean): unknown {
  const shape = shapes[shapeName]
  if (shape === undefined || value === null || typeof value !== 'object' && typeof value !== 'string') return value
  const sensitive = under || shape.sensitive === true
  if (typeof value === 'string') return sensitive ? mask : value
  if (!sensitive && !holdsSensitive(shapes, shapeName)) return value
  if (shape.type === 'list' && Array.isArray(value)) return value.map((item) => masked(shapes, shape.member, item, mask, sensitive))
  if (Array.isArray(value)) return value
  const object = value as Record<string, unknown>
  const out: Record<string, unknown> = { ...object }
  if (shape.type === 'map') {
    for (const [key, v] of Object.entries(object)) out[key] = masked(shapes, shape.value, v, mask, sensitive)
  } else if (shape.type === 'structure') {
    for (const [name, member] of Object.entries(shape.members)) {
      if (Object.hasOwn(object, name)) out[name] = masked(shapes, member.shape, object[name], mask, sensitive)
    }
  }
  return out
}

/** The error shape an error answer's `x-amzn-ErrorType` (`Code:http://…` or `Code`) names, if the model has it. */
export function errorShapeName(shapes: Shapes, errorType: string | undefined): string | undefined {
  if (errorType === undefined) return undefined
  const code = errorType.split(':')[0].trim()
  return shapes[code]?.type === 'structure' ? code : undefined
}
