// What travels between the pipeline's steps: an authenticated, validated IVS call, and the answer
// one of the backends (cassette, upstream, simulator) gives to it.
import type { IncomingHttpHeaders } from 'node:http'
import type { Caller } from '../auth/verify-sigv4.js'
import type { OperationName } from '../model/ivs-types.js'
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
  readonly operation: OperationName
  /** The validated input, with path and query members merged in. */
  readonly input: JsonObject
  readonly caller: Caller
  readonly raw: RawRequest
}

/** What the simulator needs of a call to learn from its answer. */
export type ObservedCall = Pick<IvsCall, 'operation' | 'input' | 'caller'>

/** 'injected': a fault armed with POST /_mock/faults. */
export type AnswerSource = 'simulated' | 'recorded' | 'proxied' | 'injected'

export interface IvsAnswer extends HttpAnswer {
  readonly source: AnswerSource
}

/** A place answers come from. `undefined` means "not mine": the next backend is asked. */
export interface Backend {
  answer(call: IvsCall): Promise<IvsAnswer | undefined>
}
