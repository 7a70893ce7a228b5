// Requests as the suite sends them, and the loop that sends them: batches with bounded concurrency,
// each answer judged, then a health probe and a state reset before the next batch.
import { MAIN_KEY, type Budget, type Client, type Tally } from './harness.js'
import { isNotImplemented, type Answer } from './check.js'
import { pool } from './wire.js'

export interface WireCase {
  readonly category: string
  readonly label: string
  readonly method: string
  readonly target: string
  readonly body: Buffer
  /** Extra headers, signed along with the rest. */
  readonly headers?: Readonly<Record<string, string>>
  /** The SigV4 scope's service (the model's signing name); `ivs` when absent. */
  readonly signingName?: string
  readonly judge: (a: Answer) => string | undefined
}

function* take<T>(source: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const next = source.next()
    if (next.done) return
    yield next.value
  }
}

/** Sends every case of `source` (a generator, so 100k cases never sit in memory at once). */
export async function runCases(client: Client, source: Iterable<WireCase>, tally: Tally, budget: Budget): Promise<void> {
  const it = source[Symbol.iterator]()
  for (;;) {
    const batch = [...take(it, budget.batchSize)]
    if (batch.length === 0) break
    await pool(batch, budget.concurrency, async (c) => {
      let answer: Answer
      try {
        answer = await client.signed(c.method, c.target, c.body, c.signingName ? { ...MAIN_KEY, service: c.signingName } : MAIN_KEY, c.headers ?? {})
      } catch (err) {
        tally.record(c.category, `${c.label}: no answer (${(err as Error).message})`)
        return
      }
      const problem = c.judge(answer)
      tally.record(c.category, problem === undefined ? undefined : `${c.label}: ${problem}`, isNotImplemented(answer))
    })
    tally.probe(await client.stillServing())
    await client.reset()
  }
}
