// What travels between the pipeline's steps: an authenticated, validated call to one of the IVS
// services. This folder is the seam every backend (cassette, upstream, simulator, faults) and the
// pipeline share, so it imports nothing of ours but the generated model's types (src/model imports
// nothing either): no backend depends on another's folder, nor on the one that wires them.
import type { IncomingHttpHeaders } from 'node:http'
import type { ServiceId } from '../model/service-spec.js'
import type { AnyOperationName } from '../model/services.js'
import type { JsonObject } from './json.js'

/** Who signed a request: the access key, the account it belongs to, the credential scope's region. */
export interface Caller {
  accessKeyId: string
  accountId: string
  /** The region of the credential scope. */
  region: string
}

/** The request as it arrived, for the backends that store or forward bytes. */
export interface RawRequest {
  readonly method: string
  /** Request-target as received: percent-encoded path plus query. */
  readonly url: string
  readonly path: string
  readonly query: Readonly<Record<string, readonly string[]>>
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  /** The body parsed as JSON (`{}` when empty), parsed once by the server. */
  readonly json: JsonObject
}

export interface IvsCall {
  readonly requestId: string
  /** The service the request was routed to (src/protocol/service-router.ts). */
  readonly service: ServiceId
  /** An operation of that service (ListTagsForResource is in all three: read it with `service`). */
  readonly operation: AnyOperationName
  /** The validated input, with path and query members merged in. */
  readonly input: JsonObject
  readonly caller: Caller
  readonly raw: RawRequest
}

/** What the simulator needs of a call to learn from its answer. */
export type ObservedCall = Pick<IvsCall, 'service' | 'operation' | 'input' | 'caller'>
