// Starts recorder-main.ts as a child process for the recording-fault checks: record mode, a cassette
// in a temp folder, an upstream on 127.0.0.1, the real credentials in its environment only. Options
// put the process under a file-size limit (bash's `ulimit -S -f`, the soft limit so the test can
// lift it again with prlimit) or run it as another user (root ignores file modes). Linux (or any
// system with bash); the checks that need more (chattr, prlimit, mount) skip themselves without it.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const ENTRY = path.join(here, 'recorder-main.ts')

export interface RecorderOptions {
  readonly cassette: string
  readonly upstreamUrl: string
  readonly real: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /** Where the child's AWS shared files would be: pointed at files that do not exist. */
  readonly scratchDir: string
  /** RLIMIT_FSIZE in KiB (bash `ulimit -S -f`): writes past it fail with EFBIG. */
  readonly fileSizeLimitKiB?: number
  /** Run as this user and group (only root may ask). */
  readonly uid?: number
  readonly gid?: number
  /** More configuration, layered over the record-mode settings. */
  readonly config?: Record<string, unknown>
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface RecorderProcess {
  readonly pid: number
  /** Resolves with the endpoint once the recorder listens; rejects if it exits first. */
  readonly ready: Promise<{ endpoint: string; port: number }>
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<Exit>
  /** Set once the process has exited. */
  exit(): Exit | undefined
  /** Everything the child wrote to stderr so far (its log lines). */
  stderr(): string
  kill(signal: NodeJS.Signals): void
}

/** Every recorder still running: whatever happens to the test (a timeout, a throw), none outlives it. */
const running = new Map<number, ChildProcess>()
process.once('exit', () => {
  for (const child of running.values()) child.kill('SIGKILL')
})

export function spawnRecorder(o: RecorderOptions): RecorderProcess {
  const config = {
    mode: 'record',
    cassette: o.cassette,
    upstream: { url: o.upstreamUrl, timeoutMs: 5000 },
    logLevel: 'error',
    ...o.config,
  }
  const limit = o.fileSizeLimitKiB === undefined ? '' : `ulimit -S -f ${o.fileSizeLimitKiB} && `
  // Through bash, which sets the limit and then execs node, so the pid we hold is node's own and a
  // SIGKILL hits the recorder and nothing else. NODE_OPTIONS is unset there because tap's process
  // tracking puts its own --import back into every child's environment, whatever `env` says; its
  // signal handlers would turn the SIGXFSZ that node ignores into the recorder's death. --norc and
  // --noprofile keep this machine's shell start-up files out.
  const child: ChildProcess = spawn('bash', [
    '--norc', '--noprofile', '-c', `${limit}unset NODE_OPTIONS && exec "$@"`, 'bash',
    process.execPath, '--import', 'tsx', ENTRY, JSON.stringify(config),
  ], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the recorder needs: the real credentials, and shared files and instance metadata
    // pointing nowhere so this machine's own AWS setup never leaks in.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.TMPDIR !== undefined && { TMPDIR: process.env.TMPDIR }),
      AWS_ACCESS_KEY_ID: o.real.accessKeyId,
      AWS_SECRET_ACCESS_KEY: o.real.secretAccessKey,
      AWS_SHARED_CREDENTIALS_FILE: path.join(o.scratchDir, 'no-such-credentials'),
      AWS_CONFIG_FILE: path.join(o.scratchDir, 'no-such-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    ...(o.uid !== undefined && { uid: o.uid }),
    ...(o.gid !== undefined && { gid: o.gid }),
  })
  if (child.pid === undefined) throw new Error('the recorder process could not be started')
  const pid = child.pid
  running.set(pid, child)
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8')
  })
  let exit: Exit | undefined
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(pid)
      exit = { code, signal }
      resolve(exit)
    })
  })
  const ready = new Promise<{ endpoint: string; port: number }>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8')
      const line = out.split('\n')[0]
      if (out.includes('\n')) resolve(JSON.parse(line) as { endpoint: string; port: number })
    })
    void exited.then((e) => reject(new Error(`the recorder exited (code ${e.code}, signal ${e.signal}) before it listened: ${stderr.trim()}`)))
  })
  // A caller that kills the child during start-up may never look at `ready`.
  ready.catch(() => undefined)
  return {
    pid,
    ready,
    exited,
    exit: () => exit,
    stderr: () => stderr,
    kill: (signal) => {
      if (exit === undefined) child.kill(signal)
    },
  }
}

/** SIGKILLs every recorder still running (a suite's teardown). */
export function killAllRecorders(): void {
  for (const child of running.values()) child.kill('SIGKILL')
}

/** Asks the recorder to shut down cleanly (SIGTERM), and SIGKILLs it if it has not within `ms`. */
export async function stopRecorder(recorder: RecorderProcess, ms = 10_000): Promise<Exit> {
  if (recorder.exit()) return recorder.exit()!
  recorder.kill('SIGTERM')
  const timer = setTimeout(() => recorder.kill('SIGKILL'), ms)
  try {
    return await recorder.exited
  } finally {
    clearTimeout(timer)
  }
}
