// Control routes for injected faults (see src/faults/fault-injector.ts):
//   POST   /_mock/faults {operation, error?, count?, resourceArn?, delayMs?, message?, principal?}
//   GET    /_mock/faults   the faults still armed, oldest first
//   DELETE /_mock/faults   disarms them all
import { FaultInjector, FaultSpecError, type ArmedFault } from '../faults/fault-injector.js'
import { ControlError, type ControlApi } from './control-api.js'

function view(f: ArmedFault) {
  return { id: f.id, operation: f.operation, error: f.error, count: f.count, remaining: f.remaining, resourceArn: f.resourceArn, delayMs: f.delayMs }
}

export function addFaultRoutes(api: ControlApi, deps: { readonly faults: FaultInjector }): ControlApi {
  const { faults } = deps
  return api
    .on('POST', 'faults', (_req, body) => {
      try {
        return { fault: view(faults.arm(FaultInjector.check(body))) }
      } catch (err) {
        if (err instanceof FaultSpecError) throw new ControlError(400, err.message)
        throw err
      }
    })
    .on('GET', 'faults', () => ({ faults: faults.list().map(view) }))
    .on('DELETE', 'faults', () => ({ cleared: faults.clear() }))
}
