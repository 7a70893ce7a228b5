// Which kind of IVS resource an operation is about, read from the model rather than from a table:
// the `arn` member of the resource structures in its output names the type in its pattern
// (`…:channel/…`). The faults and the hybrid's rules both need it.
import type { OperationName } from './ivs/types.js'
import { ivs } from './services.js'
const { operationOf, shapeOf } = ivs

const TYPE_IN_PATTERN = /:([a-z][a-z-]*)\//

function typeOfArnShape(shapeName: string): string | undefined {
  const shape = shapeOf(shapeName)
  return shape.type === 'string' && shape.pattern ? TYPE_IN_PATTERN.exec(shape.pattern)?.[1] : undefined
}

/** The resource type of a structure with an `arn` member (Channel, ChannelSummary → `channel`). */
function typeOfStructure(shapeName: string): string | undefined {
  const shape = shapeOf(shapeName)
  if (shape.type !== 'structure') return undefined
  const arn = shape.members.arn
  return arn ? typeOfArnShape(arn.shape) : undefined
}

const listed = new Map<string, string | undefined>()
/**
 * The type of resource a list operation answers with (ListChannels → `channel`), or undefined for
 * operations that answer no list of ARN-named resources (ListStreams: streams have no ARN).
 */
export function listedTypeOf(operation: OperationName): string | undefined {
  if (listed.has(operation)) return listed.get(operation)
  let type: string | undefined
  const output = operationOf(operation).output
  if (operation.startsWith('List') && output) {
    const shape = shapeOf(output)
    if (shape.type === 'structure') {
      for (const member of Object.values(shape.members)) {
        const list = shapeOf(member.shape)
        if (list.type === 'list') type ??= typeOfStructure(list.member)
      }
    }
  }
  listed.set(operation, type)
  return type
}

const primary = new Map<string, string | undefined>()
/**
 * The resource type an operation acts on: the type of the resources in its output, else of the
 * ARN members of its input (DeleteChannel's `arn` is a ChannelArn). Undefined when the model does
 * not say (TagResource takes any ResourceArn).
 */
export function resourceTypeOf(operation: OperationName): string | undefined {
  if (primary.has(operation)) return primary.get(operation)
  const op = operationOf(operation)
  let type = listedTypeOf(operation)
  for (const shapeName of [op.output, op.input]) {
    if (type || !shapeName) continue
    const shape = shapeOf(shapeName)
    if (shape.type !== 'structure') continue
    for (const [name, member] of Object.entries(shape.members)) {
      const memberShape = shapeOf(member.shape)
      const item = memberShape.type === 'list' ? memberShape.member : member.shape
      type ??= typeOfStructure(item) ?? (/arns?$/i.test(name) ? typeOfArnShape(item) : undefined)
    }
  }
  primary.set(operation, type)
  return type
}

/** Every ARN named anywhere in a JSON value (inputs name them as `arn`, `channelArn`, `arns[]`, …). */
export function arnsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    if (value.startsWith('arn:')) into.add(value)
  } else if (Array.isArray(value)) {
    for (const item of value) arnsIn(item, into)
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) arnsIn(item, into)
  }
  return into
}

/** Whether a structure shape describes a whole IVS resource, or a summary of one, or neither. */
export function resourceShapeKind(shapeName: string): 'full' | 'summary' | undefined {
  if (!typeOfStructure(shapeName)) return undefined
  return shapeName.endsWith('Summary') ? 'summary' : 'full'
}
