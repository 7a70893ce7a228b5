// Judging one answer: the AWS error shape every 4xx must have, the status the service's model gives
// each error it declares, and the outcome a case expects.
import type { ServiceSpec } from '../../src/model/service-spec.js'
import type { Expectation } from './model-cases.js'

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Buffer
}

export interface ErrorInfo {
  readonly type: string
  readonly message: string
}

function header(a: Answer, name: string): string | undefined {
  const v = a.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** The AWS error in an answer, or a description of what is wrong with its shape. */
export function readError(a: Answer): ErrorInfo | string {
  const type = header(a, 'x-amzn-errortype')
  if (!type) return `status ${a.status} without x-amzn-ErrorType`
  let body: unknown
  try {
    body = JSON.parse(a.body.toString('utf8'))
  } catch {
    return `status ${a.status} ${type}: body is not JSON: ${a.body.toString('utf8').slice(0, 120)}`
  }
  const message = (body as { message?: unknown } | null)?.message
  if (typeof message !== 'string') return `status ${a.status} ${type}: JSON body without a string message`
  return { type: type.split(':')[0], message }
}

/** The only 5xx tolerated: an operation another engineer has not simulated yet. */
export function isNotImplemented(a: Answer): boolean {
  return a.status === 501 && header(a, 'x-amzn-errortype') === 'NotImplementedException'
}

/** Problems common to every answer: no 5xx, and every error AWS-shaped. */
export function basicProblem(a: Answer): string | undefined {
  if (isNotImplemented(a)) return undefined
  if (a.status >= 500) return `5xx: ${a.status} ${header(a, 'x-amzn-errortype') ?? ''} ${a.body.toString('utf8').slice(0, 200)}`
  if (a.status >= 400) {
    const err = readError(a)
    if (typeof err === 'string') return err
  } else if (a.status === 200) {
    try {
      const v: unknown = JSON.parse(a.body.toString('utf8'))
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return '200 with a body that is not a JSON object'
    } catch {
      return '200 with a body that is not JSON'
    }
  } else if (a.status === 204) {
    if (a.body.length !== 0) return '204 with a body'
  } else {
    return `unexpected status ${a.status}`
  }
  return undefined
}

function describe(a: Answer): string {
  const err = a.status >= 400 ? readError(a) : undefined
  return err === undefined ? `${a.status}` : typeof err === 'string' ? err : `${a.status} ${err.type}: ${err.message.slice(0, 300)}`
}

/** The operation a request was for, to hold its answer to that service's model. */
export interface Called {
  readonly spec: ServiceSpec
  readonly op: string
}

/**
 * An error the service's model declares must come with the model's status code. Errors the model
 * does not declare (SerializationException, UnknownOperationException, the SigV4 ones) are every
 * operation's and are judged by the case's expectation alone.
 */
export function modelErrorProblem(a: Answer, called: Called): string | undefined {
  if (a.status < 400 || isNotImplemented(a)) return undefined
  const err = readError(a)
  if (typeof err === 'string') return undefined
  const shape = called.spec.errorShape(err.type)
  if (shape && shape.errorStatus !== a.status) return `${err.type} with status ${a.status}: the ${called.spec.id} model gives it ${shape.errorStatus}`
  return undefined
}

/**
 * `Op → ErrorType` when the answer is a modelled error the operation does not list (ivs-realtime's
 * List… calls list only ValidationException and AccessDeniedException). Not a failure: AWS services
 * do answer errors their models leave out, and which ones is a business rule, not a protocol one.
 */
export function undeclaredError(a: Answer, called: Called): string | undefined {
  if (a.status < 400) return undefined
  const err = readError(a)
  if (typeof err === 'string' || !called.spec.errorShape(err.type)) return undefined
  return called.spec.operationOf(called.op).errors.includes(err.type) ? undefined : `${called.spec.id} ${called.op} → ${err.type}`
}

/** Undefined when `a` is what `expect` demands (and, given `called`, what the model allows); otherwise what went wrong. */
export function judge(a: Answer, expect: Expectation, called?: Called): string | undefined {
  const basic = basicProblem(a) ?? (called && modelErrorProblem(a, called))
  if (basic) return basic
  if (isNotImplemented(a)) return undefined
  const err = a.status >= 400 ? (readError(a) as ErrorInfo) : undefined
  switch (expect.kind) {
    case 'validation': {
      if (a.status !== 400 || err?.type !== 'ValidationException') return `expected 400 ValidationException, got ${describe(a)}`
      for (const v of expect.violations) {
        const needle = `at '${v.path}' failed to satisfy constraint: ${v.phrase}`
        if (!err.message.includes(needle)) return `ValidationException does not name "${needle}": ${err.message.slice(0, 300)}`
      }
      const m = /^(\d+) validation errors? detected: /.exec(err.message)
      if (!m) return `ValidationException message not in Coral style: ${err.message.slice(0, 200)}`
      if (Number(m[1]) < new Set(expect.violations.map((v) => `${v.path}|${v.phrase}`)).size) {
        return `ValidationException counts ${m[1]} errors, expected at least ${expect.violations.length}`
      }
      return undefined
    }
    case 'serialization':
      return a.status === 400 && err?.type === 'SerializationException' ? undefined : `expected 400 SerializationException, got ${describe(a)}`
    case 'unknown-operation':
      return a.status === 404 && err?.type === 'UnknownOperationException' ? undefined : `expected 404 UnknownOperationException, got ${describe(a)}`
    case 'accepted':
      if (err?.type === 'SerializationException') return `a valid input was refused: ${describe(a)}`
      if (err?.type === 'ValidationException' && err.message.includes('failed to satisfy constraint')) {
        return `a model-valid input failed model validation: ${describe(a)}`
      }
      if (a.status === 403 || a.status === 404 && err?.type === 'UnknownOperationException') return `not even routed: ${describe(a)}`
      return undefined
    case 'client-ok':
      return undefined
  }
}
