// Maps method + path to one service's operation, from its model's HTTP bindings. Most operations
// are `POST /<Name>`; the tag operations share `/tags/{resourceArn}` and differ by method. Which
// service a request is for is service-router.ts's business; this answers for one.
import type { ServiceSpec } from '../model/service-spec.js'
import { AwsError } from './aws-error.js'
import { unmodeledErrors } from './unmodeled-errors.js'

export interface Route<Op extends string = string> {
  readonly operation: Op
  /** Path labels, percent-decoded once (`{resourceArn}` → `arn:aws:ivs:…`). */
  readonly labels: Readonly<Record<string, string>>
}

interface Template<Op extends string> {
  /** Literal segments, or `{label}` placeholders. */
  readonly segments: readonly string[]
  readonly byMethod: Map<string, Op>
}

export class Router<Op extends string = string> {
  readonly spec: ServiceSpec<Op>
  readonly #exact = new Map<string, Map<string, Op>>()
  readonly #templates: Template<Op>[] = []

  constructor(spec: ServiceSpec<Op>) {
    this.spec = spec
    for (const name of spec.operationNames) {
      const op = spec.operationOf(name)
      if (!op.uri.includes('{')) {
        const methods = this.#exact.get(op.uri) ?? new Map<string, Op>()
        methods.set(op.method, name)
        this.#exact.set(op.uri, methods)
        continue
      }
      const segments = op.uri.split('/').slice(1)
      let template = this.#templates.find((t) => t.segments.join('/') === segments.join('/'))
      if (!template) {
        template = { segments, byMethod: new Map() }
        this.#templates.push(template)
      }
      template.byMethod.set(op.method, name)
    }
  }

  /** `path` is the raw path as received (still percent-encoded, no query). Throws 404 or 405. */
  route(method: string, path: string): Route<Op> {
    const found = this.match(path)
    if (!found) {
      throw new AwsError('UnknownOperationException', unmodeledErrors.UnknownOperationException,
        `No IVS operation is bound to ${method} ${truncate(path)}`)
    }
    return { operation: pick(found.methods, method, path), labels: found.labels }
  }

  /** The operations bound to a path, by method, with its labels; undefined when none is. */
  match(path: string): { readonly methods: ReadonlyMap<string, Op>; readonly labels: Readonly<Record<string, string>> } | undefined {
    const methods = this.#exact.get(path)
    if (methods) return { methods, labels: {} }
    const parts = path.split('/').slice(1)
    for (const template of this.#templates) {
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
      if (matched) return { methods: template.byMethod, labels }
    }
    return undefined
  }
}

function pick<Op extends string>(methods: ReadonlyMap<string, Op>, method: string, path: string): Op {
  const operation = methods.get(method)
  if (operation) return operation
  const allowed = [...methods.keys()].join(', ')
  throw new AwsError('MethodNotAllowedException', unmodeledErrors.MethodNotAllowedException,
    `${method} is not allowed on ${path}; allowed: ${allowed}`, { Allow: allowed })
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
