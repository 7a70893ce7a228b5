// Shared by the tests of cassettes in CI and in review (cassette-verify.test.ts, cassette-ci.test.ts):
// recordings made through a real record-mode ivs-replay (a second ivs-replay plays "real AWS", and a
// small proxy plays a stand-in whose shapes differ), and child-process runners for the command line.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CreateChannelCommand, DeleteChannelCommand, GetChannelCommand, ListChannelsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ivs'
import type { Test } from 'tap'
import type { NewInteraction } from '../../src/storage/storage.js'
import { requestIdentity } from '../../src/cassette/request-identity.js'
import { start, type RunningServer } from '../../src/index.js'
import { clientFor } from './ivs-client.js'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const REAL_KEY_ID = 'AKIDREALVERIFY01'
export const REAL_SECRET = 'real-verify-secret'
export const REAL_ACCOUNT = '999988887777'

// Child processes: no tap coverage hook (it doubles their cost), no IVS_REPLAY_*, CI or AWS_* from the shell.
export const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(IVS_REPLAY_|_TAPJS_|NODE_OPTIONS$|CI$|AWS_)/.test(k)))

/**
 * Record mode signs with the real credentials of the AWS default chain: the environment here, with
 * shared files pointing nowhere so this machine's own setup never leaks in. Recording is allowed
 * under CI=true (CI runs the suite with CI=true; the refusal itself is tested on its own).
 */
export function useRealEnvironment(t: Test): void {
  const savedEnv = { ...process.env }
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: path.join(t.testdirName, 'no-such-credentials'),
    AWS_CONFIG_FILE: path.join(t.testdirName, 'no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: REAL_KEY_ID,
    AWS_SECRET_ACCESS_KEY: REAL_SECRET,
    IVS_REPLAY_RECORD_IN_CI: 'true',
  })
  t.teardown(() => {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
    Object.assign(process.env, savedEnv)
  })
}

/** "Real AWS": an ivs-replay with the real credentials and its own account. */
export async function realUpstream(t: Test): Promise<RunningServer> {
  const upstream = await start({ config: { credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: REAL_ACCOUNT }] } })
  t.teardown(() => upstream.close())
  return upstream
}

/**
 * A stand-in whose shapes differ from IVS: it forwards to a simulator and answers with the channel
 * missing `latencyMode` and carrying a member IVS does not have, `ingestRegion`. Returns its URL.
 */
export async function unfaithfulUpstream(t: Test): Promise<string> {
  const inner = await start({ config: { auth: 'off', credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: REAL_ACCOUNT }] } })
  t.teardown(() => inner.close())
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = { ...req.headers }
      delete headers.host
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : Buffer.concat(chunks)
      fetch(`${inner.endpoint}${req.url ?? '/'}`, { method: req.method, headers: headers as Record<string, string>, body })
        .then(async (answer) => {
          let text = await answer.text()
          const contentType = answer.headers.get('content-type') ?? 'application/json'
          // Only JSON answers are IVS's: STS GetCallerIdentity (the recorder asks it first) is XML.
          const json = text && contentType.includes('json') ? (JSON.parse(text) as { channel?: Record<string, unknown> }) : {}
          if (json.channel) {
            delete json.channel.latencyMode
            json.channel.ingestRegion = 'us-west-2'
            text = JSON.stringify(json)
          }
          const out: Record<string, string> = { 'content-type': contentType }
          const errorType = answer.headers.get('x-amzn-errortype')
          if (errorType) out['x-amzn-ErrorType'] = errorType
          res.writeHead(answer.status, out).end(text)
        })
        .catch(() => res.writeHead(500).end())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Records one small suite (5 interactions) through a record-mode ivs-replay in front of `upstreamUrl`. */
export async function recordSuite(file: string, upstreamUrl: string): Promise<void> {
  const recorder = await start({ config: { mode: 'record', cassette: file, upstream: { url: upstreamUrl } } })
  try {
    const ivs = clientFor(recorder)
    const { channel } = await ivs.send(new CreateChannelCommand({ name: 'verify-demo', tags: { team: 'video' } }))
    await ivs.send(new GetChannelCommand({ arn: channel!.arn }))
    await ivs.send(new ListChannelsCommand({}))
    await ivs.send(new ListTagsForResourceCommand({ resourceArn: channel!.arn }))
    await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }))
  } finally {
    await recorder.close()
  }
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `ivs-replay ARGS…` in a child process. */
export function cli(args: readonly string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args], {
      cwd: o.cwd ?? root, env: { ...childEnv, ...o.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A `serve` child (as nobody through runuser if asked): its endpoint once it listens. */
export function serveChild(args: readonly string[], o: { asNobody?: boolean } = {}): { child: ChildProcess; endpoint: Promise<string>; output: () => string } {
  const node = [process.execPath, '--import', 'tsx', path.join(root, 'src/cli.ts'), 'serve', '--port', '0', ...args]
  const [command, ...rest] = o.asNobody ? ['runuser', '-u', 'nobody', '--', ...node] : node
  const child = spawn(command, rest, { cwd: root, env: childEnv })
  let output = ''
  const endpoint = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (m) resolve(m[1])
    })
    child.stderr!.on('data', (d: Buffer) => (output += d))
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })
  endpoint.catch(() => undefined)
  return { child, endpoint, output: () => output }
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
}

export function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** Files beside the cassette that SQLite made (-wal, -shm, -journal). */
export function sqliteLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => /-(wal|shm|journal)$/.test(f))
}

export class LogSink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

/** A sub-command run in this process (a child costs seconds on a loaded machine): its exit code and report. */
export async function inProcess(command: (args: readonly string[], out: Writable) => Promise<number>, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  const sink = new LogSink()
  const code = await command(args, sink)
  return { code, stdout: sink.text }
}

export function jsonRequest(operation: string, body: Record<string, unknown>): NewInteraction['request'] {
  return { method: 'POST', path: `/${operation}`, query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) }
}

export function handMade(operation: string, body: string, recordedAt?: string): NewInteraction {
  const request = { method: 'POST', path: `/${operation}`, query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }
  return {
    operation,
    identity: requestIdentity({ operation, path: request.path, query: {}, body: {} }),
    request,
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) },
    ...(recordedAt !== undefined && { recordedAt }),
  }
}

