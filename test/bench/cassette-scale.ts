// Cassette scale: replay latency, memory and opening time with cassettes of 10, 1,000, 10,000 and
// 100,000 distinct GetChannel interactions, served by `serve --mode hybrid --cassette FILE`.
//
// Two access patterns, each signed once per request kind (all requests are recorded ones):
//   hot     the same ≤ 100 recorded requests over and over (a test suite re-running one scenario)
//   spread  ≤ 20,000 distinct recorded requests in shuffled order, each coming back only after all
//           the others (a suite replaying a large recording); more distinct requests than the
//           replay index's response cache holds, so a large cassette is read from SQLite
// Opening is timed in-process (cassette-open.mjs: file, migration check, index load), and as the
// server's spawn → first replayed answer.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { buildCassette, type AnswerTemplates, type BuiltCassette } from './cassette-fixtures.js'
import { HttpConnection } from './http-connection.js'
import { RequestBuilder } from './ivs-requests.js'
import type { LoadResult } from './load-generator.js'
import { freePort, pinned, runJsonScript } from './server-process.js'
import { cleanEnv, cliPath, startIvsReplay, startNodeFlags, type BenchContext } from './targets.js'
import { runLoadGenerator } from './throughput.js'

export const CASSETTE_SIZES = [10, 1_000, 10_000, 100_000] as const
export const PATTERNS = ['hot', 'spread'] as const
export type AccessPattern = (typeof PATTERNS)[number]

export interface ScaleRun extends Omit<LoadResult, 'histogram'> {
  readonly pattern: AccessPattern
  readonly round: number
}

export interface CassettePoint {
  readonly interactions: number
  readonly buildMs: number
  readonly fileMB: number
  /** In-process open (file + index), ms, one per repeat. */
  readonly openMs: number[]
  /** RSS of that process right after opening. */
  readonly openRssMB: number[]
  /** Server spawn → first replayed answer, ms. */
  readonly firstAnswerMs: number[]
  readonly runs: ScaleRun[]
  readonly failures: string[]
}

export interface CassetteScaleResult {
  readonly unavailable?: string
  readonly points: CassettePoint[]
}

export interface ScaleSettings {
  readonly sizes: readonly number[]
  readonly rounds: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly concurrencies: readonly number[]
  readonly openRepeats: number
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** `count` ARNs spread evenly over the cassette. */
function evenly(arns: readonly string[], count: number): string[] {
  if (arns.length <= count) return [...arns]
  const step = arns.length / count
  return Array.from({ length: count }, (_, i) => arns[Math.floor(i * step)])
}

async function openInProcess(ctx: BenchContext, file: string): Promise<{ openMs: number; rssMB: number }> {
  const args = [...startNodeFlags(ctx), path.join(ctx.repoRoot, 'test', 'bench', 'cassette-open.mjs'), ctx.repoRoot, file]
  try {
    return (await runJsonScript({ cpu: ctx.serverCpu, args, cwd: ctx.repoRoot, env: cleanEnv(), timeoutMs: 120_000 })) as { openMs: number; rssMB: number }
  } catch (e) {
    throw new Error(`cassette-open.mjs failed (${(e as Error).message})`)
  }
}

/** Spawn → first successful answer to a recorded GetChannel. */
async function firstReplayedAnswer(ctx: BenchContext, file: string, arn: string): Promise<number> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const request = new RequestBuilder(ctx.profile, endpoint, ctx.credentials).build('GetChannel', { arn })
  const [cmd, argv] = pinned(ctx.serverCpu, process.execPath, [...startNodeFlags(ctx), cliPath(ctx), 'serve', '--port', String(port), '--log-level', 'warn', '--mode', 'hybrid', '--cassette', file])
  const t0 = performance.now()
  const child = spawn(cmd, argv, { cwd: ctx.repoRoot, env: cleanEnv(), stdio: 'ignore' })
  let exited = false
  child.once('exit', () => (exited = true))
  try {
    while (performance.now() - t0 < 60_000) {
      if (exited) throw new Error(`server exited with code ${child.exitCode}`)
      const connection = new HttpConnection(endpoint)
      try {
        const res = await connection.request(request)
        if (res.status === 200 && /\r\nx-ivs-replay-source: *recorded/i.test(res.head)) return performance.now() - t0
        if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`)
      } catch (err) {
        if (!/ECONNREFUSED|closed/.test((err as Error).message)) throw err
      } finally {
        connection.close()
      }
      await new Promise((r) => setTimeout(r, 1))
    }
    throw new Error('no replayed answer within 60 s')
  } finally {
    if (!exited) await new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM')))
  }
}

export async function runCassetteScale(
  ctx: BenchContext,
  templates: AnswerTemplates,
  settings: ScaleSettings,
  onProgress: (line: string) => void,
): Promise<CassetteScaleResult> {
  const points: CassettePoint[] = []
  for (const size of settings.sizes) {
    let cassette: BuiltCassette
    try {
      cassette = await buildCassette(ctx, `scale-${size}`, size, templates)
    } catch (err) {
      points.push({ interactions: size, buildMs: NaN, fileMB: NaN, openMs: [], openRssMB: [], firstAnswerMs: [], runs: [], failures: [`build: ${(err as Error).message}`] })
      continue
    }
    const point: CassettePoint = {
      interactions: size, buildMs: cassette.buildMs, fileMB: cassette.bytes / 2 ** 20,
      openMs: [], openRssMB: [], firstAnswerMs: [], runs: [], failures: [],
    }
    points.push(point)
    onProgress(`  cassette ${size}: built in ${(cassette.buildMs / 1000).toFixed(1)} s, ${point.fileMB.toFixed(1)} MB`)
    for (let i = 0; i < settings.openRepeats; i++) {
      try {
        const open = await openInProcess(ctx, cassette.file)
        point.openMs.push(open.openMs)
        point.openRssMB.push(open.rssMB)
        point.firstAnswerMs.push(await firstReplayedAnswer(ctx, cassette.file, cassette.arns[cassette.arns.length - 1]))
      } catch (err) {
        point.failures.push(`open: ${(err as Error).message}`)
      }
    }
    const sets: Record<AccessPattern, string[]> = {
      hot: evenly(cassette.arns, 100),
      spread: shuffled(evenly(cassette.arns, 20_000), size),
    }
    for (let round = 1; round <= settings.rounds; round++) {
      const server = await startIvsReplay(ctx, `replay ${size}`, ['--mode', 'hybrid', '--cassette', cassette.file])
      try {
        for (const pattern of PATTERNS) {
          for (const concurrency of settings.concurrencies) {
            const { histogram: _h, ...result } = await runLoadGenerator(ctx, {
              endpoint: server.endpoint, workload: 'W1', concurrency, warmupMs: settings.warmupMs, durationMs: settings.durationMs,
              maxRequests: 1e7, answerTimeoutMs: 10_000, serverPid: server.pid, profile: ctx.profile, credentials: ctx.credentials,
              setup: { arns: sets[pattern] }, namePrefix: `scale-${size}`,
            })
            point.runs.push({ ...result, pattern, round })
            onProgress(`  cassette ${size} ${pattern} c=${concurrency}: ${result.rps.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(3)} ms, ` +
              `RSS ${((result.serverRssBytes ?? NaN) / 2 ** 20).toFixed(0)} MB, non-2xx ${result.non2xx}`)
          }
        }
      } catch (err) {
        point.failures.push(`round ${round}: ${(err as Error).message}`)
      } finally {
        await server.stop()
      }
    }
  }
  return { points }
}
