// Every service model ivs-replay knows, compiled once. Knowing a model is not serving it: the
// simulator decides which services it answers (src/simulator/served-services.ts).
import { applyCorrections } from './corrections.js'
import { model as ivsRealtimeModel } from './ivs-realtime/model.js'
import type {
  ErrorName as IvsRealtimeErrorName, OperationName as IvsRealtimeOperationName, Operations as IvsRealtimeOperations,
} from './ivs-realtime/types.js'
import { model as ivsModel } from './ivs/model.js'
import type { ErrorName as IvsErrorName, OperationName as IvsOperationName, Operations as IvsOperations } from './ivs/types.js'
import { model as ivschatModel } from './ivschat/model.js'
import type {
  ErrorName as IvschatErrorName, OperationName as IvschatOperationName, Operations as IvschatOperations,
} from './ivschat/types.js'
import { ServiceSpec, type ServiceId } from './service-spec.js'

export type IvsSpec = ServiceSpec<IvsOperationName, IvsErrorName>
export type IvschatSpec = ServiceSpec<IvschatOperationName, IvschatErrorName>
export type IvsRealtimeSpec = ServiceSpec<IvsRealtimeOperationName, IvsRealtimeErrorName>

export const ivs: IvsSpec = new ServiceSpec('ivs', applyCorrections('ivs', ivsModel))
export const ivschat: IvschatSpec = new ServiceSpec('ivschat', applyCorrections('ivschat', ivschatModel))
export const ivsRealtime: IvsRealtimeSpec = new ServiceSpec('ivs-realtime', applyCorrections('ivs-realtime', ivsRealtimeModel))

/** Each service's operations, by id: `OperationOf<'ivschat'>` is every chat operation name. */
export interface ServiceOperations {
  readonly ivs: IvsOperations
  readonly ivschat: IvschatOperations
  readonly 'ivs-realtime': IvsRealtimeOperations
}
export type OperationOf<S extends ServiceId> = keyof ServiceOperations[S] & string
/** An operation of any service (ListTagsForResource is in all three). */
export type AnyOperationName = OperationOf<ServiceId>

export const specs: Readonly<Record<ServiceId, ServiceSpec>> = { ivs, ivschat, 'ivs-realtime': ivsRealtime }
