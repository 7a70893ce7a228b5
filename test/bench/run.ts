// `npm run bench`: ivs-replay against the physical limit of this machine. Never part of `npm test`.
//
//   1. build dist/ (what `npm start` runs), learn how client-ivs writes requests and prove the
//      benchmark writes them byte for byte the same
//   2. throughput and latency: every target × workload × concurrency, several rounds
//   3. cassette scale: replay with 10 … 100,000 recorded interactions (when replay exists)
//   4. cold start: CLI, library, and the bare node server
//   5. optionally CPU profiles of the simulator on W1 and W2
// then prints the verdicts and rewrites BENCHMARKS.md (keeping its hand-written notes).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { CASSETTE_SIZES, runCassetteScale, type CassetteScaleResult } from './cassette-scale.js'
import { runColdStarts, type ColdStartResult } from './cold-start.js'
import { profileSimulate, type ProfileSummary } from './cpu-profile.js'
import type { ServiceId } from '../../src/model/service-spec.js'
import { captureSdkProfile, loadSdk, sdkClients, verifyAgainstSdk, type SdkProfile } from './ivs-requests.js'
import { loadAverage, machineInfo } from './proc-stats.js'
import { extractNotes, renderReport } from './report.js'
import type { BenchRun } from './results.js'
import {
  answerTemplates, ceiling, createState, moto, recordTarget, replayTarget, simulate, TARGET_NAMES, unservedWorkloads, type BenchContext, type Target,
  type TargetName,
} from './targets.js'
import { runThroughput, type Measurement } from './throughput.js'
import { judge } from './verdicts.js'
import { WORKLOADS, workloadService, type WorkloadName } from './workloads.js'

const usage = `Usage: npm run bench -- [options]

  --quick                one short round of everything (a few minutes)
  --rounds N             throughput rounds (default 3; quick 1)
  --duration MS          measured window per run (default 2000; quick 1000)
  --warmup MS            warm-up before each window (default 500; quick 300)
  --concurrency LIST     default 1,32
  --targets LIST         ${TARGET_NAMES.join(',')} (default: all that can run here)
  --workloads LIST       ${WORKLOADS.join(',')} (default: all)
  --only LIST            phases: throughput,scale,coldstart (default: all)
  --scale-sizes LIST     cassette sizes (default ${CASSETTE_SIZES.join(',')})
  --profile              also CPU-profile simulate on W1 and W2 (node --cpu-prof)
  --server-cpu N         core for the server (default: the last one)
  --client-cpu N         core for the load generator (default 0)
  --no-build             use dist/ as it is
  --no-write             do not rewrite BENCHMARKS.md
  --json FILE            also write the raw results there (default: a file in the OS temp folder)
  --keep                 keep the scratch folder (cassettes, profiles)
  -h, --help
`

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const log = (line: string) => process.stderr.write(line + '\n')

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean)
}

