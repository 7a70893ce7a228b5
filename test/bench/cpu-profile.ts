// `--profile`: runs a target under `node --cpu-prof` through a workload and summarises where its
// CPU time went — the top functions by self time, our own functions by inclusive time, and self
// time per source file — so hot spots can be compared run to run.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { LoadResult } from './load-generator.js'
import type { ServerProcess } from './server-process.js'
import type { BenchContext } from './targets.js'
import { startIvsReplay } from './targets.js'
import { runLoadGenerator } from './throughput.js'
import type { WorkloadName, WorkloadSetup } from './workloads.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface HotSpot {
  readonly name: string
  /** file:line, relative to the repository where possible. */
  readonly where: string
  readonly ms: number
  /** Share of the non-idle time. */
  readonly share: number
}

export interface ProfileSummary {
  readonly label: string
  readonly workload: WorkloadName
  readonly concurrency: number
  readonly file: string
  readonly busyMs: number
  readonly rps: number
  readonly topSelf: HotSpot[]
  readonly topOwnInclusive: HotSpot[]
  readonly byFile: HotSpot[]
}

const IDLE = new Set(['(idle)', '(program)'])

export function summarise(profile: CpuProfile, repoRoot: string, top = 15): Omit<ProfileSummary, 'label' | 'workload' | 'concurrency' | 'file' | 'rps'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // Self time per node from the samples' time deltas (µs).
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

  const where = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '')
    const rel = url.startsWith(repoRoot) ? path.relative(repoRoot, url) : url || '(native)'
    return n.callFrame.url ? `${rel}:${n.callFrame.lineNumber + 1}` : rel
  }
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`
  const isOwn = (n: ProfileNode) => n.callFrame.url.includes('/dist/src/') || n.callFrame.url.includes('/src/')

  let busyUs = 0
  const self = new Map<string, { n: ProfileNode; us: number }>()
  const files = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!
    if (IDLE.has(n.callFrame.functionName)) continue
    busyUs += us
    const k = keyOf(n)
    const e = self.get(k) ?? { n, us: 0 }
    e.us += us
    self.set(k, e)
    const file = n.callFrame.url ? where(n).replace(/:\d+$/, '') : n.callFrame.functionName
    files.set(file, (files.get(file) ?? 0) + us)
  }

  // Inclusive time of our own functions: a node's self plus its subtree, counted once per key on
  // any root-to-leaf path (recursion is not double-counted).
  const inclusive = new Map<string, { n: ProfileNode; us: number }>()
  const parents = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id)
  for (const [id, us] of selfUs) {
    const leaf = byId.get(id)!
    if (IDLE.has(leaf.callFrame.functionName)) continue
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      const n = byId.get(cur)!
      if (!isOwn(n)) continue
      const k = keyOf(n)
      if (seen.has(k)) continue
      seen.add(k)
      const e = inclusive.get(k) ?? { n, us: 0 }
      e.us += us
      inclusive.set(k, e)
    }
  }

  const spot = (name: string, at: string, us: number): HotSpot => ({ name, where: at, ms: us / 1000, share: busyUs ? us / busyUs : 0 })
  const topOf = (m: Map<string, { n: ProfileNode; us: number }>) =>
    [...m.values()].sort((a, b) => b.us - a.us).slice(0, top)
      .map((e) => spot(e.n.callFrame.functionName || '(anonymous)', e.n.callFrame.url ? where(e.n) : '', e.us))
  return {
    busyMs: busyUs / 1000,
    topSelf: topOf(self),
    topOwnInclusive: topOf(inclusive),
    byFile: [...files.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([f, us]) => spot(f, '', us)),
  }
}

/** Profiles a simulate-mode ivs-replay through `workload` at `concurrency`. */
export async function profileSimulate(
  ctx: BenchContext,
  workload: WorkloadName,
  concurrency: number,
  durationMs: number,
  setupFor: (server: ServerProcess) => Promise<WorkloadSetup>,
): Promise<ProfileSummary> {
  const dir = path.join(ctx.workDir, 'profiles', `${workload}-c${concurrency}-${Date.now()}`)
  // --cpu-prof writes the profile when the process exits; the CLI exits on SIGTERM.
  const server = await startIvsReplay(ctx, `simulate (profiled ${workload})`, [], ctx.serverCpu, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  let result: LoadResult
  try {
    const setup = await setupFor(server)
    result = await runLoadGenerator(ctx, {
      endpoint: server.endpoint, workload, concurrency, warmupMs: 500, durationMs, maxRequests: 1e7, answerTimeoutMs: 10_000,
      serverPid: server.pid, profile: ctx.profile, credentials: ctx.credentials, setup, namePrefix: `profile-${workload}`,
    })
  } finally {
    await server.stop()
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) throw new Error(`no .cpuprofile was written to ${dir}`)
  const file = path.join(dir, files[0])
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  return { label: `simulate ${workload} c=${concurrency}`, workload, concurrency, file, rps: result.rps, ...summarise(profile, ctx.repoRoot) }
}
