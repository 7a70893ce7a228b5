// The load generator, run as its own process (pinned to its own core by the orchestrator):
//
//   node --import tsx test/bench/load-generator.ts < spec.json  → one JSON LoadResult on stdout
//
// `concurrency` keep-alive connections each keep one request in flight (as `concurrency` SDK calls
// in parallel would) for a warm-up, then for a measured window of fixed length. Only answers that
// complete inside the window count. The server's CPU time is read from /proc at the window's edges,
// its memory after the load. Bounded: it stops at the window's end, or after `maxRequests`, and
// gives up on an answer that takes longer than `answerTimeoutMs`.
import { pathToFileURL } from 'node:url'
import { HttpConnection, type HttpResponse } from './http-connection.js'
import { RequestBuilder, type SdkProfile } from './ivs-requests.js'
import type { ClientCredentials } from './client-signer.js'
import { cpuMicros, memoryOf } from './proc-stats.js'
import { histogram, percentile, Samples } from './stats.js'
import { driverFactory, signsPerRequest, type WorkloadName, type WorkloadSetup } from './workloads.js'

export interface LoadSpec {
  readonly endpoint: string
  readonly workload: WorkloadName
  readonly concurrency: number
  readonly warmupMs: number
  readonly durationMs: number
  /** Stop early after this many measured answers (a safety bound). */
  readonly maxRequests: number
  readonly answerTimeoutMs: number
  readonly serverPid?: number
  readonly profile: SdkProfile
  readonly credentials: ClientCredentials
  readonly setup: WorkloadSetup
  readonly namePrefix: string
}

