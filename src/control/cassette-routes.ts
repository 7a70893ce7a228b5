// Per-test cassettes:
//   POST   /_mock/cassette {"name": NAME|PATH, "mode"?: "replay"|"hybrid"|"record-missing"}
//          answer from that cassette from now on, its sequences from the start (mode default hybrid)
//   POST   /_mock/cassette {}  or  DELETE /_mock/cassette   back to the start-up setting
//   GET    /_mock/cassette   the current setting
import { SWITCHABLE_MODES, type CassetteSetting, type CassetteTarget, type SwitchableMode } from '../config/cassette-setting.js'
import { resolveCassette } from '../config/check-config.js'
import { ConfigError } from '../config/config.js'
import { ControlError, type ControlApi } from './control-api.js'

/** What the routes need of the cassette switch (src/app/cassette-switch.ts), which the app wires in. */
export interface CassetteSwitching {
  readonly setting: CassetteSetting
  use(target?: CassetteTarget): Promise<CassetteSetting>
}

export interface CassetteRouteDeps {
  readonly cassettes: CassetteSwitching
  readonly cassettesDir: string
}

/** Checks a route body (or the library's arguments) and turns NAME|PATH into the cassette's file. */
export function cassetteTarget(body: Record<string, unknown>, cassettesDir: string): CassetteTarget | undefined {
  const unknown = Object.keys(body).filter((k) => k !== 'name' && k !== 'mode')
  if (unknown.length) throw new ControlError(400, `Unknown member(s): ${unknown.join(', ')}; allowed: name, mode`)
  const { name, mode = 'hybrid' } = body
  if (name === undefined) {
    if (body.mode !== undefined) throw new ControlError(400, 'name is required with mode ({} goes back to the start-up setting)')
    return undefined
  }
  if (typeof name !== 'string' || name === '') throw new ControlError(400, 'name must be a cassette name or a path to a .sqlite file')
  if (typeof mode !== 'string' || !SWITCHABLE_MODES.includes(mode as SwitchableMode)) {
    throw new ControlError(400, `mode must be one of ${SWITCHABLE_MODES.join(', ')}, got ${JSON.stringify(mode)}`)
  }
  try {
    return { cassette: resolveCassette(name, cassettesDir), mode: mode as SwitchableMode }
  } catch (err) {
    if (err instanceof ConfigError) throw new ControlError(400, err.message)
    throw err
  }
}

export function addCassetteRoutes(api: ControlApi, deps: CassetteRouteDeps): ControlApi {
  const { cassettes, cassettesDir } = deps
  const use = async (target: ReturnType<typeof cassetteTarget>) => {
    try {
      return await cassettes.use(target)
    } catch (err) {
      // The cassette could not be opened (missing, not a cassette, no upstream credentials): the
      // server goes on with the setting it had.
      const message = err instanceof Error ? err.message : String(err)
      throw new ControlError(/does not exist/.test(message) ? 404 : 400, `The cassette was not switched: ${message}`)
    }
  }
  return api
    .on('GET', 'cassette', () => cassettes.setting)
    .on('POST', 'cassette', (_req, body) => use(cassetteTarget(body, cassettesDir)))
    .on('DELETE', 'cassette', () => use(undefined))
}
