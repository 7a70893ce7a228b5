// Maps method + path to an IVS operation, from the model's HTTP bindings. Most operations are
// `POST /<Name>`; the tag operations share `/tags/{resourceArn}` and differ by method.
import { model } from '../model/model.js'
import type { OperationName } from '../model/ivs/types.js'
import { AwsError } from './aws-error.js'

export interface Route {
  readonly operation: OperationName
  /** Path labels, percent-decoded once (`{resourceArn}` → `arn:aws:ivs:…`). */
  readonly labels: Readonly<Record<string, string>>
}

interface Template {
  /** Literal segments, or `{label}` placeholders. */
  readonly segments: readonly string[]
  readonly byMethod: Map<string, OperationName>
}

const exact = new Map<string, Map<string, OperationName>>()
const templates: Template[] = []

for (const [name, op] of Object.entries(model.operations) as [OperationName, (typeof model.operations)[string]][]) {
  if (!op.uri.includes('{')) {
    const methods = exact.get(op.uri) ?? new Map<string, OperationName>()
    methods.set(op.method, name)
    exact.set(op.uri, methods)
    continue
  }
  const segments = op.uri.split('/').slice(1)
  let template = templates.find((t) => t.segments.join('/') === segments.join('/'))
  if (!template) {
    template = { segments, byMethod: new Map() }
    templates.push(template)
  }
  template.byMethod.set(op.method, name)
}

function pick(methods: Map<string, OperationName>, method: string, path: string): OperationName {
  const operation = methods.get(method)
  if (operation) return operation
  const allowed = [...methods.keys()].join(', ')
  throw new AwsError('MethodNotAllowedException', 405, `${method} is not allowed on ${path}; allowed: ${allowed}`, {
    Allow: allowed,
  })
}

/** `path` is the raw path as received (still percent-encoded, no query). */
export function route(method: string, path: string): Route {
  const methods = exact.get(path)
  if (methods) return { operation: pick(methods, method, path), labels: {} }

  const parts = path.split('/').slice(1)
  for (const template of templates) {
    if (template.segments.length !== parts.length) continue
    const labels: Record<string, string> = {}
    let matched = true
    for (let i = 0; i < parts.length && matched; i++) {
      const segment = template.segments[i]
      if (segment.startsWith('{')) {
        const value = decodeSegment(parts[i])
        if (value === undefined || value === '') matched = false
        else labels[segment.slice(1, -1)] = value
      } else {
        matched = segment === parts[i]
      }
    }
    if (matched) return { operation: pick(template.byMethod, method, path), labels }
  }
  throw new AwsError('UnknownOperationException', 404, `No IVS operation is bound to ${method} ${truncate(path)}`)
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
