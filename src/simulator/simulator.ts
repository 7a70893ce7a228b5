// The stateful stand-in for IVS: finds the caller's account+region state, runs the operation's
// handler, and serializes its output exactly as the protocol layer would for any answer.
import type { Backend, IvsAnswer } from '../backend/backend.js'
import type { IvsCall, ObservedCall } from '../backend/ivs-call.js'
import type { Operations as RealtimeOperations } from '../model/ivs-realtime/types.js'
import type { Operations as ChatOperations } from '../model/ivschat/types.js'
import type { OperationName, Operations } from '../model/ivs/types.js'
import type { ServiceId, ServiceSpec } from '../model/service-spec.js'
import { isReadOperation as isRead } from '../model/is-read-operation.js'
import { ivs, ivschat, ivsRealtime } from '../model/services.js'
import { AwsError } from '../protocol/aws-error.js'
import { serializeError, serializeOutput } from '../protocol/serialize.js'
import { systemClock, type Clock } from './clock.js'
import { EventLog } from './events/event-log.js'
import type { SimContext } from './handler.js'
import { handlers } from './handlers.js'
import { serve, type ServedService } from './served-service.js'
import { IdGenerator } from './ids.js'
import { chatHandlers } from './ivschat/chat-handlers.js'
import { realtimeHandlers } from './realtime/realtime-handlers.js'
import { RegionState, type RegionStateSnapshot } from './region-state.js'
import { absorbAnswer } from './absorb.js'
import { completeResource } from './complete-resource.js'
import type { StoredResource } from './resource-table.js'

export interface SimulatorOptions {
  readonly seed?: number | null
  readonly clock?: Clock
  /** Where stream events go; the app passes one bounded by config.events.maxEvents (default: unbounded). */
  readonly events?: EventLog
}

const READ_CACHE_SIZE = 1_000

export class Simulator implements Backend {
  readonly ids: IdGenerator
  readonly clock: Clock
  readonly events: EventLog
  readonly #states = new Map<string, RegionState>()
  #version = 0
  /** Answers of read operations computed at #readsVersion (see answer()). */
  readonly #reads = new Map<string, IvsAnswer>()
  #readsVersion = -1
  /**
   * The services this simulator answers, each with its complete handler table (a service whose
   * table lacks an operation does not compile into this list). The server routes only these.
   */
  readonly #served: ReadonlyMap<ServiceId, ServedService>

