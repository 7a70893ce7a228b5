// `--state FILE`: the simulator's state kept in a state store (an SQLite file of its own, see
// storage/sqlite/sqlite-state-store.ts), loaded at start-up and saved shortly after every change and
// on close, so a long-lived local server loses nothing across restarts. Saves run in the background
// and never delay an answer; at most one is in flight, and changes made meanwhile are saved right after it.
import type { Logger } from '../log/logger.js'
import type { SimulatorStateStore } from '../storage/storage.js'
import type { Simulator, SimulatorSnapshot } from '../simulator/simulator.js'

const STATE_KEY = 'simulator'
const SAVE_DELAY_MS = 200

export class StateFile {
  readonly #store: SimulatorStateStore
  readonly #simulator: Simulator
  readonly #logger: Logger
  readonly #timer: NodeJS.Timeout
  #savedVersion: number
  #saving: Promise<void> | undefined

  private constructor(store: SimulatorStateStore, simulator: Simulator, logger: Logger) {
    this.#store = store
    this.#simulator = simulator
    this.#logger = logger
    this.#savedVersion = simulator.version
    this.#timer = setInterval(() => void this.save(), SAVE_DELAY_MS)
    this.#timer.unref()
  }

  static async open(file: string, simulator: Simulator, logger: Logger): Promise<StateFile> {
    // Loaded on demand: plain `simulate` never opens SQLite.
    const { SqliteStateStore } = await import('../storage/sqlite/sqlite-state-store.js')
    const store = await SqliteStateStore.open(file)
    try {
      const saved = (await store.loadState(STATE_KEY)) as SimulatorSnapshot | undefined
      if (saved) simulator.restore(saved)
      logger.info('state file open', { file, regions: saved?.states.length ?? 0 })
    } catch (err) {
      await store.close()
      throw err
    }
    return new StateFile(store, simulator, logger)
  }

  /** Saves if anything changed since the last save. */
  async save(): Promise<void> {
    if (this.#saving) return this.#saving
    const version = this.#simulator.version
    if (version === this.#savedVersion) return
    this.#saving = this.#store
      .saveState(STATE_KEY, this.#simulator.snapshot())
      .then(() => {
        this.#savedVersion = version
      })
      .catch((err: unknown) => this.#logger.warn('could not save the state file', { error: String(err) }))
      .finally(() => {
        this.#saving = undefined
      })
    return this.#saving
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.#saving
    await this.save()
    await this.#store.close()
  }
}
