// The servers the benchmark compares, each started fresh for every workload in every round:
//   ceiling   bare node:http answering a fixed GetChannel body: the physical limit of this machine
//   simulate  ivs-replay's simulator (`node dist/src/cli.js serve`, full SigV4 verification)
//   replay    ivs-replay answering from a cassette (hybrid mode), full SigV4 verification
//   record    ivs-replay recording what a local upstream (a simulate-mode ivs-replay) answers
//   moto      moto's server, the reference point (only when `import moto` works)
// A target says which workloads it can run and why it cannot run at all (not installed, mode not
// built yet), so new ones plug in without touching the orchestrator.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { ServiceId } from '../../src/model/service-spec.js'
import { createChannels, jsonOf, sendAll } from './bench-client.js'
import { buildCassette, captureTemplates, type AnswerTemplates, type BuiltCassette } from './cassette-fixtures.js'
import type { ClientCredentials } from './client-signer.js'
import { RequestBuilder, type SdkProfile } from './ivs-requests.js'
import { freePort, spawnServer, type ServerProcess } from './server-process.js'
import { workloadService, type WorkloadName, type WorkloadSetup } from './workloads.js'

const run = promisify(execFile)

export const TARGET_NAMES = ['ceiling', 'simulate', 'replay', 'record', 'moto'] as const
export type TargetName = (typeof TARGET_NAMES)[number]

export interface BenchContext {
  readonly repoRoot: string
  /** Cores for the server and for the load generator (undefined: no pinning). */
  readonly serverCpu?: number
  readonly clientCpu?: number
  /** A scratch folder for this run (cassettes, profiles). */
  readonly workDir: string
  /** How client-ivs writes requests. */
  readonly profile: SdkProfile
  /** Each service's client, learnt and verified (a service whose SDK is not installed has none). */
  readonly profiles: Readonly<Partial<Record<ServiceId, SdkProfile>>>
  readonly credentials: ClientCredentials
  readonly log: (line: string) => void
}

export interface Target {
  readonly name: TargetName
  readonly title: string
  readonly workloads: readonly WorkloadName[]
  /** Why it cannot run here, or undefined when it can. */
  unavailable(ctx: BenchContext): Promise<string | undefined>
  /** One-time preparation before the first round (e.g. writing a cassette). */
  prepare?(ctx: BenchContext): Promise<void>
  start(ctx: BenchContext, workload: WorkloadName): Promise<ServerProcess>
  /** Puts the state the workload needs into the running server. */
  setup(ctx: BenchContext, server: ServerProcess, workload: WorkloadName): Promise<WorkloadSetup>
}

export const cliPath = (ctx: BenchContext) => path.join(ctx.repoRoot, 'dist', 'src', 'cli.js')

/**
 * The node flags `npm start` puts before the script (package.json's start script), so the server is
 * measured as users run it.
 */
export function startNodeFlags(ctx: BenchContext): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ctx.repoRoot, 'package.json'), 'utf8')) as { scripts?: { start?: string } }
  const words = (pkg.scripts?.start ?? '').split(/\s+/)
  const script = words.indexOf('dist/src/cli.js')
  if (words[0] !== 'node' || script < 0) throw new Error(`package.json's start script is not "node [flags] dist/src/cli.js …": ${pkg.scripts?.start}`)
  return words.slice(1, script)
}

export const LISTENING = /listening on (http:\/\/\S+)/

/** The client profile a workload's requests are written with. */
export function profileFor(ctx: BenchContext, workload: WorkloadName): SdkProfile {
  const profile = ctx.profiles[workloadService[workload]]
  if (!profile) throw new Error(`${workload}: no ${workloadService[workload]} client profile (its SDK is not installed)`)
  return profile
}

/** W1 needs one channel, W2 a thousand, W5 a stage, W6 a room; W3 and W4 make their own. */
export async function createState(ctx: BenchContext, server: ServerProcess, workload: WorkloadName): Promise<WorkloadSetup> {
  const builder = new RequestBuilder(profileFor(ctx, workload), server.endpoint, ctx.credentials)
  if (workload === 'W1') return { arns: await createChannels(server.endpoint, builder, 'bench-w1', 1) }
  if (workload === 'W5') {
    const [res] = await sendAll(server.endpoint, builder, [{ op: 'CreateStage', input: { name: 'bench-w5' } }])
    return { arns: [String((jsonOf(res).stage as { arn: string }).arn)] }
  }
  if (workload === 'W6') {
    const [res] = await sendAll(server.endpoint, builder, [{ op: 'CreateRoom', input: { name: 'bench-w6' } }])
    return { arns: [String(jsonOf(res).arn)] }
  }
  if (workload === 'W2') {
    await createChannels(server.endpoint, builder, 'bench-w2', 1000)
    return {}
  }
  return {}
}