  constructor(options: SimulatorOptions = {}) {
    this.ids = new IdGenerator(options.seed ?? null)
    this.clock = options.clock ?? systemClock
    // A simulator of its own (a test's) keeps every event; the app passes one bounded by the config.
    this.events = options.events ?? new EventLog(Number.MAX_SAFE_INTEGER)
    // A read changes nothing: it neither counts as a change nor empties the read cache.
    const context = (accountId: string, region: string, operation: string) =>
      isRead(operation) ? this.#context(accountId, region) : this.context(accountId, region)
    this.#served = new Map([
      ['ivs', serve<Operations, SimContext>(ivs, handlers, context)],
      ['ivs-realtime', serve<RealtimeOperations, SimContext>(ivsRealtime, realtimeHandlers, context)],
      ['ivschat', serve<ChatOperations, SimContext>(ivschat, chatHandlers, context)],
    ])
  }

  /** The models of the services answered here, in routing preference order (ivs first). */
  get services(): readonly ServiceSpec[] {
    return [...this.#served.values()].map((s) => s.spec)
  }

  /**
   * The state of one account in one region, created empty on first use (an empty state is not a
   * change: nothing in it is seen until something is written). Whoever changes it goes through
   * context() or observe(), which count the change.
   */
  state(accountId: string, region: string): RegionState {
    const key = `${accountId}/${region}`
    let state = this.#states.get(key)
    if (!state) {
      state = new RegionState(accountId, region, this.ids)
      this.#states.set(key, state)
    }
    return state
  }

  /**
   * The state of one account in one region if it exists, without creating it or counting a change:
   * for readers outside the API (the playback edge), whose requests name any account in their path.
   */
  find(accountId: string, region: string): RegionState | undefined {
    return this.#states.get(`${accountId}/${region}`)
  }

  /** Every account+region state created so far (the control API searches them for a stream key). */
  states(): IterableIterator<RegionState> {
    return this.#states.values()
  }

  /** Forgets everything, or one account's resources in every region; their events go too. */
  reset(accountId?: string): void {
    this.#version++
    this.events.clear(accountId)
    if (accountId === undefined) {
      this.#states.clear()
      return
    }
    for (const [key, state] of this.#states) if (state.accountId === accountId) this.#states.delete(key)
  }

  /**
   * The context a write runs in: any handler or control route that may change state goes through
   * here, and is counted, so that a state file knows when to save and the read cache empties.
   */
  context(accountId: string, region: string): SimContext {
    this.#version++
    return this.#context(accountId, region)
  }

  /** The context of a read, which changes nothing. */
  #context(accountId: string, region: string): SimContext {
    return { state: this.state(accountId, region), ids: this.ids, clock: this.clock, events: this.events }
  }

  /** Runs an ivs operation in a context and returns its output object; throws AwsError as IVS would answer. */
  invoke(operation: OperationName, input: unknown, ctx: SimContext): unknown {
    return (handlers[operation] as (input: unknown, ctx: SimContext) => unknown)(input, ctx)
  }

  async answer(call: IvsCall): Promise<IvsAnswer> {
    // A read repeated with nothing run in between (a test polling GetChannel or ListChannels) gets
    // the answer it got last time: reads are deterministic given the state, and every call that may
    // change state goes through context() (or observe, reset, restore), which moves #version and so
    // empties the cache.
    const readKey = isRead(call.operation)
      ? `${call.caller.accountId}\n${call.caller.region}\n${call.service}\n${call.operation}\n${JSON.stringify(call.input)}`
      : undefined
    if (readKey !== undefined && this.#readsVersion === this.#version) {
      const cached = this.#reads.get(readKey)
      if (cached) return cached
    }
    const answer = this.#compute(call)
    if (readKey !== undefined) {
      if (this.#readsVersion !== this.#version || this.#reads.size >= READ_CACHE_SIZE) this.#reads.clear()
      this.#readsVersion = this.#version
      this.#reads.set(readKey, answer)
    }
    return answer
  }

  #compute(call: IvsCall): IvsAnswer {
    const served = this.#served.get(call.service)
    // The server routes only to services() and each table is complete: either failing is a bug.
    if (!served?.spec.hasOperation(call.operation)) throw new Error(`the simulator does not serve ${call.service} ${call.operation}`)
    const { spec } = served
    try {
      const output = served.invoke(call.operation, call.input, call.caller.accountId, call.caller.region)
      return { ...serializeOutput(spec, spec.operationOf(call.operation), output), source: 'simulated' }
    } catch (err) {
      if (err instanceof AwsError) return { ...serializeError(err, spec), source: 'simulated' }
      throw err
    }
  }

  /**
   * Hybrid coherence: learn from an answer that came from the cassette or from real IVS, so later
   * simulated answers agree with it. Only successes teach anything.
   */
  observe(call: ObservedCall, answer: Pick<IvsAnswer, 'status' | 'body'>): void {
    if (answer.status < 200 || answer.status >= 300) return
    // What is learnt is ivs's resources; other services learn once they are served.
    if (call.service !== 'ivs' || !ivs.hasOperation(call.operation)) return
    const operation = call.operation
    this.#version++
    let output: unknown = {}
    if (answer.body.length > 0) {
      try {
        output = JSON.parse(answer.body.toString('utf8'))
      } catch {
        return
      }
    }
    absorbAnswer(
      {
        state: (accountId, region) => this.state(accountId, region),
        replayEffect: (operation, input, accountId, region) => {
          this.invoke(operation, input, this.context(accountId, region))
        },
        complete: (type, partial, state) => ({ ...completeResource(type, partial, state, this.ids), seq: 0 }) as unknown as StoredResource,
      },
      operation,
      call.input,
      ivs.operationOf(operation).output,
      output,
      call.caller,
    )
  }

  /** Grows with every write (never with a read: cheap to compare; a state file saves when it moves). */
  get version(): number {
    return this.#version
  }

  snapshot(): SimulatorSnapshot {
    return { format: 1, states: [...this.#states.values()].map((s) => s.snapshot()) }
  }

  /** Replaces every state with the snapshot's. */
  restore(snapshot: SimulatorSnapshot): void {
    if (snapshot.format !== 1) throw new Error(`unknown simulator state format ${String(snapshot.format)}`)
    this.#version++
    this.#states.clear()
    for (const s of snapshot.states) this.#states.set(`${s.accountId}/${s.region}`, RegionState.restore(s, this.ids))
  }
}

/** The JSON form of the whole simulator, kept by `--state FILE`. */
export interface SimulatorSnapshot {
  readonly format: number
  readonly states: RegionStateSnapshot[]
}
