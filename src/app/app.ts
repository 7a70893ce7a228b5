// Assembles a running ivs-replay from a configuration: the simulator, the dispatcher, the control
// API and the HTTP server. The CLI and the library both start here.
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { CassetteSetting, SwitchableMode } from '../config/cassette-setting.js'
import type { Config } from '../config/config.js'
import { packageRoot } from '../config/package-root.js'
import { addBaseRoutes } from '../control/base-routes.js'
import { addCassetteRoutes, cassetteTarget } from '../control/cassette-routes.js'
import { addChatRoutes } from '../control/chat-routes.js'
import { ControlApi } from '../control/control-api.js'
import { addEventRoutes } from '../control/event-routes.js'
import { addFaultRoutes } from '../control/fault-routes.js'
import { addStageRoutes } from '../control/stage-routes.js'
import { addStreamRoutes } from '../control/stream-routes.js'
import { FaultInjector } from '../faults/fault-injector.js'
import { gracefulServer } from '../http/graceful-close.js'
import { isLoopback } from '../http/host-guard.js'
import { arnsIn } from '../model/resource-types.js'
import { Logger } from '../log/logger.js'
import { localPlaybackUrl, type HasPlaybackUrl } from '../playback/local-playback-url.js'
import { PlaybackEdge } from '../playback/playback-edge.js'
import { EventLog } from '../simulator/events/event-log.js'
import { WebhookDelivery } from '../simulator/events/webhook-delivery.js'
import { Simulator } from '../simulator/simulator.js'
import { CassetteSwitch } from './cassette-switch.js'
import { createIvsServer } from './server.js'
import { StateFile } from './state-file.js'

export interface RunningServer {
  /** e.g. `http://127.0.0.1:4599`: the SDK's `endpoint`, `AWS_ENDPOINT_URL_IVS`, `aws --endpoint-url`. */
  readonly endpoint: string
  readonly port: number
  readonly region: string
  /** The first configured credentials: sign with these. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly accountId: string
  readonly config: Config
  readonly simulator: Simulator
  /** A channel's playbackUrl (or the channel) as the same path on this server, where players can fetch it. */
  playbackUrl(channel: HasPlaybackUrl): string
  /**
   * Answers from another cassette from now on, its sequences from the start, with a simulator that
   * forgets everything else (as POST /_mock/cassette); `null` goes back to the start-up setting.
   */
  useCassette(name: string | null, options?: { readonly mode?: SwitchableMode }): Promise<CassetteSetting>
  close(): Promise<void>
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  return pkg.version
}

export async function startApp(config: Config, logStream?: Writable): Promise<RunningServer> {
  const logger = new Logger(config.logLevel, logStream)
  const events = new EventLog(config.events.maxEvents)
  const webhook = config.events.webhookUrl ? new WebhookDelivery(config.events.webhookUrl, { logger }) : undefined
  if (webhook) events.subscribe((event) => webhook.enqueue(event))
  const simulator = new Simulator({ seed: config.seed, events })
  const stateFile = config.state ? await StateFile.open(config.state, simulator, logger) : undefined
  const faults = new FaultInjector()
  const backends = await CassetteSwitch.open(config, { simulator, logger, faults }).catch(async (err: unknown) => {
    await stateFile?.close()
    throw err
  })
  const control = new ControlApi({
    before: () => backends.settle(),
    // A simulated stream change makes the recorded answers about its channel stale (hybrid).
    after: (req, answer) => {
      if (req.path.startsWith('/_mock/streams/')) backends.simulatorChanged(arnsIn(answer))
    },
  })
  addBaseRoutes(control, { simulator, version: packageVersion(), mode: () => backends.setting.mode, onReset: () => backends.rewind() })
  addStreamRoutes(control, { simulator })
  addStageRoutes(control, { simulator })
  addChatRoutes(control, { simulator })
  addEventRoutes(control, { events })
  addFaultRoutes(control, { faults })
  addCassetteRoutes(control, { cassettes: backends, cassettesDir: config.cassettesDir })
  const playback = new PlaybackEdge({ simulator, settle: () => backends.settle(), logger })
  const server = createIvsServer({ config, logger, dispatcher: backends, control, playback, services: simulator.services })
  const graceful = gracefulServer(server)

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    webhook?.close()
    await backends.close()
    await stateFile?.close()
    throw err
  }
  const { port } = server.address() as AddressInfo
  if (!isLoopback(config.host)) {
    logger.warn(`listening on ${config.host}, not a loopback address: anyone who can reach port ${port} can drive this server` +
      (config.mode === 'record' || config.mode === 'record-missing' ? ', and it forwards with your real AWS credentials' : ''), { mode: config.mode })
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const first = config.credentials[0]
  const endpoint = `http://${host}:${port}`
  return {
    endpoint,
    port,
    region: config.region,
    credentials: { accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey },
    accountId: first.accountId,
    config,
    simulator,
    playbackUrl: (channel) => localPlaybackUrl(endpoint, channel),
    useCassette: (name, options = {}) =>
      backends.use(name === null ? undefined : cassetteTarget({ name, ...options }, config.cassettesDir)),
    close: async () => {
      webhook?.close()
      // Requests under way finish first; then the cassette is flushed and closed.
      await graceful.close()
      await backends.close()
      await stateFile?.close()
    },
  }
}
