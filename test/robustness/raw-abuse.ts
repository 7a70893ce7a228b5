// Category 1c: HTTP abuse over a bare net.Socket — lying or missing content-length, chunked
// garbage, very long URLs and headers, many headers, slow senders, clients that leave mid-body or
// mid-response, 10 MiB bodies, pipelining, odd request lines. Every outcome must be an AWS-shaped
// 4xx (or the right success) or a closed connection; never a 5xx, a crash or a hang.
import net from 'node:net'
import type { Test } from 'tap'
import { ivs } from '../../src/model/services.js'
import { basicProblem } from './check.js'
import { signRequest } from './fast-signer.js'
import { MAIN_KEY, Tally, type Budget, type Client } from './harness.js'
import { modelCasesFor } from './model-cases.js'
import { parseResponses, rawExchange, type ParsedResponse, type RawOptions, type RawOutcome, type RawStep } from './wire.js'

const { operationNames } = ivs
const { baselineInput, buildRequest } = modelCasesFor(ivs)

interface RawCase {
  readonly label: string
  readonly steps: readonly RawStep[]
  readonly options?: RawOptions
  readonly expect: (o: RawOutcome) => string | undefined
}

const MiB = 1024 * 1024

interface HeadOptions {
  /** Sign the request (over `signedBody`, default `body`). */
  readonly signed?: boolean
  readonly signedBody?: string | Buffer
  /** Content-Length to announce: a number, a raw string, or `null` for none. */
  readonly contentLength?: number | string | null
  readonly extra?: readonly string[]
  readonly version?: string
  readonly host?: string | null
}

/** The signed headers but Host (content-type, x-amz-date, authorization, …) as header lines. */
function signatureLines(host: string, method: string, target: string, signedBody: string | Buffer): string[] {
  const headers = signRequest(
    { method, target, host, headers: { 'content-type': 'application/json' }, body: Buffer.isBuffer(signedBody) ? signedBody : Buffer.from(signedBody) },
    MAIN_KEY,
  )
  return Object.entries(headers).filter(([k]) => k !== 'host').map(([k, v]) => `${k}: ${v}`)
}

/** A request head (and nothing of the body) as bytes, signed with the fast signer when asked. */
function head(port: number, method: string, target: string, body: string | Buffer, o: HeadOptions = {}): string {
  const host = o.host === undefined ? `127.0.0.1:${port}` : o.host
  const lines: string[] = [`${method} ${target} ${o.version ?? 'HTTP/1.1'}`]
  if (o.signed !== false && host !== null) lines.push(...signatureLines(host, method, target, o.signedBody ?? body))
  if (host !== null) lines.push(`host: ${host}`)
  const length = o.contentLength === undefined ? Buffer.byteLength(body) : o.contentLength
  if (length !== null) lines.push(`content-length: ${length}`)
  lines.push(...(o.extra ?? []))
  return `${lines.join('\r\n')}\r\n\r\n`
}

function statuses(o: RawOutcome): number[] {
  return o.responses.map((r) => r.status)
}

/** Every response well-formed (AWS error shape on errors, no 5xx); `allowed` limits the statuses. */
function responsesOk(o: RawOutcome, allowed?: readonly number[]): string | undefined {
  for (const r of o.responses) {
    if (r.status === 100) continue
    const problem = basicProblem({ status: r.status, headers: r.headers, body: r.body })
    if (problem) return problem
    if (allowed && !allowed.includes(r.status)) return `status ${r.status}, expected one of ${allowed.join(', ')} (got ${statuses(o).join(', ')})`
  }
  return undefined
}

/** The exact statuses, in order (100 Continue ignored). */
function answeredExactly(expected: readonly number[]): (o: RawOutcome) => string | undefined {
  return (o) => {
    const got = statuses(o).filter((s) => s !== 100)
    if (got.join(',') !== expected.join(',')) return `expected ${expected.join(', ')}, got ${got.join(', ') || 'nothing'}${o.timedOut ? ' (timed out)' : ''}`
    return responsesOk(o)
  }
}

