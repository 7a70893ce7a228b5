// Asks the backends in order (cassette, upstream, simulator — as the mode configures) and returns the
// first answer. The last backend must always answer.
import type { Backend, IvsAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'

export class Dispatcher {
  readonly #backends: readonly Backend[]

  constructor(backends: readonly Backend[]) {
    if (backends.length === 0) throw new Error('a dispatcher needs at least one backend')
    this.#backends = backends
  }

  async answer(call: IvsCall): Promise<IvsAnswer> {
    for (const backend of this.#backends) {
      const answer = await backend.answer(call)
      if (answer) return answer
    }
    throw new Error(`no backend answered ${call.operation}`)
  }
}
