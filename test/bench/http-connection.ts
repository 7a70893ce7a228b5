// One keep-alive HTTP/1.1 client connection over node:net with a minimal response parser: the
// load generator's transport. It writes request bytes prepared in advance (so the client spends
// its core on measuring, not on node:http's machinery — about 3× the requests per client CPU
// second) and reads responses framed by Content-Length, chunked encoding or connection close.
// A server that closes after each answer (moto's werkzeug does) is reconnected transparently.
import net from 'node:net'

export interface HttpResponse {
  readonly status: number
  /** The header block as received (status line included), latin1. */
  readonly head: string
  readonly body: Buffer
}

const CRLFCRLF = Buffer.from('\r\n\r\n')

/** A header's value from a head whose text was lower-cased (names are looked up as `\r\nname:`). */
function headerValue(lowerHead: string, name: string): string | undefined {
  const key = `\r\n${name}:`
  const at = lowerHead.indexOf(key)
  if (at < 0) return undefined
  const end = lowerHead.indexOf('\r', at + key.length)
  return lowerHead.slice(at + key.length, end < 0 ? undefined : end).trim()
}

export class HttpConnection {
  readonly #host: string
  readonly #port: number
  #socket: net.Socket | undefined
  #buffer: Buffer = Buffer.alloc(0)
  #pending: { resolve: (r: HttpResponse) => void; reject: (e: Error) => void } | undefined
  /** Parsed head of the response being received, once complete. */
  #head: { status: number; head: string; length: number | 'chunked' | 'close'; close: boolean; bodyStart: number } | undefined
  /** How many times a connection was (re)opened. */
  connects = 0

  constructor(endpoint: string) {
    const url = new URL(endpoint)
    this.#host = url.hostname
    this.#port = Number(url.port)
  }

  #open(): net.Socket {
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true })
    this.connects++
    this.#buffer = Buffer.alloc(0)
    this.#head = undefined
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (err) => {
      if (this.#socket === socket) this.#fail(err)
    })
    socket.on('close', () => {
      // A socket already given up (failed, or replaced) has nothing more to say.
      if (this.#socket !== socket) return
      this.#socket = undefined
      // A response framed by connection close ends here.
      if (this.#pending && this.#head?.length === 'close') {
        this.#complete(this.#buffer.subarray(this.#head.bodyStart))
      } else {
        this.#fail(new Error('connection closed before a complete response'))
      }
    })
    return socket
  }

  /** Sends one request and resolves with its response; one request at a time per connection. */
  request(bytes: Buffer): Promise<HttpResponse> {
    if (this.#pending) return Promise.reject(new Error('a request is already in flight on this connection'))
    const socket = (this.#socket ??= this.#open())
    return new Promise<HttpResponse>((resolve, reject) => {
      this.#pending = { resolve, reject }
      socket.write(bytes)
    })
  }

  /** Closes the connection; a request in flight fails with `reason`. */
  close(reason?: Error): void {
    if (reason && this.#pending) {
      this.#fail(reason)
      return
    }
    this.#socket?.destroy()
    this.#socket = undefined
  }

  #fail(err: Error): void {
    const pending = this.#pending
    this.#pending = undefined
    this.#socket?.destroy()
    this.#socket = undefined
    pending?.reject(err)
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    if (!this.#head) {
      const end = this.#buffer.indexOf(CRLFCRLF)
      if (end < 0) return
      const head = this.#buffer.subarray(0, end).toString('latin1')
      const status = Number(head.slice(9, 12))
      const http10 = head.startsWith('HTTP/1.0')
      const lower = head.toLowerCase()
      const connection = headerValue(lower, 'connection')
      const close = connection === 'close' || (http10 && connection !== 'keep-alive')
      const te = headerValue(lower, 'transfer-encoding')
      const cl = headerValue(lower, 'content-length')
      const length = te?.includes('chunked') ? 'chunked' as const
        : cl !== undefined ? Number(cl)
        : status === 204 || status === 304 || (status >= 100 && status < 200) ? 0
        : 'close' as const
      this.#head = { status, head, length, close, bodyStart: end + 4 }
    }
    const h = this.#head
    if (typeof h.length === 'number') {
      if (this.#buffer.length < h.bodyStart + h.length) return
      this.#complete(this.#buffer.subarray(h.bodyStart, h.bodyStart + h.length))
    } else if (h.length === 'chunked') {
      const body = dechunk(this.#buffer, h.bodyStart)
      if (body) this.#complete(body)
    }
    // 'close': completed by the close handler.
  }

  #complete(body: Buffer): void {
    const h = this.#head!
    const pending = this.#pending
    this.#pending = undefined
    this.#head = undefined
    this.#buffer = Buffer.alloc(0)
    if (h.close || h.length === 'close') {
      const socket = this.#socket
      this.#socket = undefined
      socket?.removeAllListeners('close')
      socket?.on('close', () => undefined)
      socket?.destroy()
    }
    pending?.resolve({ status: h.status, head: h.head, body })
  }
}

/** The body of a complete chunked message starting at `start`, or undefined if more is to come. */
function dechunk(buf: Buffer, start: number): Buffer | undefined {
  const parts: Buffer[] = []
  let at = start
  for (;;) {
    const eol = buf.indexOf('\r\n', at)
    if (eol < 0) return undefined
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) throw new Error('malformed chunk size')
    if (size === 0) {
      // Trailers (none expected) end with an empty line.
      const end = buf.indexOf(CRLFCRLF, eol - 2 < start ? start : eol - 2)
      return end < 0 ? undefined : Buffer.concat(parts)
    }
    if (buf.length < eol + 2 + size + 2) return undefined
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}
