// Renders a run as BENCHMARKS.md. The text between `<!-- notes:start -->` and `<!-- notes:end -->`
// in the existing file is written by people (analysis, what remains short and why) and is carried
// over unchanged when the tables are regenerated.
import type { CassetteScaleResult } from './cassette-scale.js'
import { coldStartTitles, type ColdStartResult } from './cold-start.js'
import type { ProfileSummary } from './cpu-profile.js'
import { cell, pairedRatio, summarizeCells, type BenchRun, type CellSummary } from './results.js'
import { spread, type Spread } from './stats.js'
import type { Verdict } from './verdicts.js'
import { workloadTitles, WORKLOADS } from './workloads.js'

const NOTES_START = '<!-- notes:start -->'
const NOTES_END = '<!-- notes:end -->'

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–')
/** `median (min–max)`, or the median alone for one round. */
export const mm = (s: Spread | undefined, digits = 0) =>
  !s || s.n === 0 ? '–' : s.n === 1 || s.min === s.max ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
const ms = (v: number) => (v < 1 ? fmt(v, 3) : v < 10 ? fmt(v, 2) : fmt(v, 1))
const mmMs = (s: Spread | undefined) => (!s || s.n === 0 ? '–' : s.n === 1 || s.min === s.max ? ms(s.median) : `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`)
const badge = (v: string | undefined) => (v === 'pass' ? '**pass**' : v === 'short' ? '**short**' : v ?? '')

export function extractNotes(existing: string | undefined): string {
  if (!existing) return ''
  const a = existing.indexOf(NOTES_START)
  const b = existing.indexOf(NOTES_END)
  return a >= 0 && b > a ? existing.slice(a + NOTES_START.length, b).trim() : ''
}

function verdictTable(verdicts: readonly Verdict[]): string[] {
  const lines = [
    '| Goal | Measured: median (min–max) | Same ratio from server CPU time | Target | Verdict |',
    '|---|---|---|---|---|',
  ]
  for (const v of verdicts) {
    const cpu = v.cpuMeasured ? `${v.cpuMeasured} ${badge(v.cpuVerdict)}` : ''
    const note = v.note ? `<br>${v.note}` : ''
    lines.push(`| ${v.goal} | ${v.measured}${note} | ${cpu} | ${v.threshold} | ${badge(v.verdict)} |`)
  }
  return lines
}

function statusText(c: CellSummary): string {
  const bad = Object.entries(c.statuses).filter(([k]) => !/^2\d\d$/.test(k))
  const parts = bad.map(([k, n]) => `${n} × ${k}`)
  if (c.transportErrors) parts.push(`${c.transportErrors} transport errors`)
  return parts.length ? parts.join(', ') : '0'
}

function throughputTables(run: BenchRun): string[] {
  const cells = summarizeCells(run.measurements)
  const lines: string[] = []
  const targets = run.targets.filter((t) => !t.unavailable).map((t) => t.name)
  for (const workload of WORKLOADS) {
    const here = cells.filter((c) => c.workload === workload)
    if (here.length === 0) continue
    lines.push(`### ${workload}: ${workloadTitles[workload]}`, '')
    const sessions = workload === 'W4'
    const signs = workload === 'W3' || workload === 'W4'
    lines.push(
      `| c | target | req/s | × ceiling (req/s) | × ceiling (CPU) | p50 ms | p99 ms | server CPU µs/req | server cores used | RSS MB after |${sessions ? ' sessions/s |' : ''}${signs ? ' client signing µs/req |' : ''} non-2xx |`,
      `|---|---|---|---|---|---|---|---|---|---|${sessions ? '---|' : ''}${signs ? '---|' : ''}---|`,
    )
    for (const c of run.settings.concurrencies) {
      for (const t of targets) {
        const s = cell(cells, t, workload, c)
        if (!s) continue
        const vsRps = t === 'ceiling' ? '1' : mm(pairedRatio(run.measurements, t, 'ceiling', workload, c, (m) => m.rps), 2)
        const vsCpu = t === 'ceiling' ? '1' : mm(pairedRatio(run.measurements, t, 'ceiling', workload, c, (m) => m.serverCpuMicrosPerRequest, true), 2)
        lines.push(
          `| ${c} | ${t} | ${mm(s.rps)} | ${vsRps} | ${vsCpu} | ${mmMs(s.p50)} | ${mmMs(s.p99)} | ${mm(s.cpuMicros)} | ${mm(s.serverCores, 2)} | ${mm(s.rssMB)} |` +
            `${sessions ? ` ${mm(s.sessionsPerSecond)} |` : ''}${signs ? ` ${mm(s.signMicros, 1)} |` : ''} ${statusText(s)} |`,
        )
      }
    }
    lines.push('')
    const samples = here.flatMap((c) => c.errorSamples.map((e) => `${c.target} c=${c.concurrency}: ${e}`)).slice(0, 5)
    if (samples.length) lines.push('Non-2xx samples:', '', ...samples.map((s) => `- \`${s.replace(/`/g, "'").slice(0, 240)}\``), '')
  }
  const client = cells.filter((c) => c.concurrency === Math.max(...run.settings.concurrencies))
  const busiest = client.reduce<CellSummary | undefined>((a, c) => (!a || c.clientCores.median > a.clientCores.median ? c : a), undefined)
  if (busiest) {
    lines.push(`The load generator's own CPU use peaked at ${fmt(busiest.clientCores.median, 2)} of its core (${busiest.target} ${busiest.workload}, ` +
      `${fmt(busiest.clientCpuMicros.median, 1)} µs per request): ${busiest.clientCores.median > 0.9 ? '**the client may have limited that cell**' : 'the client was not the bottleneck'}.`, '')
  }
  return lines
}

