// The throughput phase: every round starts each target fresh for each workload, sets up its state,
// and runs the load generator (its own process, on the client core) at each concurrency. Targets
// take turns within a workload, in an order that rotates every round, so that a slow minute on the
// shared machine lands on all of them rather than on one.
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { LoadResult, LoadSpec } from './load-generator.js'
import { pinned, type ServerProcess } from './server-process.js'
import { profileFor, type BenchContext, type Target, type TargetName } from './targets.js'
import { concurrenciesFor, type WorkloadName } from './workloads.js'

export interface RunSettings {
  readonly rounds: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly concurrencies: readonly number[]
  readonly workloads: readonly WorkloadName[]
  readonly maxRequests: number
}

export interface Measurement extends LoadResult {
  readonly target: TargetName
  readonly round: number
}

/** Runs the load generator once, as a child process on the client core. */
export function runLoadGenerator(ctx: BenchContext, spec: LoadSpec): Promise<LoadResult> {
  const [command, args] = pinned(ctx.clientCpu, process.execPath, ['--import', 'tsx', path.join(ctx.repoRoot, 'test', 'bench', 'load-generator.ts')])
  const child = spawn(command, args, { cwd: ctx.repoRoot, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4096)))
  child.stdin.end(JSON.stringify(spec))
  const limit = spec.warmupMs + spec.durationMs + spec.answerTimeoutMs + 30_000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limit)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').pop() ?? ''
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as LoadResult)
      else reject(new Error(`load generator failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`))
    })
  })
}

export async function runThroughput(
  ctx: BenchContext,
  targets: readonly Target[],
  settings: RunSettings,
  onResult: (m: Measurement) => void,
): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    for (const workload of settings.workloads) {
      const eligible = targets.filter((t) => t.workloads.includes(workload))
      const shift = (round - 1) % Math.max(1, eligible.length)
      const order = [...eligible.slice(shift), ...eligible.slice(0, shift)]
      for (const target of order) {
        let server: ServerProcess | undefined
        try {
          server = await target.start(ctx, workload)
          const setup = await target.setup(ctx, server, workload)
          for (const concurrency of concurrenciesFor(workload, settings.concurrencies)) {
            const result = await runLoadGenerator(ctx, {
              endpoint: server.endpoint,
              workload,
              concurrency,
              warmupMs: settings.warmupMs,
              durationMs: settings.durationMs,
              maxRequests: settings.maxRequests,
              answerTimeoutMs: 10_000,
              serverPid: server.pid,
              profile: profileFor(ctx, workload),
              credentials: ctx.credentials,
              setup,
              namePrefix: `bench-${workload.toLowerCase()}-r${round}-c${concurrency}`,
            })
            if (!server.alive()) throw new Error(`${target.name} exited during ${workload}: ${server.output()}`)
            const m: Measurement = { ...result, target: target.name, round }
            results.push(m)
            onResult(m)
          }
        } catch (err) {
          ctx.log(`  ${target.name} ${workload}: FAILED ${(err as Error).message}`)
        } finally {
          await server?.stop()
        }
      }
    }
  }
  return results
}
