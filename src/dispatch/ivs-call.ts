// What travels between the pipeline's steps: an authenticated, validated call to one of the IVS
// services, and the answer one of the backends (cassette, upstream, simulator) gives to it.
import type { IncomingHttpHeaders } from 'node:http'
import type { Caller } from '../auth/verify-sigv4.js'
import type { ServiceId } from '../model/service-spec.js'
import type { AnyOperationName } from '../model/services.js'
import type { JsonObject } from '../protocol/deserialize.js'
import type { HttpAnswer } from '../protocol/serialize.js'

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

/**
 * Where an answer came from (`x-ivs-replay-source`); `miss`: a strict replay found no recording;
 * `injected`: a fault armed with POST /_mock/faults.
 */
export type AnswerSource = 'simulated' | 'recorded' | 'proxied' | 'miss' | 'injected'

export interface IvsAnswer extends HttpAnswer {
  readonly source: AnswerSource
}

/** A place answers come from. `undefined` means "not mine": the next backend is asked. */
export interface Backend {
  answer(call: IvsCall): Promise<IvsAnswer | undefined>
}