/**
 * `node [npm start's flags] dist/src/cli.js serve` (what `npm start` runs) on a free port, logging warnings only: an
 * info line per request would measure the terminal, not the server.
 */
export function startIvsReplay(
  ctx: BenchContext,
  name: string,
  extraArgs: readonly string[] = [],
  cpu = ctx.serverCpu,
  nodeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  return spawnServer({
    name,
    command: process.execPath,
    args: [...startNodeFlags(ctx), ...nodeFlags, cliPath(ctx), 'serve', '--port', '0', '--log-level', 'warn', ...extraArgs],
    cwd: ctx.repoRoot,
    cpu,
    env: cleanEnv(),
    ready: { pattern: LISTENING },
  })
}

/** The environment without IVS_REPLAY_* settings that would change what is measured. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IVS_REPLAY_')))
}

const ALL: readonly WorkloadName[] = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']

const CEILING_ARNS: Partial<Record<WorkloadName, string>> = {
  W1: 'arn:aws:ivs:us-west-2:123456789012:channel/8D3M4bZVOaxg',
  W5: 'arn:aws:ivs:us-west-2:123456789012:stage/8D3M4bZVOaxg',
  W6: 'arn:aws:ivschat:us-west-2:123456789012:room/8D3M4bZVOaxg',
}

export const ceiling: Target = {
  name: 'ceiling',
  title: 'bare node:http, fixed GetChannel body',
  workloads: ALL,
  unavailable: async () => undefined,
  start: (ctx) =>
    spawnServer({
      name: 'ceiling',
      command: process.execPath,
      args: [path.join(ctx.repoRoot, 'test', 'bench', 'ceiling-server.mjs'), '--port', '0'],
      cwd: ctx.repoRoot,
      cpu: ctx.serverCpu,
      ready: { pattern: LISTENING },
    }),
  // Answers everything with the same body, whose channel ARN W1 may as well ask for (W5 and W6
  // send a stage's and a room's ARN: the answer is the same GetChannel body).
  setup: async (_ctx, _server, workload) => {
    const arn = CEILING_ARNS[workload]
    return arn ? { arns: [arn] } : {}
  },
}

export const simulate: Target = {
  name: 'simulate',
  title: 'ivs-replay simulator, SigV4 verified',
  workloads: ALL,
  unavailable: async (ctx) => (await builtCli(ctx)) ? undefined : 'dist/src/cli.js is missing: run `npm run build`',
  start: (ctx) => startIvsReplay(ctx, 'simulate'),
  setup: createState,
}

export const moto: Target = {
  name: 'moto',
  title: 'moto server (python3 -m moto.server), no SigV4 check',
  // moto answers GetChannel and ListChannels; W1 and W2 are the comparison the issue asks for.
  workloads: ['W1', 'W2'],
  async unavailable() {
    try {
      await run('python3', ['-c', 'import moto, moto.server, moto.ivs'], { timeout: 20_000 })
      return undefined
    } catch {
      return 'moto is not installed (`python3 -c "import moto"` fails)'
    }
  },
  async start(ctx) {
    const port = await freePort()
    return spawnServer({
      name: 'moto',
      command: 'python3',
      args: ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
      cwd: ctx.workDir,
      cpu: ctx.serverCpu,
      ready: { poll: `http://127.0.0.1:${port}` },
      timeoutMs: 30_000,
    })
  },
  setup: createState,
}

/**
 * Workloads of services other than ivs that this build does not serve yet (ivschat before its
 * simulator lands), with why: one simulate-mode server is asked to set each of them up, as the
 * throughput phase would. Undefined for a workload that can run.
 */
export async function unservedWorkloads(ctx: BenchContext, workloads: readonly WorkloadName[]): Promise<Map<WorkloadName, string>> {
  const out = new Map<WorkloadName, string>()
  const others = workloads.filter((w) => workloadService[w] !== 'ivs')
  if (others.length === 0) return out
  const server = await startIvsReplay(ctx, 'simulate (services probe)')
  try {
    for (const w of others) {
      try {
        await createState(ctx, server, w)
      } catch (err) {
        out.set(w, `this build of ivs-replay does not serve ${workloadService[w]}: ${(err as Error).message.slice(0, 200)}`)
      }
    }
  } finally {
    await server.stop()
  }
  return out
}

async function builtCli(ctx: BenchContext): Promise<boolean> {
  try {
    await run(process.execPath, [cliPath(ctx), '--help'], { cwd: ctx.repoRoot, timeout: 20_000 })
    return true
  } catch {
    return false
  }
}

