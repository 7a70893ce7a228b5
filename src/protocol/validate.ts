// Checks an input against every constraint the model states — required, length, pattern, enum,
// range, list and map sizes, map keys and values — recursively, and reports all violations in the
// message style of AWS's Coral services:
//   1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must
//   satisfy regular expression pattern: [a-zA-Z0-9-_]*
import { compiledPattern } from '../model/compiled-pattern.js'
import type { ServiceSpec } from '../model/service-spec.js'
import type { ShapeModel } from '../model/types.js'
import type { AwsError } from './aws-error.js'
import type { JsonObject, JsonValue } from './deserialize.js'
import { modeledError } from './modeled-error.js'

interface Violation {
  readonly path: string
  readonly value: JsonValue
  readonly sensitive: boolean
  readonly constraint: string
}

/** Returns the ValidationException for the input's violations, or undefined when it is valid. */
export function validateInput(spec: ServiceSpec, inputShape: string | undefined, input: JsonValue): AwsError | undefined {
  if (!inputShape) return undefined
  const violations: Violation[] = []
  checkStructure(spec, input, inputShape, '', violations)
  if (violations.length === 0) return undefined
  const count = violations.length
  const head = `${count} validation error${count === 1 ? '' : 's'} detected: `
  const message = head + violations.map(describe).join('; ')
  return modeledError(spec, 'ValidationException', message, validationFields(spec, violations))
}

/**
 * ivschat's ValidationException carries a required `reason` and a `fieldList` of `{name, message}`
 * (ivschat model); ivs's carries only the message. Filled where the model has the members.
 */
function validationFields(spec: ServiceSpec, violations: readonly Violation[]): JsonObject {
  const members = spec.errorShape('ValidationException')?.members
  if (!members) return {}
  return {
    ...(members.reason && { reason: 'FIELD_VALIDATION_FAILED' }),
    ...(members.fieldList && { fieldList: violations.map((v) => ({ name: v.path, message: describe(v) })) }),
  }
}

function describe(v: Violation): string {
  return `Value ${renderValue(v)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`
}

function renderValue(v: Violation): string {
  if (v.value === null) return 'null'
  if (v.sensitive) return "'*** Sensitive Data Redacted ***'"
  if (typeof v.value === 'string') return `'${v.value.length > 256 ? v.value.slice(0, 256) + '…' : v.value}'`
  if (typeof v.value === 'number' || typeof v.value === 'boolean') return `'${v.value}'`
  const json = JSON.stringify(v.value)
  return `'${json.length > 256 ? json.slice(0, 256) + '…' : json}'`
}

function join(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name
}

function checkStructure(spec: ServiceSpec, value: JsonValue, shapeName: string, path: string, out: Violation[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return
  const shape = spec.structureOf(shapeName)
  for (const name of shape.required ?? []) {
    const member = value[name]
    if (member === undefined || member === null) {
      out.push({ path: join(path, name), value: null, sensitive: false, constraint: 'Member must not be null' })
    }
  }
  let set = 0
  for (const [name, member] of Object.entries(shape.members)) {
    const v = value[name]
    if (v === undefined || v === null) continue
    set++
    checkValue(spec, v, member.shape, join(path, name), out)
  }
  // A union (ivschat's DestinationConfiguration) takes exactly one member.
  if (shape.union && set !== 1) {
    const constraint = `Member must have exactly one of [${Object.keys(shape.members).join(', ')}] set`
    out.push({ path: path || shapeName, value: set === 0 ? null : value, sensitive: false, constraint })
  }
}

function checkValue(spec: ServiceSpec, value: JsonValue, shapeName: string, path: string, out: Violation[]): void {
  const shape = spec.shapeOf(shapeName)
  const push = (constraint: string) =>
    out.push({ path, value, sensitive: shape.sensitive === true, constraint })
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return
      // Lengths count characters (code points), as the model's Java-based validators do.
      const length = codePointLength(value)
      checkSize(shape, length, 'length', push)
      if (shape.pattern !== undefined && !compiledPattern(shape.pattern).test(value)) {
        push(`Member must satisfy regular expression pattern: ${shape.pattern}`)
      }
      if (shape.enum && !shape.enum.includes(value)) push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`)
      return
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof value === 'number') checkSize(shape, value, 'value', push)
      return
    case 'list':
      if (!Array.isArray(value)) return
      checkSize(shape, value.length, 'length', push)
      value.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`
        if (item === null) out.push({ path: itemPath, value: null, sensitive: false, constraint: 'Member must not be null' })
        else checkValue(spec, item, shape.member, itemPath, out)
      })
      return
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return
      checkSize(shape, Object.keys(value).length, 'length', push)
      for (const [k, v] of Object.entries(value)) {
        checkValue(spec, k, shape.key, `${path}.${k}.key`, out)
        if (v === null) out.push({ path: `${path}.${k}.value`, value: null, sensitive: false, constraint: 'Member must not be null' })
        else checkValue(spec, v, shape.value, `${path}.${k}.value`, out)
      }
      return
    case 'structure':
      checkStructure(spec, value, shapeName, path, out)
      return
    case 'boolean':
    case 'timestamp':
      return
  }
}

function checkSize(
  shape: Extract<ShapeModel, { min?: number; max?: number }>,
  size: number,
  what: 'length' | 'value',
  push: (constraint: string) => void,
): void {
  if (shape.min !== undefined && size < shape.min) push(`Member must have ${what} greater than or equal to ${shape.min}`)
  if (shape.max !== undefined && size > shape.max) push(`Member must have ${what} less than or equal to ${shape.max}`)
}

function codePointLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}
