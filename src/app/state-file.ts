// `--state FILE`: the simulator's state kept in a SQLite file, loaded at start-up and saved shortly
// after every write and on close, so a long-lived local server loses nothing across restarts. Saves
// run in the background and never delay an answer; at most one is in flight, and changes made
// meanwhile are saved right after it. The file is opened with the cassette storage for now (a
// cassette file with no interactions, the state in its simulator_state table): the store is
// where SQLite lives in this code.
import type { CassetteStore } from '../cassette/cassette-store.js'
import type { Logger } from '../log/logger.js'
import type { Simulator, SimulatorSnapshot } from '../simulator/simulator.js'

const STATE_KEY = 'simulator'
const SAVE_DELAY_MS = 200

export class StateFile {
  readonly #store: CassetteStore
  readonly #simulator: Simulator
  readonly #logger: Logger
  readonly #timer: NodeJS.Timeout
  #savedVersion: number
  #saving: Promise<void> | undefined

  private constructor(store: CassetteStore, simulator: Simulator, logger: Logger) {
    this.#store = store
    this.#simulator = simulator
    this.#logger = logger
    this.#savedVersion = simulator.version
    this.#timer = setInterval(() => void this.save(), SAVE_DELAY_MS)
    this.#timer.unref()
  }

  static async open(file: string, simulator: Simulator, logger: Logger): Promise<StateFile> {
    const { CassetteStore } = await import('../cassette/cassette-store.js')
    const store = await CassetteStore.open(file)
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
