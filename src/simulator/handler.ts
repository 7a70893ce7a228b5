// The contract between the simulator and its per-resource handlers: typed input in, typed output
// out, IVS's business rules in between. Errors are thrown as AwsError; the protocol layer
// serializes them.
import type { Operations, OperationName } from '../model/ivs/types.js'
import type { Clock } from './clock.js'
import type { EventLog } from './events/event-log.js'
import type { IdGenerator } from './ids.js'
import type { RegionState } from './region-state.js'

export interface SimContext {
  readonly state: RegionState
  readonly ids: IdGenerator
  readonly clock: Clock
  /** Where EventBridge events go (streams emit them). */
  readonly events: EventLog
}

export type OperationHandler<K extends OperationName> = (
  input: Operations[K]['input'],
  ctx: SimContext,
) => Operations[K]['output']

export type HandlerTable = { readonly [K in OperationName]?: OperationHandler<K> }
