// Where a recorded call's server CPU goes (issue 10, item 7). Not part of `npm run bench`: a focused
// run of the record path alone, for the breakdown in BENCHMARKS.md's notes.
//
//   npm run build && node --import tsx test/bench/record-profile.ts [--calls N] [--profile] [--cli dist/src/cli.js]
//
// A recorder (dist/src/cli.js serve --mode record, a child process) forwards to a simulate-mode
// ivs-replay in this process; one client sends N GetChannel (the same request) and N CreateChannel
// (unique names) one after another. Per workload it prints the recorder's CPU per call, split by
// thread from /proc/<pid>/task (the main thread; node-sqlite3 runs every statement, COMMIT
// included, on libuv's thread pool; V8's GC helpers), and with --profile (node --cpu-prof, main
// thread only) the inclusive time of each step of the record path.
import { CreateChannelCommand, GetChannelCommand, IvsClient } from '@aws-sdk/client-ivs'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { start } from '../../src/index.js'
import { summarise } from './cpu-profile.js'
import { clockTicks } from './proc-stats.js'

const { values } = parseArgs({ options: { calls: { type: 'string' }, profile: { type: 'boolean' }, cli: { type: 'string' } } })
const calls = Number(values.calls ?? 1500)
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const work = mkdtempSync(path.join(os.tmpdir(), 'ivs-record-profile-'))
const REAL = { accessKeyId: 'AKIDPROFILEREAL', secretAccessKey: 'profile-real-secret' }

/** CPU µs per thread name of a process (threads of one name summed). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const us = ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks()
      const name = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      out.set(name, (out.get(name) ?? 0) + us)
    } catch {
      /* a thread that ended */
    }
  }
  return out
}

const upstream = await start({ config: { credentials: [{ ...REAL, accountId: '999988887777' }] } })
const profileDir = path.join(work, 'profile')
const recorder = spawn(process.execPath, [
  ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  path.resolve(values.cli ?? path.join(repoRoot, 'dist/src/cli.js')), 'serve', '--port', '0', '--log-level', 'warn', '--mode', 'record',
  '--cassette', path.join(work, 'record.sqlite'), '--upstream', upstream.endpoint,
], {
  env: {
    PATH: process.env.PATH, AWS_ACCESS_KEY_ID: REAL.accessKeyId, AWS_SECRET_ACCESS_KEY: REAL.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'none'), AWS_CONFIG_FILE: path.join(work, 'none'), AWS_EC2_METADATA_DISABLED: 'true',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const endpoint = await new Promise<string>((resolve) => {
  let out = ''
  recorder.stdout.on('data', (d: Buffer) => {
    out += d
    const m = /listening on (http:\/\/[^\s]+)/.exec(out)
    if (m) resolve(m[1])
  })
})
const ivs = new IvsClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
const { channel } = await ivs.send(new CreateChannelCommand({ name: 'profiled' }))
const workloads: [string, (n: number) => Promise<unknown>][] = [
  ['GetChannel (the same request)', () => ivs.send(new GetChannelCommand({ arn: channel!.arn! }))],
  ['CreateChannel (unique names)', (n) => ivs.send(new CreateChannelCommand({ name: `profiled-${n}` }))],
]
for (const [name, call] of workloads) {
  for (let n = 0; n < 200; n++) await call(-n - 1) // warm-up
  const before = threadCpu(recorder.pid!)
  const t0 = performance.now()
  for (let n = 0; n < calls; n++) await call(n)
  const wall = performance.now() - t0
  const after = threadCpu(recorder.pid!)
  const parts = [...after].map(([thread, us]) => [thread, (us - (before.get(thread) ?? 0)) / calls] as const).filter(([, us]) => us > 0)
  const total = parts.reduce((sum, [, us]) => sum + us, 0)
  console.log(`${name}: ${calls} calls, ${(wall / calls).toFixed(2)} ms wall, ${(total / 1000).toFixed(3)} ms recorder CPU per call: ` +
    parts.sort((a, b) => b[1] - a[1]).map(([thread, us]) => `${thread} ${(us / 1000).toFixed(3)}`).join(', '))
}
ivs.destroy()
recorder.kill('SIGTERM')
await new Promise((resolve) => recorder.once('exit', resolve))
await upstream.close()

if (values.profile) {
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!
  const summary = summarise(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')), repoRoot, 40)
  const total = 2 * (calls + 200) + 1
  console.log(`\nmain thread under the profiler: ${summary.busyMs.toFixed(0)} ms busy, ${(summary.busyMs / total).toFixed(3)} ms per call`)
  console.log('\nown functions, inclusive (ms per call, share of the main thread):')
  for (const s of summary.topOwnInclusive) console.log(`  ${(s.ms / total).toFixed(3)}  ${(s.share * 100).toFixed(1)}%  ${s.name} ${s.where}`)
  console.log('\nself time by file:')
  for (const s of summary.byFile) console.log(`  ${(s.ms / total).toFixed(3)}  ${(s.share * 100).toFixed(1)}%  ${s.name}`)
  console.log('\ntop self:')
  for (const s of summary.topSelf.slice(0, 25)) console.log(`  ${(s.ms / total).toFixed(3)}  ${(s.share * 100).toFixed(1)}%  ${s.name} ${s.where}`)
}
