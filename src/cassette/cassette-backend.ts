// Answers from a cassette. Strict (replay mode): a miss is an error that names the operation and the
// nearest recorded interaction with a field-by-field diff. Lenient (hybrid, record-missing): a miss
// passes to the next backend, and the same diff goes to the debug log.
import type { Backend, IvsAnswer, IvsCall } from '../dispatch/ivs-call.js'
import type { Logger } from '../log/logger.js'
import { AwsError } from '../protocol/aws-error.js'
import { serializeError } from '../protocol/serialize.js'
import type { CassetteStore } from './cassette-store.js'
import { describeNearest, nearestRecorded } from './miss-diagnostics.js'
import type { ReplayIndex } from './replay-index.js'
import { canonicalRequest, identityOf, type MatchRules } from './request-identity.js'

export interface CassetteBackendOptions {
  readonly store: CassetteStore
  readonly index: ReplayIndex
  readonly rules: MatchRules
  readonly strict: boolean
  readonly logger: Logger
  /** Every replayed answer is offered here (hybrid coherence: the simulator absorbs it). */
  readonly observe: (call: IvsCall, answer: IvsAnswer) => void
}

/** The error type of a strict-replay miss: real IVS never sends it, so no client mistakes it for IVS's. */
export const REPLAY_MISS = 'IvsReplayNoMatchException'

export class CassetteBackend implements Backend {
  readonly #o: CassetteBackendOptions

  constructor(options: CassetteBackendOptions) {
    this.#o = options
  }

  async answer(call: IvsCall): Promise<IvsAnswer | undefined> {
    const canonical = canonicalRequest(
      { operation: call.operation, path: call.raw.path, query: call.raw.query, body: call.raw.json },
      this.#o.rules,
    )
    const hit = await this.#o.index.take(identityOf(canonical))
    if (hit) {
      const { response } = hit
      const answer: IvsAnswer = { status: response.status, headers: response.headers, body: response.body, source: 'recorded' }
      this.#o.observe(call, answer)
      return answer
    }
    const { strict, logger, store, rules } = this.#o
    if (!strict && !logger.enabled('debug')) return undefined
    const nearest = describeNearest(await nearestRecorded(store, canonical, rules), call.operation)
    if (!strict) {
      logger.debug('cassette miss', { id: call.requestId, op: call.operation, nearest })
      return undefined
    }
    const message = `No recorded interaction matches this ${call.operation} request (${call.raw.method} ${canonical.path}); ${nearest}`
    return { ...serializeError(new AwsError(REPLAY_MISS, 404, message)), source: 'recorded' }
  }
}
