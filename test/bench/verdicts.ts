// The issue's targets, checked against one run. A throughput target is judged on the median of the
// per-round ratios of requests per second (target ÷ ceiling, same round); beside it stands the
// same ratio computed from server CPU time per request (ceiling µs ÷ target µs), which does not
// move when other processes steal the server's core, so a verdict that the two disagree on is
// flagged as noisy rather than trusted.
import type { CassetteScaleResult } from './cassette-scale.js'
import type { ColdStartResult } from './cold-start.js'
import { pairedRatio, type BenchRun } from './results.js'
import { median, spread, type Spread } from './stats.js'
import type { TargetName } from './targets.js'
import type { WorkloadName } from './workloads.js'

export type VerdictKind = 'pass' | 'short' | 'n/a'

export interface Verdict {
  readonly id: string
  readonly goal: string
  /** The measured value as text (median and min–max). */
  readonly measured: string
  readonly threshold: string
  readonly verdict: VerdictKind
  /** For throughput targets: the CPU-time based ratio and its own verdict. */
  readonly cpuMeasured?: string
  readonly cpuVerdict?: VerdictKind
  readonly note?: string
}

const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–')
const range = (s: Spread, f: (v: number) => string) => (s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median))

function ratioVerdict(
  run: BenchRun,
  id: string,
  goal: string,
  a: TargetName,
  b: TargetName,
  workload: WorkloadName,
  min: number,
  missing: string | undefined,
): Verdict {
  const threshold = `≥ ${min}×`
  if (missing) return { id, goal, measured: '–', threshold, verdict: 'n/a', note: missing }
  const rps = pairedRatio(run.measurements, a, b, workload, 32, (m) => m.rps)
  const cpu = pairedRatio(run.measurements, a, b, workload, 32, (m) => m.serverCpuMicrosPerRequest, true)
  if (rps.n === 0) return { id, goal, measured: '–', threshold, verdict: 'n/a', note: `no round measured both ${a} and ${b} on ${workload}` }
  const verdict: VerdictKind = rps.median >= min ? 'pass' : 'short'
  const cpuVerdict: VerdictKind | undefined = cpu.n ? (cpu.median >= min ? 'pass' : 'short') : undefined
  return {
    id, goal, threshold, verdict,
    measured: range(rps, x),
    ...(cpu.n > 0 && { cpuMeasured: range(cpu, x), cpuVerdict }),
    ...(cpuVerdict && cpuVerdict !== verdict && { note: 'throughput and CPU-time ratios disagree: the machine was too noisy to tell' }),
  }
}

function unavailableReason(run: BenchRun, target: TargetName): string | undefined {
  const t = run.targets.find((t) => t.name === target)
  if (!t) return `${target} was not run (--targets)`
  return t.unavailable ? `${target}: ${t.unavailable}` : undefined
}

function scaleP50(scale: CassetteScaleResult | undefined, size: number, pattern: 'hot' | 'spread', concurrency: number): Spread {
  const point = scale?.points.find((p) => p.interactions === size)
  return spread((point?.runs ?? []).filter((r) => r.pattern === pattern && r.concurrency === concurrency).map((r) => r.latencyMs.p50))
}

function coldStart(results: readonly ColdStartResult[], variant: string): number[] {
  return results.find((r) => r.variant === variant)?.ms ?? []
}

