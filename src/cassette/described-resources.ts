// Which resources a recorded answer describes, by ARN: what lets a hybrid simulator know every
// resource a cassette has seen, in its last recorded state, without replaying the cassette first.
// Computed when an interaction is recorded and stored with it (the `resources` column); for
// interactions recorded before that column existed it is computed from the stored bytes when needed.
import type { OperationName } from '../model/ivs/types.js'
import { ivs } from '../model/services.js'
import { arnsIn, resourceShapeKind } from '../model/resource-types.js'
import type { DescribedResources } from '../storage/storage.js'
const { model, operationOf, shapeOf } = ivs


/** Operations whose effect on a resource is in the request, not in the answer. */
const EFFECT = /^(Delete|TagResource$|UntagResource$)/

/**
 * What a successful answer describes (undefined for a failure: it describes nothing). `input` is
 * the call's input (for effects), `body` the answer's JSON text.
 */
export function describedResources(operation: string, input: unknown, status: number, body: Buffer | string): DescribedResources | undefined {
  if (status < 200 || status >= 300 || !Object.hasOwn(model.operations, operation)) return undefined
  const out: DescribedResources = { full: [], summary: [], effect: [] }
  if (EFFECT.test(operation)) out.effect.push(...arnsIn(input))
  const shape = operationOf(operation as OperationName).output
  const text = typeof body === 'string' ? body : body.toString('utf8')
  if (shape && text.length > 0) {
    try {
      walk(out, JSON.parse(text) as unknown, shape)
    } catch {
      // Not JSON: it describes nothing we can learn.
    }
  }
  return out
}

/** A stream session's channel and recording configuration are as they were at go-live, not now. */
const SNAPSHOTS = new Set(['StreamSession'])

function walk(out: DescribedResources, value: unknown, shapeName: string): void {
  if (value === null || typeof value !== 'object' || SNAPSHOTS.has(shapeName)) return
  const shape = shapeOf(shapeName)
  if (shape.type === 'list') {
    if (Array.isArray(value)) for (const item of value) walk(out, item, shape.member)
    return
  }
  if (shape.type !== 'structure') return
  const record = value as Record<string, unknown>
  const kind = resourceShapeKind(shapeName)
  if (kind && typeof record.arn === 'string') out[kind].push(record.arn)
  for (const [name, member] of Object.entries(shape.members)) {
    if (!member.location) walk(out, record[name], member.shape)
  }
}
