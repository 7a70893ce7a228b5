// The control routes every mode has: health and reset.
import type { Simulator } from '../simulator/simulator.js'
import { ControlError, type ControlApi } from './control-api.js'

export interface BaseRouteDeps {
  readonly simulator: Simulator
  readonly version: string
  /** The mode answering now (it changes with POST /_mock/cassette). */
  readonly mode: () => string
  /** Also run on a full reset (the cassette's replay sequences start over). */
  readonly onReset?: () => void
}

export function addBaseRoutes(api: ControlApi, deps: BaseRouteDeps): ControlApi {
  return api
    .on('GET', 'health', () => ({ status: 'ok', version: deps.version, mode: deps.mode() }))
    .on('POST', 'reset', (_req, body) => {
      const accountId = body.accountId
      if (accountId !== undefined && (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId))) {
        throw new ControlError(400, 'accountId must be a 12-digit account id')
      }
      deps.simulator.reset(accountId)
      if (accountId === undefined) deps.onReset?.()
      return { reset: accountId ?? 'all' }
    })
}
