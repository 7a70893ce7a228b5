// Starts server-main.ts in a child process and talks to it over IPC (RSS readings, forced GC,
// shutdown). The child's stderr is kept: the server logs internal errors there, and the suite fails
// on any it finds.
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')

export interface Memory {
  readonly rss: number
  readonly heapUsed: number
}

export interface ChildServer {
  readonly endpoint: string
  readonly port: number
  readonly pid: number
  /** Resident set size and V8 heap in use of the server process, in bytes. */
  memory(): Promise<Memory>
  /** Runs a full GC in the server (started with --expose-gc), then reads its memory. */
  gcThenMemory(): Promise<Memory>
  /** Lines the server wrote to stderr so far. */
  stderrLines(): string[]
  /** Set when the server process exited on its own. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined
  close(): Promise<void>
}

export async function startChildServer(config: Record<string, unknown>): Promise<ChildServer> {
  const child: ChildProcess = fork(path.join(here, 'server-main.ts'), [JSON.stringify(config)], {
    cwd: root,
    // Explicit, so the child does not inherit the test runner's loaders (tap's ts-node, coverage).
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8')
  })
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  child.on('exit', (code, signal) => {
    exit = { code, signal }
  })

  const ready = await new Promise<{ endpoint: string; port: number }>((resolve, reject) => {
    const onMessage = (m: unknown) => {
      const msg = m as { ready?: boolean; endpoint: string; port: number }
      if (msg.ready) {
        child.off('message', onMessage)
        resolve(msg)
      }
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`server process exited (${code}) before it was ready: ${stderr}`)))
    setTimeout(() => reject(new Error(`server process not ready after 20 s: ${stderr}`)), 20_000).unref()
  })

  let nextId = 1
  const ask = (cmd: 'rss' | 'gc' | 'close') =>
    new Promise<Memory>((resolve, reject) => {
      if (exit) {
        reject(new Error(`server process has exited: ${JSON.stringify(exit)}`))
        return
      }
      const id = nextId++
      const onMessage = (m: unknown) => {
        const msg = m as { id?: number; rss: number; heapUsed: number }
        if (msg.id === id) {
          child.off('message', onMessage)
          resolve({ rss: msg.rss, heapUsed: msg.heapUsed })
        }
      }
      child.on('message', onMessage)
      child.send({ id, cmd })
    })

  return {
    endpoint: ready.endpoint,
    port: ready.port,
    pid: child.pid!,
    memory: () => ask('rss'),
    gcThenMemory: () => ask('gc'),
    stderrLines: () => stderr.split('\n').filter(Boolean),
    exited: () => exit,
    close: async () => {
      if (exit) return
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      await ask('close').catch(() => undefined)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await gone
      clearTimeout(timer)
    },
  }
}
