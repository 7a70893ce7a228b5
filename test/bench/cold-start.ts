// Cold start: how long until a freshly started server gives its first successful signed answer.
//   ceiling      `node test/bench/ceiling-server.mjs`: node's own floor for a process that serves HTTP
//   cli          `node dist/src/cli.js serve` (what `npm start` runs, after `npm run build`)
//   library      `start()` from dist/src/index.js inside a process, timed from just before the import
//   library-tsx  the same through `node --import tsx` from src/index.ts, as this repository's tests do
//                (informational: the verdict is on the built package that users import)
// Process variants are timed from just before spawn to the first 2xx answer, polling every
// millisecond with a request signed in advance (a signature stays valid for minutes).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { HttpConnection } from './http-connection.js'
import { RequestBuilder } from './ivs-requests.js'
import { freePort, pinned, runJsonScript } from './server-process.js'
import { cleanEnv, cliPath, startNodeFlags, type BenchContext } from './targets.js'

export const COLD_START_VARIANTS = ['ceiling', 'cli', 'library', 'library-tsx'] as const
export type ColdStartVariant = (typeof COLD_START_VARIANTS)[number]

export const coldStartTitles: Readonly<Record<ColdStartVariant, string>> = {
  ceiling: 'bare node:http process (`node ceiling-server.mjs`): spawn → first answer',
  cli: '`node dist/src/cli.js serve` (npm start): spawn → first signed answer',
  library: '`start()` from dist, in a process: import → first signed answer',
  'library-tsx': '`start()` from src via tsx, in a process: import → first signed answer',
}

export interface ColdStartResult {
  readonly variant: ColdStartVariant
  /** Milliseconds, one per round. */
  readonly ms: number[]
  /** For the library variants: the import and the start() parts. */
  readonly importMs: number[]
  readonly startMs: number[]
  readonly failures: string[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function spawnToFirstAnswer(ctx: BenchContext, command: string, args: readonly string[], port: number, request: Buffer): Promise<number> {
  const endpoint = `http://127.0.0.1:${port}`
  const [cmd, argv] = pinned(ctx.serverCpu, command, args)
  const t0 = performance.now()
  const child = spawn(cmd, argv, { cwd: ctx.repoRoot, env: cleanEnv(), stdio: 'ignore' })
  let exited = false
  child.once('exit', () => (exited = true))
  try {
    const deadline = t0 + 20_000
    let last = ''
    while (performance.now() < deadline) {
      if (exited) throw new Error(`exited with code ${child.exitCode}`)
      const connection = new HttpConnection(endpoint)
      try {
        const res = await connection.request(request)
        if (res.status >= 200 && res.status < 300) return performance.now() - t0
        last = `answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`
      } catch (err) {
        last = (err as Error).message
      } finally {
        connection.close()
      }
      await sleep(1)
    }
    throw new Error(`no successful answer within 20 s (${last})`)
  } finally {
    if (!exited) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      })
    }
  }
}

async function runLibrary(ctx: BenchContext, tsx: boolean, port: number, request: Buffer): Promise<{ importMs: number; startMs: number; firstAnswerMs: number }> {
  const script = path.join(ctx.repoRoot, 'test', 'bench', 'cold-start-library.mjs')
  const module = tsx ? path.join(ctx.repoRoot, 'src', 'index.ts') : path.join(ctx.repoRoot, 'dist', 'src', 'index.js')
  const args = [...(tsx ? ['--import', 'tsx'] : []), script, module, String(port), request.toString('base64')]
  let r: { status: number; importMs: number; startMs: number; firstAnswerMs: number }
  try {
    r = (await runJsonScript({ cpu: ctx.serverCpu, args, cwd: ctx.repoRoot, env: cleanEnv(), timeoutMs: 30_000 })) as typeof r
  } catch (e) {
    throw new Error(`library cold start failed (${(e as Error).message})`)
  }
  if (r.status < 200 || r.status >= 300) throw new Error(`library cold start failed: first answer was ${r.status}`)
  return r
}

export async function runColdStarts(ctx: BenchContext, rounds: number, variants: readonly ColdStartVariant[] = COLD_START_VARIANTS): Promise<ColdStartResult[]> {
  const results = new Map<ColdStartVariant, ColdStartResult>(
    variants.map((v) => [v, { variant: v, ms: [], importMs: [], startMs: [], failures: [] }]),
  )
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no variant always runs right after another's exit.
    const order = variants.map((_, i) => variants[(i + round) % variants.length])
    for (const variant of order) {
      const r = results.get(variant)!
      const port = await freePort()
      const request = new RequestBuilder(ctx.profile, `http://127.0.0.1:${port}`, ctx.credentials).build('ListChannels', { maxResults: 50 })
      try {
        if (variant === 'ceiling') {
          r.ms.push(await spawnToFirstAnswer(ctx, process.execPath, [path.join(ctx.repoRoot, 'test', 'bench', 'ceiling-server.mjs'), '--port', String(port)], port, request))
        } else if (variant === 'cli') {
          r.ms.push(await spawnToFirstAnswer(ctx, process.execPath, [...startNodeFlags(ctx), cliPath(ctx), 'serve', '--port', String(port), '--log-level', 'warn'], port, request))
        } else {
          const lib = await runLibrary(ctx, variant === 'library-tsx', port, request)
          r.ms.push(lib.firstAnswerMs)
          r.importMs.push(lib.importMs)
          r.startMs.push(lib.startMs)
        }
      } catch (err) {
        r.failures.push((err as Error).message)
      }
    }
  }
  return [...results.values()]
}
