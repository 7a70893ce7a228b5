// Starts a server under test as its own process, pinned to the server core with taskset (which
// execs, so the pid we hold is the server's own and /proc/<pid> measures it alone), waits until it
// is ready, and stops it by that pid: SIGTERM, then SIGKILL if it lingers.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { tasksetPath } from './proc-stats.js'

export interface ServerProcess {
  readonly name: string
  readonly pid: number
  readonly endpoint: string
  /** The last few KB the process printed (for diagnostics). */
  output(): string
  /** Whether it is still running. */
  alive(): boolean
  stop(): Promise<void>
}

export interface SpawnOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly cwd: string
  /** The core to pin it to (when taskset exists). */
  readonly cpu?: number
  readonly env?: NodeJS.ProcessEnv
  /**
   * How to know it is ready: a pattern on its output whose first group is the endpoint, or a fixed
   * endpoint to poll until it accepts a TCP connection.
   */
  readonly ready: { readonly pattern: RegExp } | { readonly poll: string }
  readonly timeoutMs?: number
}

/** The command line, prefixed with taskset when pinning is possible. */
export function pinned(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  const taskset = tasksetPath()
  return cpu !== undefined && taskset ? [taskset, ['-c', String(cpu), command, ...args]] : [command, [...args]]
}

/**
 * Runs a one-shot node script (pinned like a server) and resolves the JSON object on the last line of
 * its stdout; rejects with its exit code and the tail of its stderr when there is none.
 */
export function runJsonScript(o: { cpu?: number; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<unknown> {
  const [cmd, argv] = pinned(o.cpu, process.execPath, o.args)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-2000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as unknown)
      } catch {
        reject(new Error(`exit ${code}: ${err.trim()}`))
      }
    })
  })
}

export async function spawnServer(o: SpawnOptions): Promise<ServerProcess> {
  const [command, args] = pinned(o.cpu, o.command, o.args)
  const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4096)
  }
  child.stdout!.on('data', append)
  child.stderr!.on('data', append)
  const proc: ServerProcess = {
    name: o.name,
    pid: child.pid!,
    endpoint: '',
    output: () => output,
    alive: () => !exited,
    stop: () => stopChild(child),
  }
  try {
    const endpoint = await waitReady(child, o, () => output, () => exited)
    return { ...proc, endpoint }
  } catch (err) {
    await stopChild(child)
    throw new Error(`${o.name} did not start: ${(err as Error).message}\n${output.trim()}`)
  }
}

async function waitReady(child: ChildProcess, o: SpawnOptions, output: () => string, exited: () => boolean): Promise<string> {
  const deadline = Date.now() + (o.timeoutMs ?? 20_000)
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`exited with code ${child.exitCode}`)
    if ('pattern' in o.ready) {
      const m = o.ready.pattern.exec(output())
      if (m) return m[1]
    } else if (await accepts(o.ready.poll)) {
      return o.ready.poll
    }
    await new Promise((r) => setTimeout(r, 'pattern' in o.ready ? 5 : 50))
  }
  throw new Error(`not ready after ${o.timeoutMs ?? 20_000} ms`)
}

/** Whether something accepts TCP connections at the endpoint. */
export function accepts(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint)
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** A port nobody listens on right now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}
