// What a backend gives back for an IvsCall (see ivs-call.ts for why this folder imports nothing of ours).
import type { IvsCall } from './ivs-call.js'

/** An HTTP answer as the services send it: status, headers, body bytes. */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
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