/** `ivs-replay serve --help`, for telling which modes this build has. */
export async function serveHelp(ctx: BenchContext): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [cliPath(ctx), 'serve', '--help'], { cwd: ctx.repoRoot, timeout: 20_000 })
    return stdout
  } catch {
    return ''
  }
}

let templates: Promise<AnswerTemplates> | undefined
/** Real GetChannel and ListChannels answers, taken once per run from a simulate-mode server. */
export function answerTemplates(ctx: BenchContext): Promise<AnswerTemplates> {
  return (templates ??= captureTemplates(ctx))
}

/** Whether this build serves cassettes: `serve --help` lists `--mode` with `hybrid`. */
async function noModes(ctx: BenchContext, mode: string): Promise<string | undefined> {
  if (!(await builtCli(ctx))) return 'dist/src/cli.js is missing: run `npm run build`'
  const help = await serveHelp(ctx)
  return /--mode/.test(help) && help.includes(mode) ? undefined : `this build of ivs-replay has no --mode ${mode}`
}

/** Replay: hybrid mode over a cassette of 1,000 recorded GetChannel answers and one ListChannels. */
export function replayTarget(): Target {
  let cassette: BuiltCassette | undefined
  return {
    name: 'replay',
    title: 'ivs-replay --mode hybrid over a 1,001-interaction cassette, SigV4 verified',
    workloads: ['W1', 'W2'],
    unavailable: (ctx) => noModes(ctx, 'hybrid'),
    async prepare(ctx) {
      cassette = await buildCassette(ctx, 'replay-target', 1000, await answerTemplates(ctx), true)
    },
    start(ctx) {
      if (!cassette) throw new Error('replay target used before prepare()')
      return startIvsReplay(ctx, 'replay', ['--mode', 'hybrid', '--cassette', cassette.file])
    },
    // W1 asks for one recorded channel, like the other targets; W2's ListChannels is recorded too.
    setup: async (_ctx, _server, workload) => (workload === 'W1' ? { arns: [cassette!.arns[0]] } : {}),
  }
}

/** The "real AWS" a record target forwards to: a simulate-mode ivs-replay with credentials of its own. */
const UPSTREAM_CREDENTIALS = { accessKeyId: 'bench-upstream', secretAccessKey: 'bench-upstream-secret', accountId: '210987654321' }

/**
 * Record: `--mode record` in front of a local upstream (a simulate-mode ivs-replay on the same
 * core, playing real IVS with its own credentials, which reach the recorder through the environment
 * as real ones would). Every answer is forwarded, re-signed, recorded to a fresh cassette, then sent.
 * The CPU and RSS figures are the recorder's; its upstream's work is on the same core.
 */
export function recordTarget(): Target {
  let runs = 0
  return {
    name: 'record',
    title: 'ivs-replay --mode record, forwarding to a local simulate-mode upstream on the same core',
    workloads: ['W1', 'W3'],
    unavailable: (ctx) => noModes(ctx, 'record'),
    async start(ctx) {
      const configFile = path.join(ctx.workDir, 'upstream-config.json')
      await writeFile(configFile, JSON.stringify({ credentials: [UPSTREAM_CREDENTIALS] }))
      const upstream = await startIvsReplay(ctx, 'record upstream', ['--config', configFile])
      try {
        const cassette = path.join(ctx.workDir, 'cassettes', `record-${process.pid}-${++runs}.sqlite`)
        const env: NodeJS.ProcessEnv = {
          ...cleanEnv(),
          AWS_ACCESS_KEY_ID: UPSTREAM_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: UPSTREAM_CREDENTIALS.secretAccessKey,
          AWS_SESSION_TOKEN: '',
          AWS_PROFILE: '',
          AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.workDir, 'no-such-credentials'),
          AWS_CONFIG_FILE: path.join(ctx.workDir, 'no-such-config'),
          AWS_EC2_METADATA_DISABLED: 'true',
        }
        for (const k of ['AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k]
        const recorder = await spawnServer({
          name: 'record',
          command: process.execPath,
          args: [cliPath(ctx), 'serve', '--port', '0', '--log-level', 'warn', '--mode', 'record', '--cassette', cassette, '--upstream', upstream.endpoint],
          cwd: ctx.repoRoot,
          cpu: ctx.serverCpu,
          env,
          ready: { pattern: LISTENING },
        })
        return {
          ...recorder,
          alive: () => recorder.alive() && upstream.alive(),
          output: () => `${recorder.output()}\n[upstream] ${upstream.output()}`,
          stop: async () => {
            await recorder.stop()
            await upstream.stop()
          },
        }
      } catch (err) {
        await upstream.stop()
        throw err
      }
    },
    // The channel W1 reads is created through the recorder, so the recorder knows its account mapping.
    setup: createState,
  }
}