/** Refused with a 4xx (AWS-shaped) and the connection closed, or simply closed. */
function refusedOrClosed(allowed: readonly number[] = [400, 403, 404, 405, 408, 411, 413, 414, 417, 431]): (o: RawOutcome) => string | undefined {
  return (o) => {
    const problem = responsesOk(o, allowed)
    if (problem) return problem
    if (!o.closedByServer) return `the connection stayed open (answers: ${statuses(o).join(', ') || 'none'})`
    return undefined
  }
}

/**
 * A good request followed by garbage in the same packet: node's parser may reject the garbage
 * before the first request's (async) answer is written, so the 200 is optional; the 400 and the
 * close are not.
 */
function answerThenRefusal(o: RawOutcome): string | undefined {
  const got = statuses(o).join(',')
  if (got !== '200,400' && got !== '400') return `expected [200,] 400, got ${got || 'nothing'}`
  return responsesOk(o) ?? (o.closedByServer ? undefined : 'left open after the garbage')
}

/** Whatever happened, it was not a 5xx or a malformed error. */
function noServerError(o: RawOutcome): string | undefined {
  return responsesOk(o)
}

export function rawCases(port: number, budget: Budget): RawCase[] {
  const h = (method: string, target: string, body: string | Buffer, o?: HeadOptions) => head(port, method, target, body, o)
  const list = '{"maxResults":1}'
  const listHead = h('POST', '/ListChannels', list)
  const full = budget.name === 'full'
  const cases: RawCase[] = [
    // Content-Length lies and omissions.
    { label: 'body without content-length', steps: [{ write: h('POST', '/ListChannels', '', { contentLength: null }) + list }],
      options: { waitMs: 1000 }, expect: answerThenRefusal },
    { label: 'content-length larger than the body, then FIN', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: 500 }) + list, end: true }],
      options: { waitMs: 1500 }, expect: refusedOrClosed() },
    { label: 'content-length larger than the body, then the client leaves', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: 500 }) + list, pauseMs: 300, destroy: true }],
      expect: noServerError },
    { label: 'content-length smaller than the body', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: 5 }) + list }],
      options: { waitMs: 1000 }, expect: (o) => responsesOk(o, [400, 403]) ?? (o.closedByServer ? undefined : 'left open after the leftover bytes') },
    { label: 'content-length not a number', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: 'abc' }) + list }], expect: refusedOrClosed() },
    { label: 'negative content-length', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: '-1' }) + list }], expect: refusedOrClosed() },
    { label: 'two different content-lengths', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['content-length: 3'] }) + list }], expect: refusedOrClosed() },
    { label: 'content-length past 2^53', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: '99999999999999999999' }) + list }], expect: refusedOrClosed() },
    { label: 'content-length and chunked together', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['transfer-encoding: chunked'] }) + `10\r\n${list}\r\n0\r\n\r\n` }], expect: refusedOrClosed() },

    // Chunked bodies, good and bad.
    { label: 'chunked, valid', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + `${list.length.toString(16)}\r\n${list}\r\n0\r\n\r\n` }],
      options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: 'chunked, one byte per chunk', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + [...list].map((ch) => `1\r\n${ch}\r\n`).join('') + '0\r\n\r\n' }],
      options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: 'chunked, garbage size', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + `ZZ\r\n${list}\r\n0\r\n\r\n` }], expect: refusedOrClosed() },
    { label: 'chunked, size overflow', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + `ffffffffffffffffff\r\n${list}\r\n0\r\n\r\n` }], expect: refusedOrClosed() },
    { label: 'chunked, chunk longer than announced', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + `2\r\n${list}\r\n0\r\n\r\n` }], expect: refusedOrClosed() },
    { label: 'chunked, never terminated, client leaves', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: chunked'] }) + '4\r\n{"ma\r\n', pauseMs: 300, destroy: true }], expect: noServerError },
    { label: 'transfer-encoding unknown', steps: [{ write: h('POST', '/ListChannels', list, { contentLength: null, extra: ['transfer-encoding: gzip, chunked, identity'] }) + list }], expect: refusedOrClosed() },
    { label: 'chunked, 2 MiB in 64 KiB chunks', steps: [{ write: h('POST', '/ListChannels', '', { contentLength: null, extra: ['transfer-encoding: chunked'] }) }, ...Array.from({ length: 32 }, () => ({ write: `10000\r\n${'x'.repeat(65536)}\r\n` })), { write: '0\r\n\r\n' }],
      options: { waitMs: 3000 }, expect: refusedOrClosed([413]) },

    // Sizes: 10 MiB, just over and exactly at the 1 MiB limit.
    { label: '10 MiB body with content-length', steps: [{ write: h('POST', '/CreateChannel', '', { contentLength: 10 * MiB }) }, { write: Buffer.alloc(10 * MiB, 0x20) }],
      options: { waitMs: 3000 }, expect: refusedOrClosed([413]) },
    { label: '1 MiB + 1 body', steps: [{ write: h('POST', '/CreateChannel', '', { contentLength: MiB + 1 }) }, { write: Buffer.alloc(MiB + 1, 0x20) }],
      options: { waitMs: 3000 }, expect: refusedOrClosed([413]) },
    (() => {
      const body = `{"maxResults":1,"pad":"${'p'.repeat(MiB - 26)}"}`
      return { label: 'exactly 1 MiB of valid JSON', steps: [{ write: h('POST', '/ListChannels', body) + body }], options: { stopAfterResponses: 1, waitMs: 5000 }, expect: answeredExactly([200]) }
    })(),

    // Long and many headers, long URLs.
    { label: 'URL of 8 KB (under the limit)', steps: [{ write: h('POST', `/${'a'.repeat(8000)}`, '{}') + '{}' }], options: { stopAfterResponses: 1 }, expect: answeredExactly([404]) },
    { label: 'URL of 64 KB', steps: [{ write: h('POST', `/${'a'.repeat(64 * 1024)}`, '{}', { signed: false }) + '{}' }], expect: refusedOrClosed() },
    { label: 'query of 1000 parameters', steps: [{ write: h('POST', `/ListChannels?${Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&')}`, list) + list }], options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: 'header value of 64 KB', steps: [{ write: h('POST', '/ListChannels', list, { extra: [`x-long: ${'v'.repeat(64 * 1024)}`] }) + list }], expect: refusedOrClosed() },
    { label: '1000 small headers (under the limit)', steps: [{ write: h('POST', '/ListChannels', list, { extra: Array.from({ length: 1000 }, (_, i) => `x-h${i}: v`) }) + list }], options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: '1100 small headers, then the signature (under the size limit)',
      steps: [{ write: h('POST', '/ListChannels', list, { signed: false, extra: [...Array.from({ length: 1100 }, (_, i) => `x-h${i}: v`), ...signatureLines(`127.0.0.1:${port}`, 'POST', '/ListChannels', list)] }) + list }],
      options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: '5000 headers', steps: [{ write: h('POST', '/ListChannels', list, { extra: Array.from({ length: 5000 }, (_, i) => `x-h${i}: v`) }) + list }], expect: refusedOrClosed() },
    { label: '100 repeated authorization headers', steps: [{ write: h('POST', '/ListChannels', list, { extra: Array.from({ length: 100 }, () => 'authorization: AWS4-HMAC-SHA256 Credential=x') }) + list }],
      options: { stopAfterResponses: 1 }, expect: (o) => responsesOk(o, [200, 403]) },
    { label: 'NUL in a header value', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['x-a: a\u0000b'] }) + list }], expect: refusedOrClosed() },
    { label: 'header line without a colon', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['no-colon-here'] }) + list }], expect: refusedOrClosed() },
    { label: 'obsolete line folding', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['x-fold: a', ' continued'] }) + list }], expect: refusedOrClosed() },
    { label: 'non-ASCII bytes in a header value', steps: [{ write: Buffer.concat([Buffer.from(listHead.slice(0, -2)), Buffer.from('x-utf8: \u00e9\u65e5\r\n\r\n', 'utf8'), Buffer.from(list)]) }],
      options: { stopAfterResponses: 1 }, expect: (o) => responsesOk(o, [200, 400]) },

    // Request lines.
    { label: 'HTTP/1.1 without Host', steps: [{ write: h('POST', '/ListChannels', list, { host: null }) + list }], options: { waitMs: 1000, stopAfterResponses: 1 },
      expect: (o) => responsesOk(o, [400, 403]) ?? (o.responses.length || o.closedByServer ? undefined : 'no answer') },
    { label: 'HTTP/1.0', steps: [{ write: h('POST', '/ListChannels', list, { version: 'HTTP/1.0' }) + list }], options: { stopAfterResponses: 1 }, expect: answeredExactly([200]) },
    { label: 'HTTP/9.9', steps: [{ write: h('POST', '/ListChannels', list, { version: 'HTTP/9.9' }) + list }], expect: refusedOrClosed() },
    { label: 'lower-case method', steps: [{ write: h('post', '/ListChannels', list) + list }], expect: refusedOrClosed() },
    { label: 'unknown method', steps: [{ write: h('FROB', '/ListChannels', list) + list }], expect: refusedOrClosed() },
    { label: 'CONNECT', steps: [{ write: `CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\n\r\n` }], expect: (o) => responsesOk(o) ?? (o.closedByServer ? undefined : 'left open') },
    { label: 'absolute-form target', steps: [{ write: h('POST', `http://127.0.0.1:${port}/ListChannels`, list) + list }], options: { stopAfterResponses: 1 }, expect: noServerError },
    { label: 'space in the target', steps: [{ write: `POST /List Channels HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}` }], expect: refusedOrClosed() },
    { label: 'raw UTF-8 in the target', steps: [{ write: Buffer.from(`POST /Lïst HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`, 'utf8') }], options: { waitMs: 800 }, expect: noServerError },
    { label: 'HTTP/0.9 request', steps: [{ write: 'GET /\r\n\r\n' }], expect: refusedOrClosed() },
    { label: 'TLS ClientHello on the plain port', steps: [{ write: Buffer.from('160301005001000004c0303', 'hex') }], expect: refusedOrClosed() },
    { label: 'binary garbage', steps: [{ write: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)) }], expect: refusedOrClosed() },
    { label: 'Expect: 100-continue', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['expect: 100-continue'] }) }, { pauseMs: 100 }, { write: list }],
      options: { stopAfterResponses: 2 }, expect: (o) => answeredExactly([200])(o) },
    { label: 'Expect: something else', steps: [{ write: h('POST', '/ListChannels', list, { extra: ['expect: 200-ok'] }) + list }], options: { waitMs: 800, stopAfterResponses: 1 },
      expect: (o) => responsesOk(o, [417, 200]) ?? (o.responses.length || o.closedByServer ? undefined : 'no answer') },
    { label: 'Upgrade: websocket', steps: [{ write: h('GET', '/', '', { extra: ['connection: Upgrade', 'upgrade: websocket'] }) }], options: { waitMs: 800, stopAfterResponses: 1 }, expect: noServerError },

    // Keep-alive and pipelining.
    { label: 'three pipelined requests in one write', steps: [{ write: (listHead + list).repeat(3) }], options: { stopAfterResponses: 3 }, expect: answeredExactly([200, 200, 200]) },
    { label: 'garbage after a good request', steps: [{ write: `${listHead}${list}GARBAGE\r\n\r\n` }], options: { waitMs: 1000 }, expect: answerThenRefusal },
    { label: 'FIN right after the request', steps: [{ write: listHead + list, end: true }], options: { waitMs: 1500 }, expect: (o) => responsesOk(o, [200]) },

    // Slow senders and clients that leave.
    { label: 'slow sender: the request a few bytes at a time', steps: slowly(listHead + list, full ? 4 : 16, 5), options: { stopAfterResponses: 1, waitMs: 3000 }, expect: answeredExactly([200]) },
    { label: 'slow body after a prompt head', steps: [{ write: listHead }, ...slowly(list, 1, 50)], options: { stopAfterResponses: 1, waitMs: 3000 }, expect: answeredExactly([200]) },
    { label: 'leaves mid-head', steps: [{ write: listHead.slice(0, 40), pauseMs: 50, destroy: true }], expect: noServerError },
    { label: 'leaves mid-body', steps: [{ write: listHead + list.slice(0, 5), pauseMs: 50, destroy: true }], expect: noServerError },
    { label: 'leaves right after sending', steps: [{ write: listHead + list, destroy: true }], expect: noServerError },
    { label: 'leaves mid-response', steps: [{ write: h('POST', '/ListChannels', '{}') + '{}' }], options: { destroyOnFirstData: true }, expect: noServerError },
    { label: 'leaves mid-response of a 10 MiB upload refusal', steps: [{ write: h('POST', '/CreateChannel', '', { contentLength: 10 * MiB }) }, { write: Buffer.alloc(MiB) }], options: { destroyOnFirstData: true, waitMs: 1000 }, expect: noServerError },
  ]
  if (full) {
    // 10 MiB to every route: refused at the 1 MiB limit whatever the operation.
    for (const op of operationNames) {
      const { method, target } = buildRequest(op, baselineInput(op, 'required'))
      cases.push({ label: `10 MiB body to ${op}`, steps: [{ write: h(method, target, '', { contentLength: 10 * MiB }) }, { write: Buffer.alloc(10 * MiB, 0x20) }],
        options: { waitMs: 3000 }, expect: refusedOrClosed([413]) })
    }
  }
  return cases
}

