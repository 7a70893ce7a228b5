// The contract between the simulator and its per-resource handlers: typed input in, typed output
// out, IVS's business rules in between. Errors are thrown as AwsError; the protocol layer
// serializes them. The types are generic over a service's generated `Operations` (and the context
// its handlers get), so ivschat and ivs-realtime tables are typed the same way as ivs's.
import type { Operations } from '../model/ivs/types.js'
import type { Clock } from './clock.js'
import type { EventLog } from './events/event-log.js'
import type { IdGenerator } from './ids.js'
import type { RegionState } from './region-state.js'

/** What the ivs handlers get: the caller's account+region state and the shared services. */
export interface SimContext {
  readonly state: RegionState
  readonly ids: IdGenerator
  readonly clock: Clock
  /** Where EventBridge events go (streams emit them). */
  readonly events: EventLog
}

/** A generated `Operations` interface: each operation's input and output types. */
type OperationTypes<Ops> = { readonly [K in keyof Ops]: { readonly input: unknown; readonly output: unknown } }

export type OperationHandler<K extends keyof Ops, Ops extends OperationTypes<Ops> = Operations, Ctx = SimContext> = (
  input: Ops[K]['input'],
  ctx: Ctx,
) => Ops[K]['output']

/**
 * Some of a service's operations: what one resource module contributes. Write it as
 * `{ … } satisfies HandlerTable`, not as a type annotation, so that the keys it does define stay
 * known to the compiler (see CompleteHandlerTable).
 */
export type HandlerTable<Ops extends OperationTypes<Ops> = Operations, Ctx = SimContext> = {
  readonly [K in keyof Ops]?: OperationHandler<K, Ops, Ctx>
}

/**
 * Every operation of a service: the table a service is served with. A missing operation is a
 * compile error, so adding an operation to a model demands its handler.
 */
export type CompleteHandlerTable<Ops extends OperationTypes<Ops> = Operations, Ctx = SimContext> = {
  readonly [K in keyof Ops]-?: OperationHandler<K, Ops, Ctx>
}
