// Answers from a cassette. Strict (replay mode): a miss is an error that names the operation and the
// nearest recorded interaction with a field-by-field diff. Lenient (hybrid, record-missing): a miss
// passes to the next backend, and the same diff goes to the debug log.
import type { Backend, IvsAnswer } from '../backend/backend.js'
import type { Caller, IvsCall, ObservedCall } from '../backend/ivs-call.js'
import type { Logger } from '../log/logger.js'
import { AwsError } from '../protocol/aws-error.js'
import { serializeError } from '../protocol/serialize.js'
import type { RecordedResponse, ReplaySource } from '../storage/storage.js'
import { describeNearest, nearestRecorded } from './miss-diagnostics.js'
import type { ReplayIndex } from './replay-index.js'
import { canonicalRequest, identityOf, type CanonicalRequest, type MatchRules } from './request-identity.js'

export interface CassetteBackendOptions {
  readonly store: ReplaySource
  readonly index: ReplayIndex
  readonly rules: MatchRules
  readonly strict: boolean
  readonly logger: Logger
  /** Every replayed answer is offered here, once, before the next backend answers (see settle()). */
  readonly observe: (call: ObservedCall, answer: IvsAnswer) => void
  /** Whether `observe` needs a call's input for this operation; when not, the input is not kept. */
  readonly observeNeedsInput: (operation: string) => boolean
  /**
   * Runs once before the simulator first learns replayed answers (and again after a rewind): the
   * hybrid teaches it the cassette's recorded state there, so replayed answers apply on top.
   */
  readonly prepare?: () => Promise<void>
  /** A recorded answer this says no to is passed by like a miss (the simulator owns what it describes). */
  readonly refuse?: (call: IvsCall, response: RecordedResponse) => boolean
}

/** The error type of a strict-replay miss: real IVS never sends it, so no client mistakes it for IVS's. */
export const REPLAY_MISS = 'IvsReplayNoMatchException'

/**
 * How many distinct request texts keep their computed identity: enough for the requests a suite
 * repeats (polling loops, re-runs). Replaying a long recording asks for each request about once,
 * where a larger cache only holds memory (~300 bytes an entry).
 */
const IDENTITY_CACHE_SIZE = 2_000
const CACHED_BODY_LIMIT = 4096

/** A replayed answer the simulator has not learnt yet: its id and what of the call learning needs. */
interface PendingAnswer {
  readonly id: number
  readonly service: ObservedCall['service']
  readonly operation: ObservedCall['operation']
  /** Kept only for operations learnt from their input (see observeNeedsInput). */
  readonly input: ObservedCall['input'] | undefined
  readonly caller: Caller
}

/** What `observe` gets as the input of a call whose input it does not need. */
const NO_INPUT: ObservedCall['input'] = Object.freeze({})

export class CassetteBackend implements Backend {
  readonly #o: CassetteBackendOptions
  /** Raw request text → identity: a repeated request skips canonicalization and hashing. */
  readonly #identities = new Map<string, string>()
  /** Interactions replayed since the last rewind: a recorded answer teaches the simulator once. */
  #absorbed = new Set<number>()
  /**
   * Replayed answers the simulator has not learnt yet. Learning is deferred until something may
   * need it (a miss, a control call, shutdown): a run answered wholly from the cassette never
   * builds the simulator's copy of every replayed resource. Only ids are kept; the answers are read
   * back (from memory, or the cassette) when learnt.
   */
  #pending: PendingAnswer[] = []
  /** One Caller object per signer and region, shared by the pending calls (a long replay queues thousands). */
  readonly #callers = new Map<string, Caller>()
  /** The run of options.prepare since the last rewind, once started. */
  #prepared: Promise<void> | undefined

  constructor(options: CassetteBackendOptions) {
    this.#o = options
  }

  /** Replay sequences start over, and so does what the simulator has been taught. */
  rewind(): void {
    this.#o.index.rewind()
    this.#absorbed = new Set()
    this.#pending = []
    this.#prepared = undefined
  }

  /** Teaches the simulator every replayed answer it has not learnt yet, in replay order. */
  async settle(): Promise<void> {
    if (this.#o.prepare) await (this.#prepared ??= this.#o.prepare())
    while (this.#pending.length > 0) {
      const batch = this.#pending
      this.#pending = []
      for (const { id, service, operation, input, caller } of batch) {
        const response = await this.#o.index.response(id)
        if (response) {
          this.#o.observe({ service, operation, input: input ?? NO_INPUT, caller }, { status: response.status, headers: response.headers, body: response.body, source: 'recorded' })
        }
      }
    }
  }

  #sharedCaller(caller: Caller): Caller {
    const key = `${caller.accessKeyId}/${caller.accountId}/${caller.region}`
    let shared = this.#callers.get(key)
    if (shared === undefined) {
      shared = caller
      this.#callers.set(key, caller)
    }
    return shared
  }

  #identity(call: IvsCall): string {
    // Large bodies are rare and not worth keeping as cache keys.
    if (call.raw.body.length > CACHED_BODY_LIMIT) return identityOf(this.#canonical(call))
    // The operation, the request-target and the body bytes determine the identity (headers never do).
    const key = `${call.operation} ${call.raw.url}\n${call.raw.body.toString('latin1')}`
    let identity = this.#identities.get(key)
    if (identity === undefined) {
      identity = identityOf(this.#canonical(call))
      if (this.#identities.size >= IDENTITY_CACHE_SIZE) this.#identities.clear()
      this.#identities.set(key, identity)
    }
    return identity
  }

  #canonical(call: IvsCall): CanonicalRequest {
    return canonicalRequest({ operation: call.operation, path: call.raw.path, query: call.raw.query, body: call.raw.json }, this.#o.rules)
  }

  async answer(call: IvsCall): Promise<IvsAnswer | undefined> {
    let hit = await this.#o.index.take(this.#identity(call))
    if (hit && this.#o.refuse?.(call, hit.response)) hit = undefined
    if (hit) {
      const { response } = hit
      const answer: IvsAnswer = { status: response.status, headers: response.headers, body: response.body, source: 'recorded' }
      if (!this.#absorbed.has(hit.id)) {
        this.#absorbed.add(hit.id)
        const { service, operation } = call
        const input = this.#o.observeNeedsInput(operation) ? call.input : undefined
        this.#pending.push({ id: hit.id, service, operation, input, caller: this.#sharedCaller(call.caller) })
      }
      return answer
    }
    // The next backend (the simulator, or the upstream whose answers it also learns from) must see
    // a simulator that knows everything replayed so far.
    await this.settle()
    const canonical = this.#canonical(call)
    const { strict, logger, store, rules } = this.#o
    if (!strict && !logger.enabled('debug')) return undefined
    const nearest = describeNearest(await nearestRecorded(store, canonical, rules), call.operation)
    if (!strict) {
      logger.debug('cassette miss', { id: call.requestId, op: call.operation, nearest })
      return undefined
    }
    const message = `No recorded interaction matches this ${call.operation} request (${call.raw.method} ${canonical.path}); ${nearest}`
    return { ...serializeError(new AwsError(REPLAY_MISS, 404, message)), source: 'miss' }
  }
}
