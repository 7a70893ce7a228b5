// What `cassette verify` calls drift: how a live answer differs from the recorded one in what a
// client depends on (status, error type, which members there are and their JSON types), never in
// values (ids, ARNs, timestamps, counts, the order and length of lists all differ run to run).
//
// Both answers are reduced to a shape signature, driven by the operation's output shape in the model
// where it knows the member: a structure's members are names a client reads, a map's keys are data
// (`tags`), a list's elements are merged into one signature (a member one element has counts).
import type { JsonValue } from '../protocol/deserialize.js'
import { ivs } from '../model/services.js'

type Signature =
  | { readonly kind: 'structure'; readonly members: Map<string, Signature> }
  | { readonly kind: 'map' | 'list'; readonly element: Signature | undefined }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'null' }

export interface AnswerParts {
  readonly status: number
  /** `x-amzn-ErrorType` without its `:…` suffix; undefined on a success. */
  readonly errorType: string | undefined
  /** The body parsed as JSON, or undefined (empty, not JSON). */
  readonly json: JsonValue | undefined
}

/** One line per difference, e.g. `channel.latencyMode: missing (recorded string)`; empty when none. */
export function answerDrift(operation: string, recorded: AnswerParts, live: AnswerParts): string[] {
  const out: string[] = []
  if (recorded.status !== live.status) out.push(`status: ${recorded.status} → ${live.status}`)
  if (recorded.errorType !== live.errorType) out.push(`error type: ${recorded.errorType ?? 'none'} → ${live.errorType ?? 'none'}`)
  // Members are compared only between two answers of the same kind: a 404's body against a 200's says nothing more.
  if (out.length > 0 || recorded.status >= 300) return out
  const output = Object.hasOwn(ivs.model.operations, operation) ? ivs.model.operations[operation].output : undefined
  if (recorded.json === undefined && live.json === undefined) return out
  if (recorded.json === undefined || live.json === undefined) {
    out.push(`body: ${recorded.json === undefined ? 'not JSON' : 'JSON'} → ${live.json === undefined ? 'not JSON' : 'JSON'}`)
    return out
  }
  diff(signatureOf(recorded.json, output), signatureOf(live.json, output), '', out)
  return out
}

/** The error type an answer names: the header IVS sets, `:` and what follows cut off. */
export function errorTypeOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'x-amzn-errortype' || value === undefined) continue
    const text = Array.isArray(value) ? value[0] : value
    return text.split(':')[0] || undefined
  }
  return undefined
}

function signatureOf(value: JsonValue, shapeName: string | undefined): Signature {
  const shape = shapeName === undefined ? undefined : ivs.shapeOf(shapeName)
  if (value === null) return { kind: 'null' }
  if (Array.isArray(value)) {
    const memberShape = shape?.type === 'list' ? shape.member : undefined
    return { kind: 'list', element: mergeAll(value.map((v) => signatureOf(v, memberShape))) }
  }
  if (typeof value === 'object') {
    if (shape?.type === 'map') return { kind: 'map', element: mergeAll(Object.values(value).map((v) => signatureOf(v, shape.value))) }
    const members = new Map<string, Signature>()
    for (const [key, v] of Object.entries(value)) {
      const member = shape?.type === 'structure' && Object.hasOwn(shape.members, key) ? shape.members[key].shape : undefined
      members.set(key, signatureOf(v, member))
    }
    return { kind: 'structure', members }
  }
  return { kind: typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean' }
}

function mergeAll(signatures: Signature[]): Signature | undefined {
  return signatures.length === 0 ? undefined : signatures.reduce(merge)
}

/** One signature for two values of one place (list elements): members of either, the first's kind where they differ. */
function merge(a: Signature, b: Signature): Signature {
  if (a.kind === 'structure' && b.kind === 'structure') {
    const members = new Map(a.members)
    for (const [key, sig] of b.members) {
      const mine = members.get(key)
      members.set(key, mine === undefined ? sig : merge(mine, sig))
    }
    return { kind: 'structure', members }
  }
  if ((a.kind === 'list' || a.kind === 'map') && a.kind === b.kind) {
    const element = a.element === undefined ? b.element : b.element === undefined ? a.element : merge(a.element, b.element)
    return { kind: a.kind, element }
  }
  return a
}

function kindName(sig: Signature): string {
  return sig.kind === 'structure' ? 'object' : sig.kind === 'map' ? 'map' : sig.kind
}

function diff(recorded: Signature, live: Signature, path: string, out: string[]): void {
  const where = path === '' ? '(body)' : path
  if (recorded.kind !== live.kind) {
    out.push(`${where}: type ${kindName(recorded)} → ${kindName(live)}`)
    return
  }
  if (recorded.kind === 'structure' && live.kind === 'structure') {
    for (const [key, sig] of recorded.members) {
      const other = live.members.get(key)
      const at = path === '' ? key : `${path}.${key}`
      if (other === undefined) out.push(`${at}: missing (recorded ${kindName(sig)})`)
      else diff(sig, other, at, out)
    }
    for (const [key, sig] of live.members) {
      if (!recorded.members.has(key)) out.push(`${path === '' ? key : `${path}.${key}`}: added (${kindName(sig)})`)
    }
    return
  }
  if ((recorded.kind === 'list' || recorded.kind === 'map') && (live.kind === 'list' || live.kind === 'map')) {
    // An empty list or map on either side shows nothing of its elements' shape.
    if (recorded.element !== undefined && live.element !== undefined) {
      diff(recorded.element, live.element, `${path}${recorded.kind === 'list' ? '[]' : '.*'}`, out)
    }
  }
}
