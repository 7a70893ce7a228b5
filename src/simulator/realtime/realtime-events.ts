// Emits IVS Real-Time's EventBridge events into the simulator's event log (the /_mock/events log
// and the webhook), in the envelope every IVS event has.
import type { RealtimeDetailByType } from '../events/realtime-event-details.js'
import { ivsEvent, type IvsDetailType, type IvsEvent } from '../events/ivs-event.js'
import type { SimContext } from '../handler.js'

export function emitRealtimeEvent<T extends keyof RealtimeDetailByType & IvsDetailType>(
  ctx: SimContext,
  detailType: T,
  resourceArn: string,
  detail: IvsEvent<T>['detail'],
): void {
  const origin = { ids: ctx.ids, accountId: ctx.state.accountId, region: ctx.state.region }
  ctx.events.append(ivsEvent(origin, ctx.clock.now(), detailType, resourceArn, detail))
}