function scaleTable(scale: CassetteScaleResult | undefined): string[] {
  if (!scale) return ['Not run in this invocation.', '']
  if (scale.unavailable) return [`Not measured: ${scale.unavailable}.`, '']
  const lines = [
    '| interactions | file MB | build s | open s (in-process) | RSS after open MB | spawn → first replayed answer s | hot p50 ms c=1 | spread p50 ms c=1 | spread p50 ms c=32 | spread req/s c=32 | server RSS MB after load | non-2xx |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const p of scale.points) {
    const runs = (pattern: string, c: number) => p.runs.filter((r) => r.pattern === pattern && r.concurrency === c)
    const p50 = (pattern: string, c: number) => mmMs(spread(runs(pattern, c).map((r) => r.latencyMs.p50)))
    const rps = mm(spread(runs('spread', 32).map((r) => r.rps)))
    const rss = spread(p.runs.map((r) => (r.serverRssBytes ?? NaN) / 2 ** 20))
    const non2xx = p.runs.reduce((n, r) => n + r.non2xx + r.transportErrors, 0)
    const sec = (v: number[]) => mm(spread(v.map((x) => x / 1000)), 2)
    lines.push(
      `| ${fmt(p.interactions)} | ${fmt(p.fileMB, 1)} | ${fmt(p.buildMs / 1000, 1)} | ${sec(p.openMs)} | ${mm(spread(p.openRssMB))} | ${sec(p.firstAnswerMs)} | ` +
        `${p50('hot', 1)} | ${p50('spread', 1)} | ${p50('spread', 32)} | ${rps} | ${rss.n ? fmt(rss.max) : '–'} | ${non2xx} |`,
    )
  }
  lines.push('')
  const failures = scale.points.flatMap((p) => p.failures.map((f) => `${fmt(p.interactions)}: ${f}`))
  if (failures.length) lines.push('Failures:', '', ...failures.map((f) => `- ${f.slice(0, 300)}`), '')
  const sources = new Set(scale.points.flatMap((p) => p.runs.flatMap((r) => Object.keys(r.sources))))
  if (sources.size) lines.push(`Answer sources seen (x-ivs-replay-source): ${[...sources].join(', ')}.`, '')
  return lines
}

function coldStartTable(results: readonly ColdStartResult[]): string[] {
  if (results.length === 0) return ['Not run in this invocation.', '']
  const lines = ['| variant | first answer ms: median (min–max) | import ms | start() ms | failures |', '|---|---|---|---|---|']
  for (const r of results) {
    lines.push(`| ${coldStartTitles[r.variant]} | ${mm(spread(r.ms))} | ${mm(spread(r.importMs))} | ${mm(spread(r.startMs))} | ${r.failures.length ? r.failures[0].slice(0, 160) : '0'} |`)
  }
  lines.push('')
  return lines
}

function profileSection(profiles: readonly ProfileSummary[]): string[] {
  if (profiles.length === 0) return ['Not run in this invocation (`npm run bench -- --profile`).', '']
  const lines: string[] = []
  for (const p of profiles) {
    lines.push(`### ${p.label}: ${fmt(p.rps)} req/s under the profiler, ${fmt(p.busyMs)} ms of samples`, '')
    lines.push('| self time | function | where |', '|---|---|---|')
    for (const h of p.topSelf.slice(0, 12)) lines.push(`| ${fmt(h.share * 100, 1)} % | \`${h.name}\` | ${h.where} |`)
    lines.push('', '| inclusive (ours) | function | where |', '|---|---|---|')
    for (const h of p.topOwnInclusive.slice(0, 10)) lines.push(`| ${fmt(h.share * 100, 1)} % | \`${h.name}\` | ${h.where} |`)
    lines.push('')
  }
  return lines
}

