// Re-sending a recording as a scenario: the resources it creates get new ARNs and ids, and the
// requests after that name the recorded ones. So each pair of answers teaches which recorded value
// stands for which live one, and later requests are sent with the live values.
//
// Learnt only where the pairing is certain: the same member path outside any list (`channel.arn`,
// `streamKey.value`), an ARN or a member named like an id (`…arn`, `…Id`, `id`, `value`), and the
// two values different. Values inside lists are left alone: their order need not match.
import type { JsonValue } from '../protocol/deserialize.js'

const ID_MEMBER = /(?:^|[a-z])(?:arn|Arn|id|Id|value)$/

export class RecordedValues {
  readonly #live = new Map<string, string>()

  get size(): number {
    return this.#live.size
  }

  /** Learns from a recorded answer and the live answer to the same request. */
  learn(recorded: JsonValue | undefined, live: JsonValue | undefined): void {
    if (recorded === undefined || live === undefined) return
    this.#walk(recorded, live, '')
  }

  #walk(recorded: JsonValue, live: JsonValue, key: string): void {
    if (typeof recorded === 'string' && typeof live === 'string') {
      if (recorded !== live && recorded !== '' && live !== '' && (recorded.startsWith('arn:') || ID_MEMBER.test(key))) {
        this.#live.set(recorded, live)
      }
      return
    }
    if (Array.isArray(recorded) || Array.isArray(live)) return
    if (recorded === null || live === null || typeof recorded !== 'object' || typeof live !== 'object') return
    for (const [k, v] of Object.entries(recorded)) {
      if (Object.hasOwn(live, k)) this.#walk(v, live[k], k)
    }
  }

  /** A string with every learnt recorded value that is the whole of it replaced. */
  value(text: string): string {
    return this.#live.get(text) ?? text
  }

  /** A JSON value with its learnt strings replaced (keys stay). */
  json(value: JsonValue): JsonValue {
    if (typeof value === 'string') return this.value(value)
    if (Array.isArray(value)) return value.map((v) => this.json(v))
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, JsonValue> = {}
    for (const [k, v] of Object.entries(value)) out[k] = this.json(v)
    return out
  }

  /** A percent-encoded path with learnt values replaced segment by segment (`/tags/arn%3Aaws%3A…`). */
  path(path: string): string {
    return path.split('/').map((segment) => {
      let decoded: string
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        return segment
      }
      const live = this.#live.get(decoded)
      return live === undefined ? segment : encodeURIComponent(live)
    }).join('/')
  }
}
