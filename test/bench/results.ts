// Everything one `npm run bench` measured, and the summaries the report and verdicts read: per
// (target, workload, concurrency) medians with min–max over rounds, and target/ceiling ratios
// paired round by round (a round's targets ran minutes apart, under the same machine load).
import type { ColdStartResult } from './cold-start.js'
import type { ProfileSummary } from './cpu-profile.js'
import type { CassetteScaleResult } from './cassette-scale.js'
import type { MachineInfo } from './proc-stats.js'
import { spread, type Spread } from './stats.js'
import type { TargetName } from './targets.js'
import type { Measurement } from './throughput.js'
import type { WorkloadName } from './workloads.js'

export interface BenchRun {
  readonly startedAt: string
  readonly finishedAt: string
  readonly command: string
  readonly quick: boolean
  readonly settings: { rounds: number; warmupMs: number; durationMs: number; concurrencies: number[]; coldStartRounds: number }
  readonly machine: MachineInfo & { serverCpu?: number; clientCpu?: number; mem?: string }
  readonly git: { commit: string; dirty: boolean }
  /** 1-minute load average sampled through the run. */
  readonly loadAverage: { start: number[]; end: number[]; samples: number[] }
  readonly sdk: {
    userAgent: string
    verifiedRequests: number
    /** The other services' clients (client-ivs-realtime, client-ivschat), learnt and verified likewise. */
    others?: { service: string; userAgent: string; verifiedRequests: number }[]
  }
  /** Workloads asked for but not run here (their service is not served, or its SDK is not installed). */
  readonly skippedWorkloads?: { workload: WorkloadName; reason: string }[]
  readonly targets: { name: TargetName; title: string; unavailable?: string }[]
  readonly moto?: string
  readonly measurements: Measurement[]
  readonly failures: string[]
  readonly coldStart: ColdStartResult[]
  readonly cassetteScale?: CassetteScaleResult
  readonly profiles: ProfileSummary[]
}

export interface CellSummary {
  readonly target: TargetName
  readonly workload: WorkloadName
  readonly concurrency: number
  readonly rounds: number
  readonly rps: Spread
  readonly sessionsPerSecond?: Spread
  readonly p50: Spread
  readonly p99: Spread
  readonly cpuMicros: Spread
  readonly serverCores: Spread
  readonly rssMB: Spread
  readonly clientCpuMicros: Spread
  readonly clientCores: Spread
  readonly signMicros?: Spread
  readonly non2xx: number
  readonly transportErrors: number
  readonly statuses: Record<string, number>
  readonly errorSamples: string[]
}

export function summarizeCells(measurements: readonly Measurement[]): CellSummary[] {
  const groups = new Map<string, Measurement[]>()
  for (const m of measurements) {
    const key = `${m.target}|${m.workload}|${m.concurrency}`
    groups.set(key, [...(groups.get(key) ?? []), m])
  }
  return [...groups.values()].map((ms) => {
    const first = ms[0]
    const statuses: Record<string, number> = {}
    for (const m of ms) for (const [k, v] of Object.entries(m.statuses)) statuses[k] = (statuses[k] ?? 0) + v
    const pick = (f: (m: Measurement) => number | undefined) => spread(ms.map((m) => f(m) ?? NaN))
    return {
      target: first.target,
      workload: first.workload,
      concurrency: first.concurrency,
      rounds: ms.length,
      rps: pick((m) => m.rps),
      ...(first.sessionsPerSecond !== undefined && { sessionsPerSecond: pick((m) => m.sessionsPerSecond) }),
      p50: pick((m) => m.latencyMs.p50),
      p99: pick((m) => m.latencyMs.p99),
      cpuMicros: pick((m) => m.serverCpuMicrosPerRequest),
      serverCores: pick((m) => m.serverCpuCores),
      rssMB: pick((m) => (m.serverRssBytes === undefined ? undefined : m.serverRssBytes / 2 ** 20)),
      clientCpuMicros: pick((m) => m.clientCpuMicrosPerRequest),
      clientCores: pick((m) => m.clientCpuCores),
      ...(first.clientSignMicrosPerRequest !== undefined && { signMicros: pick((m) => m.clientSignMicrosPerRequest) }),
      non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
      transportErrors: ms.reduce((n, m) => n + m.transportErrors, 0),
      statuses,
      errorSamples: ms.flatMap((m) => m.errorSamples).slice(0, 5),
    }
  })
}

export function cell(cells: readonly CellSummary[], target: TargetName, workload: WorkloadName, concurrency: number): CellSummary | undefined {
  return cells.find((c) => c.target === target && c.workload === workload && c.concurrency === concurrency)
}

/**
 * `metric(a) / metric(b)` per round, for rounds where both were measured. With `inverse`, the
 * ratio of b's metric to a's (for costs: ceiling µs ÷ target µs is the share of the ceiling's
 * speed the target would reach on a core of its own).
 */
export function pairedRatio(
  measurements: readonly Measurement[],
  a: TargetName,
  b: TargetName,
  workload: WorkloadName,
  concurrency: number,
  metric: (m: Measurement) => number | undefined,
  inverse = false,
): Spread {
  const find = (t: TargetName, round: number) =>
    measurements.find((m) => m.target === t && m.workload === workload && m.concurrency === concurrency && m.round === round)
  const rounds = [...new Set(measurements.map((m) => m.round))]
  const ratios: number[] = []
  for (const round of rounds) {
    const ma = find(a, round)
    const mb = find(b, round)
    if (!ma || !mb) continue
    const va = metric(ma)
    const vb = metric(mb)
    if (va === undefined || vb === undefined || !(va > 0) || !(vb > 0)) continue
    ratios.push(inverse ? vb / va : va / vb)
  }
  return spread(ratios)
}
