// Which backends answer, in which order, for each mode (Config.mode):
//   simulate        simulator
//   replay          cassette (a miss is an error)
//   hybrid          cassette → simulator (the simulator starts from the cassette's recorded state,
//                   and what it has changed is answered by it alone: see src/dispatch/simulator-owned.ts)
//   record          upstream (recorded)
//   record-missing  cassette → upstream (recorded)
// The cassette and the upstream are loaded only when a mode needs them, so `simulate` starts without
// opening SQLite or loading the proxy.
import type { Interaction } from '../storage/storage.js'
import type { ReplayIndex } from '../cassette/replay-index.js'
import type { Config } from '../config/config.js'
import type { Logger } from '../log/logger.js'
import { learnsFromInput } from '../simulator/absorb.js'
import type { Simulator } from '../simulator/simulator.js'
import { warnAboutOldRecordings } from '../cassette/recording-age.js'
import { Dispatcher } from '../dispatch/dispatcher.js'
import type { Backend } from '../backend/backend.js'

export interface ModeBackends {
  readonly dispatcher: Dispatcher
  /** Starts every identical request's replay sequence from its first recording again. */
  rewind(): void
  /** Brings the simulator up to date with everything replayed (before a control call touches it). */
  settle(): Promise<void>
  /** The simulator has changed these resources outside an API call (a control route). */
  simulatorChanged(arns: Iterable<string>): void
  close(): Promise<void>
}

const USED_FLUSH_MS = 2_000

export async function backendsForMode(config: Config, deps: { simulator: Simulator; logger: Logger }): Promise<ModeBackends> {
  const { simulator, logger } = deps
  if (config.mode === 'simulate' || !config.cassette) {
    return {
      dispatcher: new Dispatcher([simulator]), rewind: () => undefined, settle: async () => undefined,
      simulatorChanged: () => undefined, close: async () => undefined,
    }
  }
  const [{ SqliteCassetteStore }, { ReplayIndex }, { CassetteBackend }, { learnRecordedState }, { SimulatorOwned }, { newCassetteFile }, { prepareRecording }] =
    await Promise.all([
      import('../storage/sqlite/sqlite-cassette-store.js'),
      import('../cassette/replay-index.js'),
      import('../cassette/cassette-backend.js'),
      import('../dispatch/recorded-state.js'),
      import('../dispatch/simulator-owned.js'),
      import('../cassette/new-cassette-file.js'),
      import('../cassette/recording-start.js'),
    ])
  const records = config.mode === 'record' || config.mode === 'record-missing'
  const created = newCassetteFile(config.cassette)
  // Replay and hybrid only read: a cassette they may not write (a read-only CI volume) opens read-only.
  const store = await SqliteCassetteStore.open(config.cassette, { create: records, readOnlyIfUnwritable: !records })
  const closers: (() => Promise<void>)[] = []
  try {
    const observe = simulator.observe.bind(simulator)
    // Set before the server listens, so before anything can be recorded.
    let index: ReplayIndex | undefined
    let upstream: Backend | undefined
    if (records) {
      const { openRecordingProxy } = await import('../proxy/recording-proxy.js')
      const recorder = await openRecordingProxy({
        config, store, logger, observe, onRecorded: (interaction: Interaction) => index?.add(interaction, config.matching),
      })
      closers.push(() => recorder.close())
      upstream = recorder
      // Only once the recorder is sure to start: --overwrite never empties a cassette for nothing.
      await prepareRecording(store, config, logger)
    }
    const loaded = await ReplayIndex.load(store, config.matching)
    index = loaded
    logger.info('cassette open', { file: config.cassette, interactions: loaded.size, mode: config.mode, ...(store.readOnly && { readOnly: true }) })
    if (store.readOnly) logger.info('cassette is read-only: first use is not recorded (cassette prune keeps what was marked before)', { file: config.cassette })
    // After --overwrite has run: recordings it deleted are no reason to warn.
    await warnAboutOldRecordings(store, config, logger)
    const hybrid = config.mode === 'hybrid'
    const owned = new SimulatorOwned()
    const prepare = async () => {
      await learnRecordedState(store, simulator, logger)
        .catch((err: unknown) => logger.warn('could not learn the cassette\'s recorded state', { error: String(err) }))
    }
    const cassette = new CassetteBackend({
      store, index: loaded, rules: config.matching, strict: config.mode === 'replay', logger, observe, observeNeedsInput: learnsFromInput,
      prepare, ...(hybrid && { refuse: (call, response) => owned.refuses(call, response) }),
    })
    const backends: Backend[] = []
    if (config.mode !== 'record') backends.push(cassette)
    if (hybrid) {
      backends.push({
        answer: async (call) => {
          const answer = await simulator.answer(call)
          owned.noteAnswer(call, answer)
          return answer
        },
      })
    }
    if (upstream) backends.push(upstream)
    const flush = store.readOnly ? async () => undefined : () => loaded.flushUsed().catch((err: unknown) => logger.warn('could not mark replayed interactions as used', { error: String(err) }))
    const timer = setInterval(flush, USED_FLUSH_MS)
    timer.unref()
    return {
      dispatcher: new Dispatcher(backends),
      rewind: () => {
        cassette.rewind()
        owned.clear()
      },
      settle: () => cassette.settle(),
      simulatorChanged: (arns) => owned.note(arns),
      close: async () => {
        clearInterval(timer)
        await cassette.settle().catch((err: unknown) => logger.warn('could not bring the simulator up to date on close', { error: String(err) }))
        for (const close of closers) await close()
        await flush()
        await store.close()
      },
    }
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined)
    await store.close().catch(() => undefined)
    // A start-up that failed (no real credentials, say) leaves no cassette it created behind.
    await created.undo().catch(() => undefined)
    throw err
  }
}
