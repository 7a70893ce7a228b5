// The /_mock/ control API for tests: not part of AWS, unsigned JSON over the same port. Routes are a
// table of method + path → handler; every answer is JSON, every refusal a clear 4xx.
import type { HttpAnswer } from '../backend/backend.js'

export interface ControlRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, readonly string[]>>
  readonly body: Buffer
}

export type ControlHandler = (req: ControlRequest, json: Record<string, unknown>) => Promise<unknown> | unknown

/** A refusal the control API answers with its status and message. */
export class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** Refuses any query parameter but `name`; `usage` (e.g. `since=<event id>`) says what is accepted. */
export function acceptOnlyQuery(query: ControlRequest['query'], name: string, usage: string): void {
  const unknown = Object.keys(query).filter((k) => k !== name)
  if (unknown.length) throw new ControlError(400, `Unknown query parameter(s): ${unknown.join(', ')}; only ${usage} is accepted`)
}

export const CONTROL_PREFIX = '/_mock/'

function jsonAnswer(status: number, value: unknown): HttpAnswer {
  return { status, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) }
}

export class ControlApi {
  readonly #routes = new Map<string, ControlHandler>()
  readonly #before: () => Promise<void>
  readonly #after: (req: ControlRequest, answer: unknown) => void

  /**
   * `before` runs ahead of every route (the app brings the simulator up to date with replays),
   * `after` once a route has answered (the app notes what it changed).
   */
  constructor(options: { before?: () => Promise<void>; after?: (req: ControlRequest, answer: unknown) => void } = {}) {
    this.#before = options.before ?? (async () => undefined)
    this.#after = options.after ?? (() => undefined)
  }

  /** Registers `METHOD /_mock/<path>`. */
  on(method: 'GET' | 'POST' | 'DELETE', path: string, handler: ControlHandler): this {
    this.#routes.set(`${method} ${CONTROL_PREFIX}${path}`, handler)
    return this
  }

  async handle(req: ControlRequest): Promise<HttpAnswer> {
    const handler = this.#routes.get(`${req.method} ${req.path}`)
    if (!handler) {
      const known = [...this.#routes.keys()].filter((k) => k.endsWith(` ${req.path}`))
      return known.length
        ? jsonAnswer(405, { error: 'MethodNotAllowed', message: `${req.method} is not allowed on ${req.path}; use ${known.map((k) => k.split(' ')[0]).join(', ')}` })
        : jsonAnswer(404, { error: 'NotFound', message: `No control route ${req.method} ${req.path}; known: ${[...this.#routes.keys()].join(', ')}` })
    }
    let json: Record<string, unknown> = {}
    if (req.body.length > 0) {
      let parsed: unknown
      try {
        parsed = JSON.parse(req.body.toString('utf8'))
      } catch {
        return jsonAnswer(400, { error: 'BadRequest', message: 'The body is not valid JSON' })
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return jsonAnswer(400, { error: 'BadRequest', message: 'The body must be a JSON object' })
      }
      json = parsed as Record<string, unknown>
    }
    try {
      await this.#before()
      const answer = await handler(req, json)
      this.#after(req, answer)
      return jsonAnswer(200, answer)
    } catch (err) {
      if (err instanceof ControlError) {
        return jsonAnswer(err.status, { error: err.status === 404 ? 'NotFound' : err.status === 409 ? 'Conflict' : 'BadRequest', message: err.message })
      }
      throw err
    }
  }
}