function slowly(text: string, bytesPerWrite: number, pauseMs: number): RawStep[] {
  const steps: RawStep[] = []
  for (let i = 0; i < text.length; i += bytesPerWrite) steps.push({ write: text.slice(i, i + bytesPerWrite), pauseMs })
  return steps
}

export interface StalledConnections {
  /** How many the server has closed so far. */
  closedByServer(): number
  /** What the server sent them before closing (a 408 in the AWS shape, or nothing). */
  answers(): ParsedResponse[]
  release(): void
}

/**
 * Connections that never finish their head (slowloris) or never send a byte, held while everything
 * else runs: the server must keep serving others, and (headersTimeout) close them itself in the end.
 */
export function holdStalledConnections(port: number, count: number): StalledConnections {
  const sockets = Array.from({ length: count }, (_, i) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const state = { socket, closed: false, released: false, data: [] as Buffer[] }
    socket.on('data', (c: Buffer) => state.data.push(c))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (!state.released) state.closed = true
    })
    if (i % 2 === 0) socket.write('POST /ListChannels HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ')
    return state
  })
  return {
    closedByServer: () => sockets.filter((s) => s.closed).length,
    answers: () => sockets.flatMap((s) => parseResponses(Buffer.concat(s.data))),
    release: () => {
      for (const s of sockets) {
        s.released = true
        s.socket.destroy()
      }
    },
  }
}

export async function rawSuite(t: Test, client: Client, budget: Budget): Promise<Tally> {
  const tally = new Tally()
  // A big list for the mid-response case to leave in the middle of.
  for (let i = 0; i < 100; i++) await client.signed('POST', '/CreateChannel', `{"name":"bulk-${i}","tags":{"k":"${'v'.repeat(200)}"}}`)
  const cases = rawCases(client.server.port, budget)
  const rounds = budget.name === 'full' ? 5 : 1
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i += 8) {
      const batch = cases.slice(i, i + 8)
      await Promise.all(batch.map(async (c) => {
        const o = await rawExchange(client.server.port, c.steps, { waitMs: 1500, ...c.options })
        const problem = c.expect(o)
        tally.record(`raw/${c.label}`, problem === undefined ? undefined : `${problem}${o.error ? ` [socket: ${o.error}]` : ''}`)
      }))
      tally.probe(await client.stillServing())
    }
  }
  tally.assert(t, 'raw HTTP abuse')
  return tally
}
