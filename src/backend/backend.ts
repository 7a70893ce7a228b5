// What a backend gives back for an IvsCall (see ivs-call.ts for why this folder imports nothing of ours).
//
// Naming: what comes back for a call is an *answer* in the code (HttpAnswer, IvsAnswer,
// UpstreamAnswer, the server's Answer). *Response* is kept only where it names the stored half of
// a recorded interaction, because users see it there: Interaction.response, the cassette's
// response_* columns, `cassette export`'s JSON; its type, RecordedResponse, is an HttpAnswer.
import type { IncomingHttpHeaders } from 'node:http'
import type { IvsCall } from './ivs-call.js'

/** An HTTP answer as the services send it: status, headers, body bytes. */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** What the upstream (real IVS, or whatever record mode forwards to) answered, headers as received. */
export interface UpstreamAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** Decoded (no content-encoding left). */
  readonly body: Buffer
}

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