export function renderReport(run: BenchRun, verdicts: readonly Verdict[], notes: string): string {
  const m = run.machine
  const load = run.loadAverage
  const during = spread(load.samples)
  const minutes = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 60_000
  const lines = [
    '# Benchmarks',
    '',
    'How close ivs-replay comes to the physical limit of the machine it runs on: every number is set against',
    '`ceiling`, a bare node:http server answering a fixed GetChannel body, measured in the same run.',
    'Generated by `npm run bench` (test/bench/); the Notes section at the end is written by hand.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench                 # builds dist/ first; about 5–8 minutes; rewrites this file',
    'npm run bench -- --quick      # one short round of everything, a few minutes',
    'npm run bench -- --profile    # also CPU-profile simulate on W1 and W2 (node --cpu-prof)',
    'npm run bench -- --help       # targets, workloads, rounds, durations, --no-write, --json FILE',
    '```',
    '',
    `## Latest run${run.quick ? ' (--quick)' : ''}`,
    '',
    `- ${run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, ${fmt(minutes, 1)} min, commit \`${run.git.commit.slice(0, 12)}\`${run.git.dirty ? ' with uncommitted changes in the work tree' : ''}; command \`${run.command}\``,
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}, node ${m.node}` +
      (m.taskset ? `; server pinned to CPU ${m.serverCpu}, load generator to CPU ${m.clientCpu} (taskset)` : '; no taskset: processes were not pinned'),
    `- Load average (1 min): ${fmt(load.start[0], 2)} at the start, ${mm(during, 2)} during, ${fmt(load.end[0], 2)} at the end. ` +
      `On ${m.cores} cores anything above ${m.cores} means other work was competing for the cores: req/s and latency are then noisy, server CPU µs per request much less so.`,
    `- Rounds: ${run.settings.rounds} × (warm-up ${run.settings.warmupMs} ms + ${run.settings.durationMs} ms measured) per target, workload and concurrency; a fresh server for every workload in every round.`,
    `- Requests: as \`${run.sdk.userAgent}\` sends them, proved byte-identical (same date and invocation id) on ${run.sdk.verifiedRequests} operations before the load; SigV4 with test/test.` +
      (run.sdk.others ?? []).map((o) => ` ${o.service} requests as \`${o.userAgent}\` sends them, proved likewise on ${o.verifiedRequests} operations.`).join(''),
    ...(run.skippedWorkloads ?? []).map((s) => `- ${s.workload} (${workloadTitles[s.workload]}) not run: ${s.reason}.`),
    `- Targets: ${run.targets.map((t) => (t.unavailable ? `${t.name} (not run: ${t.unavailable})` : `${t.name} (${t.title})`)).join('; ')}.`,
    ...(run.failures.length ? [`- Failures: ${run.failures.map((f) => f.slice(0, 200)).join('; ')}`] : []),
    '',
    '## Verdicts',
    '',
    ...verdictTable(verdicts),
    '',
    'Ratios are medians of per-round ratios (target ÷ ceiling in the same round), with the min–max over rounds. The CPU column',
    'is ceiling µs ÷ target µs of server CPU time per request (from /proc/<pid>/stat): the share of the ceiling\'s speed the',
    'target would reach with a core to itself. It barely moves when other processes steal the core, so it is the number to',
    'trust on a busy machine.',
    '',
    '## Throughput and latency',
    '',
    ...throughputTables(run),
    '## Cassette scale',
    '',
    '`serve --mode hybrid --cassette FILE` over cassettes of distinct GetChannel interactions. *hot*: the same ≤ 100 recorded',
    'requests over and over; *spread*: up to 20,000 distinct recorded requests in shuffled order (more than the replay',
    'index\'s response cache holds). Open time: opening the file and loading the replay index in a process of its own.',
    '',
    ...scaleTable(run.cassetteScale),
    '## Cold start',
    '',
    ...coldStartTable(run.coldStart),
    '## CPU profiles',
    '',
    ...profileSection(run.profiles),
    '## How it measures',
    '',
    '- The load generator (test/bench/load-generator.ts) is a child process on its own core: N keep-alive connections over',
    '  node:net, each with one request in flight, for a warm-up and then a fixed window; only answers completed inside the',
    '  window count. Requests are written as prepared bytes and answers parsed minimally, which costs about a third of the',
    '  client CPU of node:http\'s client, so one client core can saturate the ceiling (checked: its CPU use is reported above).',
    '- W5 and W6 are W1 on ivs-realtime (GetStage, signed `ivs`) and ivschat (GetRoom, signed `ivschat`), written as their own',
    '  SDK clients write them; the hot path is shared, so they are held to W1\'s ratio, and run at the highest concurrency only.',
    '  The ceiling answers them with its GetChannel body. A workload whose service this build does not serve is skipped, with why.',
    '- W1 and W2 repeat one pre-signed request (valid for the 5-minute skew window; each run signs its own). W3 and W4 sign',
    '  every request afresh in the client with a fresh amz-sdk-invocation-id; that signing time is reported separately and',
    '  is not part of the latency.',
    '- Server CPU µs per request = (utime + stime) delta of the server process over the window ÷ answers in the window.',
    '  RSS is VmRSS of the server process after the load.',
    '- Every non-2xx answer is counted by status and x-amzn-ErrorType and shown; transport errors likewise.',
    '- moto runs as `python3 -m moto.server` (werkzeug, one TCP connection per request since it closes after each answer,',
    '  no SigV4 check); it is compared only on W1 and W2, the operations the issue asks for.',
    '',
    '## Notes',
    '',
    NOTES_START,
    notes || '_Analysis of this run goes here (kept across regenerations)._',
    NOTES_END,
    '',
  ]
  return lines.join('\n')
}
