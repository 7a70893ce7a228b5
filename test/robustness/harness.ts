// What every robustness category shares: the server's configuration, a signing client over the
// keep-alive driver, the "is it still serving?" probe run after each batch, and a tally that turns
// thousands of outcomes into one assertion per category (with the first failures spelled out).
import type { Test } from 'tap'
import { signRequest, type SigningKeyInput } from './fast-signer.js'
import type { ChildServer } from './server-process.js'
import { HttpDriver, type WireResponse } from './wire.js'

export const ACCOUNT = '123456789012'
export const OTHER_ACCOUNT = '210987654321'
export const MAIN_KEY: SigningKeyInput = { accessKeyId: 'test', secretAccessKey: 'test', region: 'us-west-2' }
export const OTHER_KEY: SigningKeyInput = { accessKeyId: 'other', secretAccessKey: 'other-secret', region: 'us-west-2' }

/** The configuration of the server under test: two accounts (for cross-key mutations), a fixed seed. */
export const SERVER_CONFIG: Record<string, unknown> = {
  credentials: [
    { accessKeyId: 'test', secretAccessKey: 'test', accountId: ACCOUNT },
    { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: OTHER_ACCOUNT },
  ],
  // Serving several regions on one port is explicit (the default is `region` only): the load test
  // works in a region of its own, and a scope naming another served region is a plain mismatch.
  regions: ['us-west-2', 'us-east-1', 'eu-west-1'],
  seed: 6,
  logLevel: 'warn',
}

/** How much each category does: the sample in `npm test`, the full suite in `npm run test:robustness`. */
export interface Budget {
  readonly name: 'sample' | 'full'
  readonly seed: number
  /** Random model cases on top of the systematic ones. */
  readonly fuzzCases: number
  /** The full suite: model + malformed cases to reach; fuzzCases is set from it once the served services are known. */
  readonly targetCases?: number
  /** Systematic model cases: all of them, or one per operation and category. */
  readonly systematic: 'all' | 'stratified'
  /** Malformed-body cases: every route, or a few. */
  readonly everyRoute: boolean
  readonly batchSize: number
  readonly concurrency: number
  readonly loadSeconds: number
  readonly loadConnections: number
}

export class Client {
  readonly driver: HttpDriver

  constructor(
    readonly server: Pick<ChildServer, 'port'>,
    connections: number,
  ) {
    this.driver = new HttpDriver('127.0.0.1', server.port, connections)
  }

  /** Sends a request signed by the fast signer (JSON content type unless `headers` says otherwise). */
  signed(method: string, target: string, body: Buffer | string = '', key: SigningKeyInput = MAIN_KEY, headers: Record<string, string> = {}): Promise<WireResponse> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body
    const all = signRequest(
      { method, target, host: this.driver.hostHeader, headers: { 'content-type': 'application/json', ...headers }, body: bytes },
      key,
    )
    return this.driver.send({ method, target, headers: all, body: bytes })
  }

  /** The /_mock/ control API: unsigned JSON. */
  control(method: 'GET' | 'POST', path: string, body: unknown = undefined): Promise<WireResponse> {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body))
    return this.driver.send({ method, target: `/_mock/${path}`, headers: { 'content-type': 'application/json' }, body: bytes })
  }

  /** Forget every resource: keeps memory flat and quotas (3 key pairs, 1 stream key) fresh between batches. */
  async reset(): Promise<void> {
    const res = await this.control('POST', 'reset', {})
    if (res.status !== 200) throw new Error(`/_mock/reset answered ${res.status}: ${res.body.toString()}`)
  }

  /** Undefined when the server answers a plain signed ListChannels with 200 within 5 s. */
  async stillServing(): Promise<string | undefined> {
    try {
      const res = await this.signed('POST', '/ListChannels', '{"maxResults":1}')
      return res.status === 200 ? undefined : `health probe answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`
    } catch (err) {
      return `health probe failed: ${(err as Error).message}`
    }
  }

  close(): void {
    this.driver.close()
  }
}

interface CategoryTally {
  tried: number
  failed: number
  notImplemented: number
  readonly examples: string[]
}

/** Counts outcomes per category; `assert` turns each category into one tap assertion. */
export class Tally {
  readonly #byCategory = new Map<string, CategoryTally>()
  readonly #probeFailures: string[] = []
  /** Facts worth reading that fail nothing (modelled errors an operation does not list), counted. */
  readonly #notes = new Map<string, number>()
  batches = 0

  note(text: string | undefined): void {
    if (text !== undefined) this.#notes.set(text, (this.#notes.get(text) ?? 0) + 1)
  }

  #entry(category: string): CategoryTally {
    let e = this.#byCategory.get(category)
    if (!e) {
      e = { tried: 0, failed: 0, notImplemented: 0, examples: [] }
      this.#byCategory.set(category, e)
    }
    return e
  }

  record(category: string, problem: string | undefined, notImplemented = false): void {
    const e = this.#entry(category)
    e.tried++
    if (notImplemented) e.notImplemented++
    if (problem !== undefined) {
      e.failed++
      if (e.examples.length < 8) e.examples.push(problem)
    }
  }

  probe(problem: string | undefined): void {
    this.batches++
    if (problem !== undefined) this.#probeFailures.push(`after batch ${this.batches}: ${problem}`)
  }

  get total(): number {
    let n = 0
    for (const e of this.#byCategory.values()) n += e.tried
    return n
  }

  /** One assertion per category, a health assertion, and a table as a tap comment. */
  assert(t: Test, title: string): void {
    const rows = [...this.#byCategory.entries()].sort(([a], [b]) => a.localeCompare(b))
    for (const [category, e] of rows) {
      t.equal(e.failed, 0, `${title} / ${category}: ${e.tried} cases, ${e.failed} wrong`, { examples: e.examples })
    }
    t.same(this.#probeFailures, [], `the server kept serving after each of ${this.batches} batches`)
    const width = Math.max(...rows.map(([c]) => c.length), 8)
    t.comment(`${title}: ${this.total} cases`)
    for (const [category, e] of rows) {
      t.comment(`  ${category.padEnd(width)} ${String(e.tried).padStart(7)} tried  ${String(e.failed).padStart(4)} wrong` +
        (e.notImplemented ? `  ${e.notImplemented} × 501 (not simulated yet)` : ''))
    }
    if (this.#notes.size) t.comment(`${title}: modelled errors the model does not list for the operation (not failures):`)
    for (const [text, n] of [...this.#notes.entries()].sort()) t.comment(`  ${text} (${n}×)`)
  }

  summary(): Record<string, number> {
    return Object.fromEntries([...this.#byCategory.entries()].map(([c, e]) => [c, e.tried]))
  }
}

const checkedLines = new WeakMap<ChildServer, number>()

/**
 * Fails the test when the server process died or logged an internal error since the last check
 * (so one category's failure is not reported again by every later one).
 */
export function assertServerHealthy(t: Test, server: ChildServer): void {
  t.notOk(server.exited(), 'the server process is still running')
  const lines = server.stderrLines()
  const internal = lines.slice(checkedLines.get(server) ?? 0).filter((l) => / error /.test(l) || /internal error|Unhandled|uncaught/i.test(l))
  checkedLines.set(server, lines.length)
  t.same(internal.slice(0, 10), [], 'the server logged no internal error')
}
