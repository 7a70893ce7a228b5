// The backends a running server answers from, switchable while it runs (POST /_mock/cassette, the
// library's useCassette): a test file or a single test replays its own cassette, from the start of
// its sequences, in a simulator that knows only that cassette. Injected faults are asked before
// whichever backends are current, so they apply in every mode.
import type { CassetteSetting, CassetteTarget } from '../config/cassette-setting.js'
import type { Config } from '../config/config.js'
import type { FaultInjector } from '../faults/fault-injector.js'
import type { Logger } from '../log/logger.js'
import type { Simulator } from '../simulator/simulator.js'
import { backendsForMode, type ModeBackends } from './backends-for-mode.js'
import type { IvsAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'

export interface SwitchDeps {
  readonly simulator: Simulator
  readonly logger: Logger
  readonly faults: FaultInjector
}

interface Generation {
  readonly setting: CassetteSetting
  readonly backends: ModeBackends
  readonly inFlight: Set<Promise<unknown>>
}

export class CassetteSwitch {
  readonly #startup: Config
  readonly #deps: SwitchDeps
  #current: Generation
  /** Switches run one at a time, in the order asked. */
  #switching: Promise<unknown> = Promise.resolve()

  private constructor(startup: Config, deps: SwitchDeps, first: ModeBackends) {
    this.#startup = startup
    this.#deps = deps
    this.#current = { setting: { cassette: startup.cassette, mode: startup.mode }, backends: first, inFlight: new Set() }
  }

  static async open(config: Config, deps: SwitchDeps): Promise<CassetteSwitch> {
    return new CassetteSwitch(config, deps, await backendsForMode(config, deps))
  }

  get setting(): CassetteSetting {
    return this.#current.setting
  }

  async answer(call: IvsCall): Promise<IvsAnswer> {
    const injected = await this.#deps.faults.answer(call)
    if (injected) return injected
    const generation = this.#current
    const answering = generation.backends.dispatcher.answer(call)
    generation.inFlight.add(answering)
    try {
      return await answering
    } finally {
      generation.inFlight.delete(answering)
    }
  }

  /**
   * Answers from `setting` from now on (undefined: the start-up setting again). The simulator
   * forgets everything, so what it knows is what the new cassette has seen; the old cassette is
   * closed once the calls it is answering are done. Refuses (rejects) without changing anything
   * when the cassette cannot be opened.
   */
  use(setting?: CassetteTarget): Promise<CassetteSetting> {
    const next = this.#switching.then(async () => {
      const target: CassetteSetting = setting ?? { cassette: this.#startup.cassette, mode: this.#startup.mode }
      // --overwrite starts the start-up cassette over once, at start-up: never a cassette switched to
      // (record-missing), nor the start-up one when switched back to.
      const recording = { ...this.#startup.recording, overwrite: false }
      const backends = await backendsForMode({ ...this.#startup, ...target, recording }, this.#deps)
      const old = this.#current
      this.#current = { setting: target, backends, inFlight: new Set() }
      await Promise.allSettled([...old.inFlight])
      await old.backends.close().catch((err: unknown) => this.#deps.logger.warn('could not close the previous cassette', { error: String(err) }))
      // Only now: closing the old cassette teaches the simulator what it replayed last. Whatever the
      // new one did meanwhile starts over too, from a simulator that knows nothing else.
      this.#deps.simulator.reset()
      backends.rewind()
      this.#deps.logger.info('cassette switched', { file: target.cassette ?? 'none', mode: target.mode })
      return target
    })
    this.#switching = next.catch(() => undefined)
    return next
  }

  rewind(): void {
    this.#current.backends.rewind()
  }

  settle(): Promise<void> {
    return this.#current.backends.settle()
  }

  simulatorChanged(arns: Iterable<string>): void {
    this.#current.backends.simulatorChanged(arns)
  }

  async close(): Promise<void> {
    await this.#switching
    await Promise.allSettled([...this.#current.inFlight])
    await this.#current.backends.close()
  }
}
