// Whether an upstream answer is the JSON the model expects of it. A 2xx or 4xx is recorded whatever
// it holds (it is what the upstream said), but one that is not IVS's JSON (a captive portal's HTML,
// a stand-in that answers in its own format, an endpoint that is not IVS) would replay as that from
// then on, so the log says so at record time, where the user can still look. Top-level members
// only: the check runs on every recorded call and a newer API's extra members are no fault.
import type { ServiceSpec } from '../model/service-spec.js'
import type { ShapeModel } from '../model/types.js'

/** What is wrong with the answer, in words, or undefined when it is as `spec`'s model says. */
export function unexpectedAnswer(spec: ServiceSpec, operation: string, status: number, body: Buffer): string | undefined {
  const { operationOf, shapeOf, structureOf } = spec
  const op = operationOf(operation)
  let value: unknown
  if (body.length === 0) value = undefined
  else {
    try {
      value = JSON.parse(body.toString('utf8'))
    } catch {
      // Its text stays out of the log: it may hold a secret the redaction did not recognise.
      return `the body is not JSON (${body.length} bytes)`
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return `the body is JSON ${kindOf(value)}, not an object`
  }
  if (status >= 400) return value === undefined ? 'the error has no body (IVS sends a JSON object with a message)' : undefined
  if (op.output === undefined) return undefined
  const output = structureOf(op.output)
  const object = (value ?? {}) as Record<string, unknown>
  const missing = (output.required ?? []).filter((name) => !output.members[name]?.location && !(name in object))
  if (missing.length > 0) return `the answer lacks the required member${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${op.output}`
  for (const [name, member] of Object.entries(output.members)) {
    if (member.location || !(name in object)) continue
    const expected = jsonKindOf(shapeOf(member.shape))
    const actual = kindOf(object[name])
    if (!expected.includes(actual)) return `member ${name} is ${actual} where ${op.output} has ${expected.join(' or ')}`
  }
  return undefined
}

function jsonKindOf(shape: ShapeModel): string[] {
  switch (shape.type) {
    case 'structure':
    case 'map':
      return ['an object']
    case 'list':
      return ['an array']
    case 'string':
      return ['a string']
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return ['a number']
    case 'boolean':
      return ['a boolean']
    case 'timestamp':
      return ['a string', 'a number']
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
