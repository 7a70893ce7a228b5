// Category 3: concurrency and load. Hundreds of keep-alive connections at once mix CreateChannel,
// ListChannels, TagResource and (where the simulator has them) simulated broadcasts with PutMetadata
// for a bounded time. Afterwards: no 5xx anywhere, no lost update (every created channel listed
// exactly once through paginated ListChannels, every accepted tag present), and the server's RSS
// back near where it started once its state is reset and a GC has run.
import type { Test } from 'tap'
import { basicProblem, readError } from './check.js'
import { Client, MAIN_KEY, type Budget } from './harness.js'
import { Prng } from './prng.js'
import type { ChildServer } from './server-process.js'
import type { WireResponse } from './wire.js'

/** A region nothing else in the suite uses, so the listing holds exactly what the load created. */
const LOAD_KEY = { ...MAIN_KEY, region: 'eu-west-1' }
const MiB = 1024 * 1024

export interface LoadReport {
  readonly seconds: number
  readonly connections: number
  readonly maxOpenSockets: number
  readonly requests: number
  readonly byOperation: Record<string, number>
  readonly statuses: Record<string, number>
  readonly channelsCreated: number
  readonly tagsAccepted: number
  readonly streamsStarted: number
  readonly metadataSent: number
  readonly latencyMs: { p50: number; p99: number; max: number }
  readonly rssMiB: { before: number; peak: number; afterLoad: number; afterResetAndGc: number }
  readonly heapMiB: { before: number; afterLoad: number; afterResetAndGc: number }
}

interface Accepted {
  readonly arn: string
  readonly key: string
  readonly value: string
}

function json<T>(res: WireResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T
}

/** Can the simulator broadcast? (POST /_mock/streams/start, and PutMetadata not a 501.) */
async function streamsAvailable(client: Client): Promise<boolean> {
  const created = await client.signed('POST', '/CreateChannel', '{"name":"load-probe"}', LOAD_KEY)
  if (created.status !== 200) return false
  const arn = json<{ channel: { arn: string } }>(created).channel.arn
  const started = await client.control('POST', 'streams/start', { channelArn: arn })
  if (started.status !== 200) return false
  const put = await client.signed('POST', '/PutMetadata', JSON.stringify({ channelArn: arn, metadata: 'probe' }), LOAD_KEY)
  return put.status === 204
}

async function listAll(client: Client): Promise<{ arn: string; tags: Record<string, string> }[]> {
  const out: { arn: string; tags: Record<string, string> }[] = []
  let nextToken: string | undefined
  do {
    const res = await client.signed('POST', '/ListChannels', JSON.stringify({ maxResults: 100, ...(nextToken && { nextToken }) }), LOAD_KEY)
    if (res.status !== 200) throw new Error(`ListChannels answered ${res.status}: ${res.body.toString().slice(0, 200)}`)
    const page = json<{ channels: { arn: string; tags: Record<string, string> }[]; nextToken?: string }>(res)
    out.push(...page.channels)
    nextToken = page.nextToken
  } while (nextToken)
  return out
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0
}

