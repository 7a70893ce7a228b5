// GET /_mock/events[?since=<id>]: the EventBridge events the simulator emitted, oldest first; with
// `since`, only those after the event with that id (a poller passes the last id it saw).
import type { EventLog } from '../simulator/events/event-log.js'
import { acceptOnlyQuery, ControlError, type ControlApi } from './control-api.js'

export interface EventRouteDeps {
  readonly events: EventLog
}

export function addEventRoutes(api: ControlApi, deps: EventRouteDeps): ControlApi {
  return api.on('GET', 'events', (req) => {
    acceptOnlyQuery(req.query, 'since', 'since=<event id>')
    const since = req.query.since?.at(-1)
    if (since === undefined) return { events: deps.events.all() }
    const events = deps.events.since(since)
    if (!events) {
      throw new ControlError(400, `since: no event with id ${JSON.stringify(since)} is in the log (never emitted, dropped past events.maxEvents, or cleared by /_mock/reset)`)
    }
    return { events }
  })
}
