// Which of the served services a request is for, then which of its operations. One port answers
// ivs, ivschat and ivs-realtime as AWS's three endpoints do, told apart by what the request carries:
//   1. the SigV4 scope's service (signing name): `ivschat` is chat; `ivs` is ivs or ivs-realtime;
//   2. the host, where it names an AWS endpoint (`ivsrealtime.us-west-2.amazonaws.com`, or any host
//      whose first label is a service's endpoint prefix);
//   3. the path: each service's operations have their own paths, except `/tags/{resourceArn}`,
//      which all three bind; there the ARN decides (`arn:aws:ivschat:…` is chat, an `arn:aws:ivs:…`
//      of a type only the realtime model names — stage, composition… — is realtime).
// With one service served this is exactly that service's router.
import type { ServiceSpec } from '../model/service-spec.js'
import { Router, type Route } from './router.js'

export interface ServiceRoute {
  readonly spec: ServiceSpec
  readonly route: Route
}

export interface RoutedRequest {
  readonly method: string
  /** Raw path, percent-encoded, no query. */
  readonly path: string
  readonly host?: string
  /** The SigV4 scope's service, when the request is signed. */
  readonly signingName?: string
}

export class ServiceRouter {
  readonly #routers: readonly Router[]

  /** `specs` in order of preference: where nothing tells services apart, the first wins (ivs). */
  constructor(specs: readonly ServiceSpec[]) {
    if (specs.length === 0) throw new Error('a service router needs at least one service')
    this.#routers = specs.map((spec) => new Router(spec))
  }

  get specs(): readonly ServiceSpec[] {
    return this.#routers.map((r) => r.spec)
  }

  /** With one service nothing needs telling apart: the scope need not be read (the hot path). */
  get single(): boolean {
    return this.#routers.length === 1
  }

  /** The signing name a request must be verified for: its own when a served service has it. */
  signingNameFor(scopeService: string | undefined): string {
    const own = this.#routers.find((r) => r.spec.model.signingName === scopeService)
    return (own ?? this.#routers[0]).spec.model.signingName
  }

  /** Throws the chosen service's 404/405 when none of its operations is bound to the request. */
  route(request: RoutedRequest): ServiceRoute {
    if (this.#routers.length === 1) {
      const [only] = this.#routers
      return { spec: only.spec, route: only.route(request.method, request.path) }
    }
    let candidates = this.#routers.filter((r) => r.spec.model.signingName === request.signingName)
    if (candidates.length === 0) candidates = [...this.#routers]
    const prefix = request.host ? hostPrefix(request.host) : undefined
    const byHost = candidates.filter((r) => r.spec.model.endpointPrefix === prefix)
    if (byHost.length > 0) candidates = byHost
    if (candidates.length > 1) {
      const bound = candidates.filter((r) => r.match(request.path) !== undefined)
      if (bound.length > 0) candidates = bound
    }
    const router = candidates.length > 1 ? byArn(candidates, request.path) : candidates[0]
    return { spec: router.spec, route: router.route(request.method, request.path) }
  }
}

/** `ivsrealtime.us-west-2.amazonaws.com:443` → `ivsrealtime`; an IP address or localhost names none. */
function hostPrefix(host: string): string | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase()
  if (!name.includes('.') || /^[\d.]+$/.test(name) || name.startsWith('[')) return undefined
  return name.slice(0, name.indexOf('.'))
}

/** Several services bind the path (`/tags/{resourceArn}`): the one whose ARNs it carries. */
function byArn(routers: readonly Router[], path: string): Router {
  const labels = routers[0].match(path)?.labels ?? {}
  const arn = Object.values(labels).find((v) => v.startsWith('arn:'))
  const m = arn ? /^arn:aws:([a-z0-9-]+):[^:]*:[^:]*:([a-z-]+)\//.exec(arn) : null
  if (!m) return routers[0]
  const [, service, type] = m
  const owners = routers.filter((r) => r.spec.arnService === service && r.spec.resourceTypes.has(type))
  // Both ivs and ivs-realtime name `channel` (a composition's destination): the endpoint named like
  // the ARN's service (ivs) owns it.
  const owner = owners.find((r) => r.spec.model.endpointPrefix === service) ?? owners[0]
  return owner ?? routers.find((r) => r.spec.arnService === service) ?? routers[0]
}

/**
 * The service a request's SigV4 scope names (`Credential=AKID/20260101/us-west-2/ivschat/aws4_request`,
 * in the Authorization header or a presigned URL's X-Amz-Credential), unverified: it only picks the
 * signing name the verifier then checks the request against.
 */
export function scopeServiceOf(authorization: string | undefined, rawQuery: string): string | undefined {
  const credential = authorization
    ? /Credential=([^,\s]*)/.exec(authorization)?.[1]
    : /(?:^|&)X-Amz-Credential=([^&]*)/.exec(rawQuery)?.[1]
  if (!credential) return undefined
  const parts = (authorization ? credential : safeDecode(credential)).split('/')
  return parts.length === 5 ? parts[3] : undefined
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