export async function loadSuite(t: Test, server: ChildServer, budget: Budget): Promise<LoadReport> {
  const client = new Client(server, budget.loadConnections + 8)
  try {
    await client.reset()
    const withStreams = await streamsAvailable(client)
    if (!withStreams) t.comment('load: /_mock/streams/start or PutMetadata not available yet — broadcasts left out of the mix')

    // Warm up (JIT, pools, signing-key caches), forget it, then read the settled baseline.
    for (let i = 0; i < 300; i++) await client.signed('POST', i % 2 ? '/ListChannels' : '/CreateChannel', '{}', LOAD_KEY)
    await client.reset()
    const start = await server.gcThenMemory()
    const before = start.rss

    const created: string[] = []
    const live = new Set<string>()
    const accepted: Accepted[] = []
    const problems: string[] = []
    const statuses: Record<string, number> = {}
    const byOperation: Record<string, number> = {}
    const latencies: number[] = []
    let streamsStarted = 0
    let metadataSent = 0
    let peak = before
    const sampler = setInterval(() => {
      void server.memory().then((m) => {
        if (m.rss > peak) peak = m.rss
      }, () => undefined)
    }, 200)

    const deadline = performance.now() + budget.loadSeconds * 1000
    const worker = async (w: number) => {
      const prng = new Prng(budget.seed * 1000 + w)
      for (let n = 0; performance.now() < deadline; n++) {
        const roll = prng.next()
        let op: string
        let send: () => Promise<WireResponse>
        let after: (res: WireResponse) => void = () => undefined
        if (roll < 0.3 || created.length === 0) {
          op = 'CreateChannel'
          send = () => client.signed('POST', '/CreateChannel', JSON.stringify({ name: `load-${w}-${n}`, tags: { worker: String(w) } }), LOAD_KEY)
          after = (res) => {
            if (res.status === 200) created.push(json<{ channel: { arn: string } }>(res).channel.arn)
          }
        } else if (roll < 0.55) {
          op = 'ListChannels'
          send = () => client.signed('POST', '/ListChannels', JSON.stringify({ maxResults: 1 + prng.int(100) }), LOAD_KEY)
        } else if (roll < 0.85 || !withStreams) {
          op = 'TagResource'
          const arn = prng.pick(created)
          const tag = { key: `w${w}n${n}`, value: `v${n}` }
          send = () => client.signed('POST', `/tags/${encodeURIComponent(arn)}`, JSON.stringify({ tags: { [tag.key]: tag.value } }), LOAD_KEY)
          after = (res) => {
            if (res.status === 200) accepted.push({ arn, ...tag })
          }
        } else {
          const arn = prng.pick(created)
          if (!live.has(arn)) {
            live.add(arn)
            op = 'streams/start'
            send = () => client.control('POST', 'streams/start', { channelArn: arn })
            after = (res) => {
              if (res.status === 200) streamsStarted++
            }
          } else {
            op = 'PutMetadata'
            send = () => client.signed('POST', '/PutMetadata', JSON.stringify({ channelArn: arn, metadata: `m${w}-${n}` }), LOAD_KEY)
            after = (res) => {
              if (res.status === 204) metadataSent++
            }
          }
        }
        const started = performance.now()
        let res: WireResponse
        try {
          res = await send()
        } catch (err) {
          problems.push(`${op}: no answer (${(err as Error).message})`)
          continue
        }
        latencies.push(performance.now() - started)
        byOperation[op] = (byOperation[op] ?? 0) + 1
        const err = res.status >= 400 ? readError(res) : undefined
        const key = `${res.status}${err && typeof err !== 'string' ? ` ${err.type}` : ''}`
        statuses[key] = (statuses[key] ?? 0) + 1
        const problem = op.startsWith('streams/') ? (res.status >= 500 ? `control ${res.status}` : undefined) : basicProblem(res)
        if (problem && problems.length < 20) problems.push(`${op}: ${problem}`)
        after(res)
      }
    }
    await Promise.all(Array.from({ length: budget.loadConnections }, (_, w) => worker(w)))
    clearInterval(sampler)
    const loaded = await server.memory()
    const afterLoad = loaded.rss

    t.same(problems, [], `no 5xx, no malformed answer, no hang in ${latencies.length} requests`)
    t.ok(client.driver.maxOpenSockets >= Math.min(200, budget.loadConnections),
      `${client.driver.maxOpenSockets} connections were open at once (wanted ≥ ${Math.min(200, budget.loadConnections)})`)

    // No lost update: every channel created is listed exactly once, nothing else is, every accepted tag is there.
    const listed = await listAll(client)
    const counts = new Map<string, number>()
    for (const c of listed) counts.set(c.arn, (counts.get(c.arn) ?? 0) + 1)
    const expectedArns = new Set(created)
    const missing = created.filter((arn) => !counts.has(arn))
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([arn]) => arn)
    const unexpected = [...counts.keys()].filter((arn) => !expectedArns.has(arn))
    t.same(missing.slice(0, 5), [], `every one of ${created.length} created channels is listed (${missing.length} missing)`)
    t.same(duplicated.slice(0, 5), [], 'no channel is listed twice across pages')
    t.same(unexpected.slice(0, 5), [], 'nothing but the created channels is listed')
    const tagsByArn = new Map(listed.map((c) => [c.arn, c.tags]))
    const lostTags = accepted.filter((a) => tagsByArn.get(a.arn)?.[a.key] !== a.value)
    t.same(lostTags.slice(0, 5), [], `every one of ${accepted.length} accepted TagResource calls is visible afterwards`)

    // Memory: forget the state, collect, and compare with the baseline.
    await client.reset()
    const end = await server.gcThenMemory()
    const settled = end.rss
    // RSS: generous (V8 keeps freed pages for a while). The heap: tight, it is where a leak would show.
    const bound = before + Math.max(96 * MiB, before)
    t.ok(settled <= bound, `RSS after reset + GC ${(settled / MiB).toFixed(1)} MiB ≤ ${(bound / MiB).toFixed(1)} MiB (before ${(before / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB)`)
    const heapBound = start.heapUsed + 16 * MiB
    t.ok(end.heapUsed <= heapBound, `heap after reset + GC ${(end.heapUsed / MiB).toFixed(1)} MiB ≤ ${(heapBound / MiB).toFixed(1)} MiB (before ${(start.heapUsed / MiB).toFixed(1)} MiB, after load ${(loaded.heapUsed / MiB).toFixed(1)} MiB)`)
    t.same(await client.stillServing(), undefined, 'the server serves normally after the load')

    const sorted = latencies.sort((a, b) => a - b)
    const report: LoadReport = {
      seconds: budget.loadSeconds,
      connections: budget.loadConnections,
      maxOpenSockets: client.driver.maxOpenSockets,
      requests: latencies.length,
      byOperation,
      statuses,
      channelsCreated: created.length,
      tagsAccepted: accepted.length,
      streamsStarted,
      metadataSent,
      latencyMs: { p50: +percentile(sorted, 0.5).toFixed(1), p99: +percentile(sorted, 0.99).toFixed(1), max: +(sorted.at(-1) ?? 0).toFixed(1) },
      rssMiB: { before: +(before / MiB).toFixed(1), peak: +(peak / MiB).toFixed(1), afterLoad: +(afterLoad / MiB).toFixed(1), afterResetAndGc: +(settled / MiB).toFixed(1) },
      heapMiB: { before: +(start.heapUsed / MiB).toFixed(1), afterLoad: +(loaded.heapUsed / MiB).toFixed(1), afterResetAndGc: +(end.heapUsed / MiB).toFixed(1) },
    }
    t.comment(`load: ${JSON.stringify(report)}`)
    return report
  } finally {
    client.close()
  }
}