function numberFlag(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(text)}`)
  return n
}

function build(): void {
  log('building dist/ (tsc -p config/tsconfig.build.json)…')
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(process.execPath, [tsc, '-p', 'config/tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' })
  if (r.status !== 0) {
    const cli = path.join(repoRoot, 'dist', 'src', 'cli.js')
    if (!existsSync(cli)) throw new Error(`the build failed and left no dist/src/cli.js:\n${r.stdout}${r.stderr}`)
    log(`  tsc reported errors (files were emitted anyway):\n${(r.stdout + r.stderr).trim().split('\n').slice(0, 8).join('\n')}`)
  }
}

function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== ''
    return { commit, dirty }
  } catch {
    return { commit: 'unknown', dirty: false }
  }
}

function motoVersion(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8', timeout: 20_000 }).trim()
  } catch {
    return undefined
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      targets: { type: 'string' },
      workloads: { type: 'string' },
      only: { type: 'string' },
      'scale-sizes': { type: 'string' },
      profile: { type: 'boolean' },
      'server-cpu': { type: 'string' },
      'client-cpu': { type: 'string' },
      'no-build': { type: 'boolean' },
      'no-write': { type: 'boolean' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(usage)
    return 0
  }
  const quick = values.quick ?? false
  const rounds = numberFlag(values.rounds, 'rounds', quick ? 1 : 3)
  const durationMs = numberFlag(values.duration, 'duration', quick ? 1000 : 2000)
  const warmupMs = numberFlag(values.warmup, 'warmup', quick ? 300 : 500)
  const concurrencies = (list(values.concurrency) ?? ['1', '32']).map((c) => numberFlag(c, 'concurrency', 1))
  const workloads = (list(values.workloads) ?? [...WORKLOADS]) as WorkloadName[]
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`)
  const wantedTargets = (list(values.targets) ?? [...TARGET_NAMES]) as TargetName[]
  for (const t of wantedTargets) if (!TARGET_NAMES.includes(t)) throw new Error(`unknown target ${t}`)
  const phases = new Set(list(values.only) ?? ['throughput', 'scale', 'coldstart'])
  const sizes = (list(values['scale-sizes']) ?? CASSETTE_SIZES.map(String)).map((s) => numberFlag(s, 'scale-sizes', 10))
  const cores = os.cpus().length
  const serverCpu = cores >= 2 ? numberFlag(values['server-cpu'], 'server-cpu', cores - 1) : undefined
  const clientCpu = cores >= 2 ? numberFlag(values['client-cpu'], 'client-cpu', 0) : undefined
  const coldStartRounds = quick ? 3 : 7

  const startedAt = new Date().toISOString()
  const loadStart = loadAverage()
  const loadSamples: number[] = [loadStart[0]]
  const sampler = setInterval(() => loadSamples.push(loadAverage()[0]), 5000)
  sampler.unref()
  log(`ivs-replay bench: load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} on ${cores} cores`)

  if (!values['no-build']) build()
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ivs-replay-bench-'))
  await mkdir(path.join(workDir, 'cassettes'), { recursive: true })
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test', region: 'us-west-2' }
  log('learning how @aws-sdk/client-ivs writes requests…')
  const profile = await captureSdkProfile(credentials)
  const verifiedRequests = await verifyAgainstSdk(profile, credentials)
  log(`  ${verifiedRequests} operations: the benchmark's requests are byte-identical to client-ivs's`)
  // The other services' clients, for their workloads (W5, W6): learnt and verified the same way.
  const sdkProfiles: Partial<Record<ServiceId, SdkProfile>> = { ivs: profile }
  const otherSdks: { service: ServiceId; userAgent: string; verifiedRequests: number }[] = []
  const skippedWorkloads = new Map<WorkloadName, string>()
  for (const service of [...new Set(workloads.map((w) => workloadService[w]))].filter((s) => s !== 'ivs')) {
    const { packageName } = sdkClients[service]
    if (!(await loadSdk(service))) {
      for (const w of workloads) if (workloadService[w] === service) skippedWorkloads.set(w, `${packageName} is not installed`)
      continue
    }
    log(`learning how ${packageName} writes requests…`)
    const p = await captureSdkProfile(credentials, service)
    const verified = await verifyAgainstSdk(p, credentials)
    log(`  ${verified} operations: the benchmark's requests are byte-identical to ${packageName}'s`)
    sdkProfiles[service] = p
    otherSdks.push({ service, userAgent: `${packageName} (${p.fixed['user-agent']?.split(' ')[0] ?? 'aws-sdk-js'})`, verifiedRequests: verified })
  }
  const ctx: BenchContext = { repoRoot, serverCpu, clientCpu, workDir, profile, profiles: sdkProfiles, credentials, log }

  const all: Record<TargetName, Target> = { ceiling, simulate, replay: replayTarget(), record: recordTarget(), moto }
  const targets: { name: TargetName; title: string; unavailable?: string }[] = []
  const runnable: Target[] = []
  for (const name of wantedTargets) {
    const target = all[name]
    const unavailable = await target.unavailable(ctx)
    targets.push({ name, title: target.title, ...(unavailable && { unavailable }) })
    if (!unavailable) runnable.push(target)
  }
  for (const t of targets) log(`  target ${t.name}: ${t.unavailable ? `not run: ${t.unavailable}` : t.title}`)
  const motoInfo = motoVersion()
  const failures: string[] = []
  // A workload of a service this build does not serve is skipped with the reason, not failed.
  if (phases.has('throughput') && runnable.some((t) => t.name === 'simulate')) {
    for (const [w, why] of await unservedWorkloads(ctx, workloads.filter((w) => !skippedWorkloads.has(w)))) skippedWorkloads.set(w, why)
  }
  for (const [w, why] of skippedWorkloads) log(`  workload ${w} skipped: ${why}`)
  const measured = workloads.filter((w) => !skippedWorkloads.has(w))

  let measurements: Measurement[] = []
  if (phases.has('throughput')) {
    for (const t of runnable) {
      try {
        await t.prepare?.(ctx)
      } catch (err) {
        failures.push(`${t.name} preparation: ${(err as Error).message}`)
        runnable.splice(runnable.indexOf(t), 1)
        targets.find((x) => x.name === t.name)!.unavailable = `preparation failed: ${(err as Error).message.split('\n')[0]}`
      }
    }
    log(`throughput: ${rounds} round(s), ${runnable.map((t) => t.name).join(', ')} × ${measured.join(', ')} × c=${concurrencies.join(',')}`)
    measurements = await runThroughput(ctx, runnable, { rounds, warmupMs, durationMs, concurrencies, workloads: measured, maxRequests: 5_000_000 }, (m) => {
      const bad = m.non2xx + m.transportErrors
      log(`  r${m.round} ${m.workload} c=${m.concurrency} ${m.target.padEnd(8)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.latencyMs.p50.toFixed(3)} ms  ` +
        `p99 ${m.latencyMs.p99.toFixed(2)} ms  server ${(m.serverCpuMicrosPerRequest ?? NaN).toFixed(1)} µs/req  ${bad ? `NON-2xx ${bad}` : ''}`)
    })
    for (const w of measured) for (const t of runnable) {
      if (t.workloads.includes(w) && !measurements.some((m) => m.target === t.name && m.workload === w)) failures.push(`${t.name} ${w}: no successful run`)
    }
  }

  let cassetteScale: CassetteScaleResult | undefined
  if (phases.has('scale')) {
    const replay = targets.find((t) => t.name === 'replay')
    const why = replay?.unavailable ?? (await all.replay!.unavailable(ctx))
    if (why) {
      cassetteScale = { unavailable: why, points: [] }
    } else {
      log(`cassette scale: ${sizes.join(', ')} interactions`)
      cassetteScale = await runCassetteScale(ctx, await answerTemplates(ctx), {
        sizes, rounds: quick ? 1 : 2, warmupMs, durationMs: quick ? 1000 : 1500, concurrencies, openRepeats: quick ? 1 : 3,
      }, log)
    }
  }

  let coldStart: ColdStartResult[] = []
  if (phases.has('coldstart')) {
    log(`cold start: ${coldStartRounds} rounds`)
    coldStart = await runColdStarts(ctx, coldStartRounds)
    for (const r of coldStart) log(`  ${r.variant}: ${r.ms.map((v) => v.toFixed(0)).join(' ')} ms${r.failures.length ? `, failures: ${r.failures[0]}` : ''}`)
  }

  const profiles: ProfileSummary[] = []
  if (values.profile) {
    for (const workload of ['W1', 'W2'] as const) {
      log(`profiling simulate ${workload} c=32…`)
      try {
        profiles.push(await profileSimulate(ctx, workload, 32, quick ? 3000 : 5000, (server) => createState(ctx, server, workload)))
      } catch (err) {
        failures.push(`profile ${workload}: ${(err as Error).message}`)
      }
    }
  }

  clearInterval(sampler)
  const machine = machineInfo()
  const run: BenchRun = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    settings: { rounds, warmupMs, durationMs, concurrencies, coldStartRounds },
    machine: { ...machine, serverCpu, clientCpu },
    git: gitInfo(),
    loadAverage: { start: loadStart, end: loadAverage(), samples: [...loadSamples, loadAverage()[0]] },
    sdk: { userAgent: profile.fixed['user-agent']?.split(' ')[0] ?? 'client-ivs', verifiedRequests, others: otherSdks },
    skippedWorkloads: [...skippedWorkloads].map(([workload, reason]) => ({ workload, reason })),
    targets,
    moto: motoInfo ? undefined : 'moto is not installed (`python3 -c "import moto"` fails)',
    measurements,
    failures,
    coldStart,
    cassetteScale,
    profiles,
  }
  const verdicts = judge(run)

  const jsonFile = values.json ?? path.join(os.tmpdir(), 'ivs-replay-bench-latest.json')
  await writeFile(jsonFile, JSON.stringify({ ...run, verdicts }, null, 1))
  const reportFile = path.join(repoRoot, 'BENCHMARKS.md')
  if (!values['no-write']) {
    const existing = existsSync(reportFile) ? await readFile(reportFile, 'utf8') : undefined
    await writeFile(reportFile, renderReport(run, verdicts, extractNotes(existing)))
  }
  if (!values.keep) await rm(workDir, { recursive: true, force: true })

  process.stdout.write('\nverdicts:\n')
  for (const v of verdicts) {
    process.stdout.write(`  ${v.verdict.padEnd(5)} ${v.goal}: ${v.measured} (target ${v.threshold})` +
      `${v.cpuMeasured ? `; by CPU time ${v.cpuMeasured} ${v.cpuVerdict}` : ''}${v.note ? ` — ${v.note}` : ''}\n`)
  }
  const load = run.loadAverage
  process.stdout.write(`\nload average: ${load.start[0].toFixed(2)} at start, ${Math.min(...load.samples).toFixed(2)}–${Math.max(...load.samples).toFixed(2)} during, ${load.end[0].toFixed(2)} at end\n`)
  process.stdout.write(`raw results: ${jsonFile}\n${values['no-write'] ? '' : `report: ${reportFile}\n`}`)
  if (failures.length) process.stdout.write(`failures:\n${failures.map((f) => `  ${f}`).join('\n')}\n`)
  return failures.length ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exit(2)
  },
)