export function judge(run: BenchRun): Verdict[] {
  const verdicts: Verdict[] = []
  const replayMissing = unavailableReason(run, 'replay')
  const motoMissing = run.moto ?? unavailableReason(run, 'moto')
  verdicts.push(ratioVerdict(run, 'replay-w1', 'replay (hybrid, full SigV4) W1 vs ceiling', 'replay', 'ceiling', 'W1', 0.45, replayMissing))
  verdicts.push(ratioVerdict(run, 'simulate-w1', 'simulate W1 vs ceiling', 'simulate', 'ceiling', 'W1', 0.4, unavailableReason(run, 'simulate')))
  verdicts.push(ratioVerdict(run, 'simulate-w2', 'simulate W2 vs ceiling', 'simulate', 'ceiling', 'W2', 0.25, unavailableReason(run, 'simulate')))
  // The other services share W1's hot path, so they are held to W1's ratio.
  const skipped = (w: WorkloadName) => run.skippedWorkloads?.find((s) => s.workload === w)?.reason
  for (const [w, title] of [['W5', 'simulate W5 (ivs-realtime GetStage) vs ceiling'], ['W6', 'simulate W6 (ivschat GetRoom) vs ceiling']] as const) {
    verdicts.push(ratioVerdict(run, `simulate-${w.toLowerCase()}`, title, 'simulate', 'ceiling', w, 0.4, skipped(w) ?? unavailableReason(run, 'simulate')))
  }
  verdicts.push(ratioVerdict(run, 'moto-w1', 'simulate W1 vs moto', 'simulate', 'moto', 'W1', 25, motoMissing))
  verdicts.push(ratioVerdict(run, 'moto-w2', 'simulate W2 vs moto', 'simulate', 'moto', 'W2', 25, motoMissing))

  // Cassette scale.
  const scale = run.cassetteScale
  const scaleMissing = scale === undefined ? 'the cassette-scale phase was not run' : scale.unavailable
  // Two access patterns, two verdicts: `hot` replays the same recorded requests against cassettes of
  // every size (what the issue compares: matching that does not slow down as a cassette grows);
  // `spread` makes every request a different recording, so a large cassette is read from SQLite.
  const patternTitle = { hot: 'the same ≤100 recorded requests', spread: 'a different recording each request' } as const
  for (const pattern of ['hot', 'spread'] as const) {
    const goal = `replay p50 at 100,000 interactions vs at 10 (c=1, ${pattern}: ${patternTitle[pattern]})`
    const threshold = '≤ 1.2×'
    const small = scaleP50(scale, 10, pattern, 1)
    const large = scaleP50(scale, 100_000, pattern, 1)
    if (scaleMissing || small.n === 0 || large.n === 0) {
      verdicts.push({ id: `scale-p50-${pattern}`, goal, measured: '–', threshold, verdict: 'n/a', note: scaleMissing ?? 'not measured at both sizes' })
      continue
    }
    const ratio = large.median / small.median
    // c=1 latency is at the mercy of the machine's load; server CPU per request (highest
    // concurrency) shows the same scale effect more steadily.
    const cpuAt = (size: number) => {
      const point = scale?.points.find((p) => p.interactions === size)
      const runs = (point?.runs ?? []).filter((r) => r.pattern === pattern)
      const c = Math.max(...runs.map((r) => r.concurrency))
      return spread(runs.filter((r) => r.concurrency === c).map((r) => r.serverCpuMicrosPerRequest ?? NaN)).median
    }
    const cpuRatio = cpuAt(100_000) / cpuAt(10)
    verdicts.push({
      id: `scale-p50-${pattern}`, goal, threshold, verdict: ratio <= 1.2 ? 'pass' : 'short',
      measured: `${x(ratio)} (${large.median.toFixed(3)} ms vs ${small.median.toFixed(3)} ms)`,
      ...(Number.isFinite(cpuRatio) && {
        cpuMeasured: `${x(cpuRatio)} (${cpuAt(100_000).toFixed(0)} vs ${cpuAt(10).toFixed(0)} µs/req)`,
        cpuVerdict: cpuRatio <= 1.2 ? 'pass' as const : 'short' as const,
      }),
    })
  }
  const largest = scale?.points.find((p) => p.interactions === 100_000)
  {
    const goal = 'open a 100,000-interaction cassette (file + replay index, in-process)'
    const threshold = '≤ 1 s'
    const open = spread(largest?.openMs ?? [])
    if (scaleMissing || open.n === 0) {
      verdicts.push({ id: 'scale-open', goal, measured: '–', threshold, verdict: 'n/a', note: scaleMissing ?? (largest?.failures[0] ?? 'not measured') })
    } else {
      const first = spread(largest!.firstAnswerMs)
      verdicts.push({
        id: 'scale-open', goal, threshold, verdict: open.median <= 1000 ? 'pass' : 'short',
        measured: range(open, (v) => `${(v / 1000).toFixed(2)} s`),
        ...(first.n > 0 && { note: `server spawn → first replayed answer: ${range(first, (v) => `${(v / 1000).toFixed(2)} s`)}` }),
      })
    }
  }
  {
    const goal = 'server RSS with the 100,000-interaction cassette, after load'
    const threshold = '≤ 150 MB'
    const rss = spread((largest?.runs ?? []).map((r) => (r.serverRssBytes ?? NaN) / 2 ** 20))
    if (scaleMissing || rss.n === 0) {
      verdicts.push({ id: 'scale-rss', goal, measured: '–', threshold, verdict: 'n/a', note: scaleMissing ?? 'not measured' })
    } else {
      verdicts.push({ id: 'scale-rss', goal, threshold, verdict: rss.max <= 150 ? 'pass' : 'short', measured: `${rss.max.toFixed(0)} MB (largest of ${rss.n} runs)` })
    }
  }

  // Cold start.
  {
    const goal = 'cold start through the CLI vs the bare node server'
    const threshold = '≤ 1.5×'
    const cli = coldStart(run.coldStart, 'cli')
    const ceiling = coldStart(run.coldStart, 'ceiling')
    if (cli.length === 0 || ceiling.length === 0) {
      verdicts.push({ id: 'cold-cli', goal, measured: '–', threshold, verdict: 'n/a', note: 'cold start not measured' })
    } else {
      const ratio = median(cli) / median(ceiling)
      verdicts.push({
        id: 'cold-cli', goal, threshold, verdict: ratio <= 1.5 ? 'pass' : 'short',
        measured: `${x(ratio)} (${median(cli).toFixed(0)} ms vs ${median(ceiling).toFixed(0)} ms)`,
      })
    }
  }
  {
    const goal = 'start() inside a process, import → first signed answer'
    const threshold = '≤ 0.2 s'
    const lib = spread(coldStart(run.coldStart, 'library'))
    verdicts.push(lib.n === 0
      ? { id: 'cold-lib', goal, measured: '–', threshold, verdict: 'n/a', note: 'cold start not measured' }
      : { id: 'cold-lib', goal, threshold, verdict: lib.median <= 200 ? 'pass' : 'short', measured: range(lib, (v) => `${(v / 1000).toFixed(3)} s`) })
  }
  return verdicts
}
