// Sends one already-signed request to the upstream and reads its whole answer, within a deadline.
//
// A plain node:http(s) request rather than http-proxy: the pipeline has already read the body and
// answers through its own send(), and a Backend sees an IvsCall, not the live IncomingMessage and
// ServerResponse that http-proxy's web() pipes between. With selfHandleResponse and `buffer`,
// http-proxy would only wrap this same request around a counterfeit IncomingMessage, and its
// `timeout` option times out the client's socket, not the upstream's.
//
// The deadline covers everything (DNS, connect, TLS, headers, body): an upstream that stalls or
// trickles gets a 504 at `timeoutMs`, whatever it is doing.
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import zlib from 'node:zlib'
import type { UpstreamAnswer } from '../backend/backend.js'
import { UpstreamFailure } from './upstream-failure.js'
import type { UpstreamEndpoint } from './upstream-endpoint.js'

export interface OutgoingRequest {
  readonly endpoint: UpstreamEndpoint
  readonly method: string
  /** Path and query, percent-encoded, base path included. */
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

export interface UpstreamForwarderOptions {
  readonly timeoutMs: number
  /** PEM of extra CAs to trust, besides Node's bundled roots. */
  readonly ca?: string
}

/** IVS answers are a few KB; anything this big is not IVS and is not held in memory. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE'])

export class UpstreamForwarder {
  readonly #timeoutMs: number
  // Keep-alive: recording a suite means many calls to one host; a TLS handshake each would add up.
  readonly #httpAgent = new http.Agent({ keepAlive: true })
  readonly #httpsAgent: https.Agent

  constructor(options: UpstreamForwarderOptions) {
    this.#timeoutMs = options.timeoutMs
    // `ca` replaces the trusted roots, so the bundled ones are passed along with the extra CA.
    this.#httpsAgent = new https.Agent({ keepAlive: true, ...(options.ca && { ca: [...tls.rootCertificates, options.ca] }) })
  }

  /** The upstream's answer, whatever its status; rejects with an UpstreamFailure when there is none. */
  send(request: OutgoingRequest): Promise<UpstreamAnswer> {
    return this.#attempt(request, Date.now() + this.#timeoutMs, true)
  }

  close(): void {
    this.#httpAgent.destroy()
    this.#httpsAgent.destroy()
  }

  #attempt(request: OutgoingRequest, deadline: number, mayRetry: boolean): Promise<UpstreamAnswer> {
    const { endpoint } = request
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      let settled = false
      let answered = false
      const req = (endpoint.protocol === 'https:' ? https : http).request({
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: request.method,
        path: request.target,
        headers: request.headers,
        agent: endpoint.protocol === 'https:' ? this.#httpsAgent : this.#httpAgent,
      })
      const finish = (outcome: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        outcome()
      }
      const fail = (failure: UpstreamFailure) =>
        finish(() => {
          req.destroy()
          reject(failure)
        })
      const timer = setTimeout(
        () => fail(new UpstreamFailure('timeout', endpoint.host, `no complete answer within ${this.#timeoutMs} ms (upstream.timeoutMs)`)),
        Math.max(0, deadline - Date.now()),
      )

      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return
        // A kept-alive connection the upstream had already closed: the request never reached it,
        // so sending it once more on a fresh connection is safe (Node's documented remedy).
        if (!answered && mayRetry && req.reusedSocket && RESET_CODES.has(err.code ?? '')) {
          finish(() => this.#attempt(request, deadline, false).then(resolve, reject))
          return
        }
        fail(UpstreamFailure.from(err, endpoint.host))
      })
      req.on('response', (res) => {
        answered = true
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) fail(new UpstreamFailure('unavailable', endpoint.host, `answer larger than ${MAX_ANSWER_BYTES} bytes`))
          else chunks.push(chunk)
        })
        res.on('aborted', () => fail(new UpstreamFailure('unavailable', endpoint.host, 'the connection closed in the middle of the answer')))
        res.on('error', (err: NodeJS.ErrnoException) => {
          fail(err.message === 'aborted'
            ? new UpstreamFailure('unavailable', endpoint.host, 'the connection closed in the middle of the answer', { cause: err })
            : UpstreamFailure.from(err, endpoint.host))
        })
        res.on('end', () => {
          if (settled) return
          let body: Buffer
          try {
            body = decode(Buffer.concat(chunks, size), res.headers['content-encoding'])
          } catch (err) {
            fail(new UpstreamFailure('unavailable', endpoint.host, `undecodable answer body: ${(err as Error).message}`, { cause: err }))
            return
          }
          finish(() => resolve({ status: res.statusCode ?? 502, headers: res.headers, body }))
        })
      })
      req.end(request.body)
    })
  }
}

/** We never ask for compression; should an upstream compress anyway, the body is decoded here. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return body
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body)
    case 'deflate':
      return zlib.inflateSync(body)
    case 'br':
      return zlib.brotliDecompressSync(body)
    default:
      throw new Error(`unsupported content-encoding ${JSON.stringify(encoding)}`)
  }
}
