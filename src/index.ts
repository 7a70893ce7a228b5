// The library: start an ivs-replay inside a test process.
//
//   import { start } from 'ivs-replay'
//   const ivs = await start()                       // port 0: a free port
//   const client = new IvsClient({ endpoint: ivs.endpoint, region: ivs.region, credentials: ivs.credentials })
//   ...
//   await ivs.close()
import type { Writable } from 'node:stream'
import { startApp, type RunningServer } from './app/app.js'
import { loadConfig } from './config/load-config.js'

export type { RunningServer } from './app/app.js'
export type { CassetteSetting, SwitchableMode } from './config/cassette-setting.js'
export type { Config } from './config/config.js'
export type { HasPlaybackUrl } from './playback/local-playback-url.js'
export { ConfigError } from './config/config.js'

export interface StartOptions {
  /** Default 0 (a free port). */
  readonly port?: number
  readonly host?: string
  /** A JSON config file layered over config/default.json. */
  readonly configFile?: string
  /** Any configuration settings, applied last. */
  readonly config?: Record<string, unknown>
  /** Read IVS_REPLAY_* variables too (default false: a test's server does not depend on the shell). */
  readonly useEnvironment?: boolean
  /** Where log lines go (default stderr); the default level for the library is `warn`. */
  readonly logStream?: Writable
}

export async function start(options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig({
    file: options.configFile,
    env: options.useEnvironment ? process.env : {},
    base: { logLevel: 'warn', port: 0 },
    overrides: {
      ...options.config,
      ...(options.port !== undefined && { port: options.port }),
      ...(options.host !== undefined && { host: options.host }),
    },
  })
  return startApp(config, options.logStream)
}