export interface LoadResult {
  readonly workload: WorkloadName
  readonly concurrency: number
  /** Answers completed in the measured window. */
  readonly requests: number
  readonly seconds: number
  readonly rps: number
  /** W4: complete sessions per second. */
  readonly sessionsPerSecond?: number
  readonly latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number }
  readonly histogram: { le: number; count: number }[]
  /** `200`, `404 ResourceNotFoundException`, … → count (measured window). */
  readonly statuses: Record<string, number>
  /** ivs-replay's `x-ivs-replay-source` (simulated, recorded, proxied) → count; `-` when absent. */
  readonly sources: Record<string, number>
  readonly non2xx: number
  /** Transport failures (refused, reset, timed out). */
  readonly transportErrors: number
  readonly errorSamples: string[]
  readonly serverCpuMicrosPerRequest?: number
  /** Server CPU time / wall time over the window (1 = one core busy). */
  readonly serverCpuCores?: number
  readonly serverRssBytes?: number
  readonly serverPeakRssBytes?: number
  readonly clientCpuMicrosPerRequest: number
  readonly clientCpuCores: number
  /** Time the client spent building and signing each fresh request (W3, W4). */
  readonly clientSignMicrosPerRequest?: number
  readonly connects: number
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const builder = new RequestBuilder(spec.profile, spec.endpoint, spec.credentials)
  let signMs = 0
  let signCount = 0
  let measuring = false
  const makeDriver = driverFactory(spec.workload, {
    builder,
    setup: spec.setup,
    namePrefix: spec.namePrefix,
    onSign: (ms) => {
      if (measuring) {
        signMs += ms
        signCount++
      }
    },
  })

  const samples = new Samples()
  const statuses: Record<string, number> = {}
  const sources: Record<string, number> = {}
  const errorSamples: string[] = []
  let non2xx = 0
  let transportErrors = 0
  let stopping = false
  let measuredSessions = 0

  const record = (res: HttpResponse, ms: number) => {
    let key = String(res.status)
    if (res.status < 200 || res.status >= 300) {
      non2xx++
      const type = /\r\nx-amzn-errortype:[ \t]*([^\r\n:]*)/i.exec(res.head)?.[1]
      if (type) key += ` ${type}`
      if (errorSamples.length < 5) errorSamples.push(`${key}: ${res.body.toString('utf8').slice(0, 300)}`)
    }
    statuses[key] = (statuses[key] ?? 0) + 1
    const at = res.head.indexOf('x-ivs-replay-source:')
    const source = at < 0 ? '-' : res.head.slice(at + 20, res.head.indexOf('\r', at)).trim()
    sources[source] = (sources[source] ?? 0) + 1
    samples.add(ms)
  }

  const connections: HttpConnection[] = []
  // One watchdog instead of a timer per request: an answer overdue by answerTimeoutMs closes its
  // connection, which fails the request.
  const inFlightSince: number[] = []
  const watchdog = setInterval(() => {
    const now = performance.now()
    inFlightSince.forEach((since, i) => {
      if (since > 0 && now - since > spec.answerTimeoutMs) {
        inFlightSince[i] = 0
        connections[i]?.close(new Error(`no answer within ${spec.answerTimeoutMs} ms`))
      }
    })
  }, 100)
  const worker = async (index: number) => {
    const connection = new HttpConnection(spec.endpoint)
    connections[index] = connection
    const driver = makeDriver(index)
    while (!stopping) {
      const bytes = driver.next()
      const t0 = performance.now()
      let res: HttpResponse
      inFlightSince[index] = t0
      try {
        res = await connection.request(bytes)
      } catch (err) {
        if (measuring) {
          transportErrors++
          if (errorSamples.length < 5) errorSamples.push(`transport: ${(err as Error).message}`)
        }
        await new Promise((r) => setTimeout(r, 10))
        continue
      }
      const ms = performance.now() - t0
      inFlightSince[index] = 0
      const sessionsBefore = driver.sessions
      driver.observe(res)
      if (measuring) {
        record(res, ms)
        measuredSessions += driver.sessions - sessionsBefore
        if (samples.length >= spec.maxRequests) stopping = true
      }
    }
    connection.close()
  }

  const workers = Array.from({ length: spec.concurrency }, (_, i) => worker(i))
  await sleep(spec.warmupMs)

  // The measured window.
  const serverCpu0 = spec.serverPid ? cpuMicros(spec.serverPid) : undefined
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  measuring = true
  const deadline = t0 + spec.durationMs
  while (!stopping && performance.now() < deadline) await sleep(Math.min(50, deadline - performance.now()))
  measuring = false
  const seconds = (performance.now() - t0) / 1000
  const clientUsage = process.cpuUsage(client0)
  const serverCpu1 = spec.serverPid ? cpuMicros(spec.serverPid) : undefined
  stopping = true
  await Promise.all(workers)
  clearInterval(watchdog)
  const memory = spec.serverPid ? memoryOf(spec.serverPid) : undefined

  const sorted = samples.sorted()
  const requests = sorted.length
  let sum = 0
  for (const v of sorted) sum += v
  const serverCpu = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : undefined
  const clientMicros = clientUsage.user + clientUsage.system
  return {
    workload: spec.workload,
    concurrency: spec.concurrency,
    requests,
    seconds,
    rps: requests / seconds,
    ...(spec.workload === 'W4' && { sessionsPerSecond: measuredSessions / seconds }),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: requests ? sorted[requests - 1] : NaN,
      mean: requests ? sum / requests : NaN,
    },
    histogram: histogram(sorted),
    statuses,
    sources,
    non2xx,
    transportErrors,
    errorSamples,
    ...(serverCpu !== undefined && requests > 0 && {
      serverCpuMicrosPerRequest: serverCpu / requests,
      serverCpuCores: serverCpu / 1e6 / seconds,
    }),
    ...(memory && { serverRssBytes: memory.rss, serverPeakRssBytes: memory.peak }),
    clientCpuMicrosPerRequest: requests ? clientMicros / requests : NaN,
    clientCpuCores: clientMicros / 1e6 / seconds,
    ...(signsPerRequest(spec.workload) && signCount > 0 && { clientSignMicrosPerRequest: (signMs * 1000) / signCount }),
    connects: connections.reduce((n, c) => n + c.connects, 0),
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

async function main(): Promise<void> {
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  const spec = JSON.parse(input) as LoadSpec
  const result = await runLoad(spec)
  process.stdout.write(JSON.stringify(result) + '\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`load generator: ${err instanceof Error ? err.stack : String(err)}\n`)
      process.exit(1)
    },
  )
}
