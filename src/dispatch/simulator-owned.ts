// Which resources the simulator has taken over from the recording in hybrid mode. Once the
// simulator has changed a resource (a simulated write, or a control route's stream change), a
// recorded answer that names it describes a state that no longer holds, and a recorded list of its
// type in its account and region would show it stale, or miss it (a created one), or still show it
// (a deleted one): those recordings are passed by, and the simulator answers.
import type { RecordedResponse } from '../storage/storage.js'
import { isReadOperation } from '../model/is-read-operation.js'
import { arnsIn, listedTypeOf } from '../model/resource-types.js'
import { parseArn } from '../simulator/arn.js'
import type { IvsAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'


/** The operations that list live streams, whose state the stream control routes change. */
const STREAM_LISTS = new Set<string>(['ListStreams'])

export class SimulatorOwned {
  readonly #arns = new Set<string>()
  /** `<account>/<region>/<type>` of every ARN above: the lists that no longer hold. */
  readonly #lists = new Set<string>()

  get size(): number {
    return this.#arns.size
  }

  /** Takes over every ARN a successful simulated write names, in its request or its answer. */
  noteAnswer(call: IvsCall, answer: IvsAnswer): void {
    if (answer.source !== 'simulated' || answer.status < 200 || answer.status >= 300 || isReadOperation(call.operation)) return
    const arns = arnsIn(call.input)
    if (answer.body.length > 0) arnsIn(parse(answer.body), arns)
    this.note(arns)
  }

  note(arns: Iterable<string>): void {
    for (const arn of arns) {
      const parsed = parseArn(arn)
      if (!parsed) continue
      this.#arns.add(arn)
      this.#lists.add(`${parsed.accountId}/${parsed.region}/${parsed.resourceType}`)
    }
  }

  clear(): void {
    this.#arns.clear()
    this.#lists.clear()
  }

  /** Whether a recorded answer to `call` may no longer be served (see the file's comment). */
  refuses(call: IvsCall, response: RecordedResponse): boolean {
    if (this.#arns.size === 0) return false
    const { accountId, region } = call.caller
    const listed = STREAM_LISTS.has(call.operation) ? 'channel' : listedTypeOf(call.operation)
    if (listed && this.#lists.has(`${accountId}/${region}/${listed}`)) return true
    for (const arn of arnsIn(call.input)) if (this.#arns.has(arn)) return true
    if (response.body.length === 0) return false
    for (const arn of arnsIn(parse(response.body))) if (this.#arns.has(arn)) return true
    return false
  }
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}
