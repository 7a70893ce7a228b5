// Talking to the server under test: a keep-alive HTTP driver for volume, and a raw socket for the
// requests no HTTP client will send (lying lengths, garbage framing, half-sent bodies). Both are
// loopback-only and time-bounded: a hang is reported as a failure, never waited out.
import http, { type IncomingHttpHeaders } from 'node:http'
import net from 'node:net'

export interface WireRequest {
  readonly method: string
  /** Raw request-target: percent-encoded path plus optional query. */
  readonly target: string
  /** Lower-case names; content-length is added from the body. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

export interface WireResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** Refuses anything but loopback: this suite must never aim traffic elsewhere. */
export function assertLoopback(host: string): void {
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error(`the robustness suite only talks to loopback, not ${host}`)
  }
}

export class HttpDriver {
  readonly #agent: http.Agent
  /** Most sockets open at once, as the agent saw it (the load test reports it). */
  maxOpenSockets = 0

  constructor(
    readonly host: string,
    readonly port: number,
    connections: number,
  ) {
    assertLoopback(host)
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections })
  }

  get hostHeader(): string {
    return `${this.host}:${this.port}`
  }

  send(req: WireRequest, timeoutMs = 10_000): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { host: this.hostHeader, ...req.headers }
      if (req.body.length > 0 || req.method === 'POST') headers['content-length'] = req.body.length
      const r = http.request(
        { host: this.host, port: this.port, method: req.method, path: req.target, headers, agent: this.#agent, setHost: false },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            clearTimeout(timer)
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
          })
          res.on('error', (err) => {
            clearTimeout(timer)
            reject(err)
          })
        },
      )
      r.on('socket', () => {
        const open = Object.values(this.#agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0)
        if (open > this.maxOpenSockets) this.maxOpenSockets = open
      })
      const timer = setTimeout(() => {
        r.destroy(new Error(`no answer within ${timeoutMs} ms: ${req.method} ${req.target.slice(0, 120)}`))
      }, timeoutMs)
      r.on('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      r.end(req.body)
    })
  }

  close(): void {
    this.#agent.destroy()
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return out
}

export interface ParsedResponse {
  readonly status: number
  /** Lower-case names; repeated headers keep the last value. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** Parses the HTTP/1.1 responses in a byte stream (content-length framed, as the server sends). */
export function parseResponses(data: Buffer): ParsedResponse[] {
  const out: ParsedResponse[] = []
  let at = 0
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at)
    if (end < 0) break
    const head = data.subarray(at, end).toString('latin1').split('\r\n')
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0])
    if (!m) break
    const headers: Record<string, string> = {}
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'] ?? 0)
    const body = data.subarray(end + 4, end + 4 + length)
    out.push({ status: Number(m[1]), headers, body })
    at = end + 4 + length
  }
  return out
}

/** True when the last response in `data` has all the body its content-length announces. */
function completeBodies(data: Buffer): boolean {
  const parsed = parseResponses(data)
  if (parsed.length === 0) return false
  const last = parsed[parsed.length - 1]
  return last.body.length >= Number(last.headers['content-length'] ?? 0)
}

export interface RawStep {
  /** Bytes to write (nothing: just wait). */
  readonly write?: Buffer | string
  /** Wait this long after the write. */
  readonly pauseMs?: number
  /** Destroy the socket here (a client that goes away). */
  readonly destroy?: boolean
  /** Half-close (FIN) after this step's write. */
  readonly end?: boolean
}

export interface RawOutcome {
  readonly responses: ParsedResponse[]
  /** Raw bytes received (for cases that are not HTTP at all). */
  readonly received: Buffer
  /** The server closed the connection (or reset it) before our deadline. */
  readonly closedByServer: boolean
  /** Our deadline passed with the connection still open. */
  readonly timedOut: boolean
  readonly error?: string
}

export interface RawOptions {
  /** How long to wait after the last step (default 2 s). */
  readonly waitMs?: number
  /** Stop as soon as this many complete responses have arrived. */
  readonly stopAfterResponses?: number
  /** Destroy the socket on the first byte of the answer (a client that leaves mid-response). */
  readonly destroyOnFirstData?: boolean
  readonly host?: string
}

/**
 * Plays `steps` on a fresh TCP connection and collects whatever comes back until the server closes
 * the connection, we destroy it, enough responses arrived, or `waitMs` after the last step passes.
 */
export function rawExchange(port: number, steps: readonly RawStep[], options: RawOptions = {}): Promise<RawOutcome> {
  const host = options.host ?? '127.0.0.1'
  const waitMs = options.waitMs ?? 2000
  assertLoopback(host)
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const chunks: Buffer[] = []
    let closedByServer = false
    let destroyedByUs = false
    let error: string | undefined
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (timedOut: boolean) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      socket.destroy()
      const received = Buffer.concat(chunks)
      resolve({ responses: parseResponses(received), received, closedByServer, timedOut, error })
    }
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      if (options.destroyOnFirstData) {
        destroyedByUs = true
        finish(false)
        return
      }
      const want = options.stopAfterResponses
      if (want !== undefined && parseResponses(Buffer.concat(chunks)).length >= want && completeBodies(Buffer.concat(chunks))) {
        destroyedByUs = true
        finish(false)
      }
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset while we are still writing is the server closing on us (e.g. after a 413).
      if (!destroyedByUs) {
        closedByServer = true
        error = err.code ?? err.message
      }
    })
    socket.on('close', () => {
      if (!destroyedByUs) closedByServer = true
      finish(false)
    })
    socket.on('connect', async () => {
      for (const step of steps) {
        if (settled || socket.destroyed) break
        if (step.write !== undefined) {
          await new Promise<void>((done) => {
            socket.write(step.write as Buffer | string, () => done())
          })
        }
        if (step.end) socket.end()
        if (step.destroy) {
          destroyedByUs = true
          finish(false)
          return
        }
        if (step.pauseMs) await new Promise((r) => setTimeout(r, step.pauseMs))
      }
      timer = setTimeout(() => finish(true), waitMs)
    })
  })
}
