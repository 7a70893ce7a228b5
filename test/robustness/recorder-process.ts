// Starts recorder-main.ts as a child process for the recording-fault checks: record mode, a cassette
// in a temp folder, an upstream on 127.0.0.1, the real credentials in its environment only. Options
// put the process under a file-size limit (bash's `ulimit -S -f`, the soft limit so the test can
// lift it again with prlimit) or run it as another user (root ignores file modes).
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

export function spawnRecorder(o: RecorderOptions): RecorderProcess {
  const config = {
    mode: 'record',
    cassette: o.cassette,
    upstream: { url: o.upstreamUrl, timeoutMs: 5000 },
    logLevel: 'error',
    ...o.config,
  }
  const node = [process.execPath, '--import', 'tsx', ENTRY, JSON.stringify(config)]
  // bash, then exec: the pid we hold is node's own, so a SIGKILL hits the recorder and nothing else.
  const [command, ...args] = o.fileSizeLimitKiB === undefined
    ? node
    : ['bash', '-c', `ulimit -S -f ${o.fileSizeLimitKiB} && exec "$@"`, 'bash', ...node]
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the recorder needs: the real credentials, and shared files and instance metadata
    // pointing nowhere so this machine's own AWS setup never leaks in. NODE_OPTIONS is cleared so the
    // child does not inherit the test runner's loaders.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.TMPDIR !== undefined && { TMPDIR: process.env.TMPDIR }),
      NODE_OPTIONS: '',
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
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8')
  })
  let exit: Exit | undefined
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
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
    pid: child.pid,
    ready,
    exited,
    exit: () => exit,
    stderr: () => stderr,
    kill: (signal) => {
      if (exit === undefined) child.kill(signal)
    },
  }
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
