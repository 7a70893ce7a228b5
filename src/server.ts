// The HTTP server and the life of one request, top to bottom:
//   receive → (control API) → authenticate → route → parse → validate → dispatch → send → log
// Each step lives in its own module; this file only strings them together and guarantees that any
// failure becomes an AWS-shaped answer, never a crash or a hang.
import { randomUUID } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { CredentialStore } from './auth/credentials.js'
import { verifySigV4, type Caller } from './auth/verify-sigv4.js'
import type { Config } from './config/config.js'
import { CONTROL_PREFIX, type ControlApi } from './control/control-api.js'
import type { Dispatcher } from './dispatch/dispatcher.js'
import type { AnswerSource, IvsCall, RawRequest } from './dispatch/ivs-call.js'
import type { Logger } from './log/logger.js'
import { operationOf } from './model/model.js'
import { PLAYBACK_PREFIX, type PlaybackEdge } from './playback/playback-edge.js'
import { AwsError } from './protocol/aws-error.js'
import { deserializeInput, parseJsonBody, parseQuery } from './protocol/deserialize.js'
import { route } from './protocol/router.js'
import { serializeError, type HttpAnswer } from './protocol/serialize.js'
import { validateInput } from './protocol/validate.js'
import { hostGuard, hostRefusal } from './http/host-guard.js'
import { ClientAbortedError, readBody } from './http/read-body.js'
import { ResponseBatch } from './http/response-batch.js'

export interface ServerParts {
  readonly config: Config
  readonly logger: Logger
  readonly dispatcher: Dispatcher
  readonly control?: ControlApi
  /** Players fetching a channel's playbackUrl path (unsigned, like the control API). */
  readonly playback?: PlaybackEdge
}

type Answer = HttpAnswer & { readonly source?: AnswerSource }
interface Outgoing {
  readonly res: ServerResponse
  readonly answer: Answer
  readonly requestId: string
}

export function createIvsServer(parts: ServerParts): http.Server {
  const { config, logger, dispatcher, control, playback } = parts
  const credentials = new CredentialStore(config.credentials)
  const verifyOptions = {
    service: 'ivs',
    regions: new Set(config.regions),
    maxSkewMs: config.maxSkewSeconds * 1000,
  }
  const responses = new ResponseBatch<Outgoing>(
    ({ res, answer, requestId }) => send(res, answer, requestId),
    (err, { res }) => {
      // Only a bug in send() itself lands here; keep the process up and the socket closed.
      logger.error('unhandled failure while answering', { error: String(err) })
      res.destroy()
    },
  )
  const hostAllowed = hostGuard(config.host, config.allowedHosts)
  const anonymous = (): Caller => ({ accessKeyId: '', accountId: config.credentials[0].accountId, region: config.region })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const requestId = randomUUID()
    let operation: string | undefined
    let answer: Answer
    try {
      // Before anything else, control API included: a foreign Host is never read, answered or forwarded.
      if (hostAllowed !== undefined && !hostAllowed(req.headers.host)) throw hostRefusal(req.headers.host ?? '')
      const body = await readBody(req, config.maxBodyBytes)
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      // An absolute-form request line (`POST http://host/ListChannels`, as sent through a forward
      // proxy) routes by its path, just as the verifier canonicalizes it.
      const path = originFormPath(q < 0 ? url : url.slice(0, q))
      const rawQuery = q < 0 ? '' : url.slice(q + 1)

      if (path.startsWith(CONTROL_PREFIX) && control && config.control.enabled) {
        answer = await control.handle({ method: req.method ?? 'GET', path, query: parseQuery(rawQuery), body })
      } else if (playback && path.startsWith(PLAYBACK_PREFIX)) {
        operation = 'playback'
        answer = await playback.handle({ method: req.method ?? 'GET', url, path, rawQuery, headers: req.headers })
      } else {
        const method = req.method ?? 'GET'
        const signed = { method, url, headers: req.headers, body }
        const caller = config.auth === 'off' ? anonymous() : verifySigV4(signed, credentials, verifyOptions)
        const target = route(method, path)
        // Parsed only now: a malformed query from an unsigned client is its 403 first (BEHAVIOR.md §1 order).
        const query = parseQuery(rawQuery)
        operation = target.operation
        const op = operationOf(target.operation)
        const json = parseJsonBody(body)
        const raw: RawRequest = { method, url, path, query, headers: req.headers, body, json }
        const input = deserializeInput(op.input, { labels: target.labels, query, headers: req.headers, body: json })
        const invalid = validateInput(op.input, input)
        if (invalid) throw invalid
        const call: IvsCall = { requestId, operation: target.operation, input, caller, raw }
        answer = await dispatcher.answer(call)
      }
    } catch (err) {
      answer = failure(err, logger, requestId)
      if (answer.status === 0) {
        // The client went away mid-request: nobody to answer.
        req.destroy()
        return
      }
    }
    responses.push({ res, answer, requestId })
    // Built only when it will be written: at the default library level (warn) this runs per request.
    if (logger.enabled('info')) {
      const ms = (performance.now() - started).toFixed(1)
      const errorType = answer.headers['x-amzn-ErrorType']
      logger.info('request', {
        id: requestId, method: req.method, op: operation, status: answer.status, source: answer.source, error: errorType, ms,
      })
    }
  }

  // Node would answer a request without Host itself, bare (400, no x-amzn-ErrorType): let it through
  // to SigV4 instead, which refuses it the AWS way (Host is a signed header).
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only a bug in send() itself lands here; keep the process up and the socket closed.
      logger.error('unhandled failure while answering', { error: String(err) })
      res.destroy()
    })
  })
  // Slow or stuck clients must not hold a connection forever.
  server.requestTimeout = 30_000
  server.headersTimeout = 15_000
  server.keepAliveTimeout = 5_000
  // Any Expect but 100-continue: node's own 417 is bare; answer it in the AWS error shape.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const refusal = new AwsError('ExpectationFailedException', 417, "Only 'Expect: 100-continue' is supported", { Connection: 'close' })
    send(res, serializeError(refusal), randomUUID())
  })
  // Bytes node's parser refuses (and requests too slow to arrive): answered in the AWS error shape
  // with the status that names the fault, then the connection is closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy()
      return
    }
    const refusal =
      err.code === 'HPE_HEADER_OVERFLOW' ? new AwsError('RequestHeaderFieldsTooLargeException', 431, 'Request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new AwsError('RequestTimeoutException', 408, 'The request did not arrive in time')
      : new AwsError('BadRequestException', 400, 'Malformed HTTP request')
    const answer = serializeError(refusal)
    const head = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}`]
    for (const [name, value] of Object.entries(answer.headers)) head.push(`${name}: ${value}`)
    head.push(`x-amzn-RequestId: ${randomUUID()}`, `Content-Length: ${answer.body.length}`, 'Connection: close')
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), answer.body]))
  })
  return server
}

function originFormPath(target: string): string {
  if (target.startsWith('/')) return target
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(target)
  return m ? m[1] ?? '/' : target
}

function failure(err: unknown, logger: Logger, requestId: string): Answer {
  if (err instanceof AwsError) return serializeError(err)
  if (err instanceof ClientAbortedError) return { status: 0, headers: {}, body: Buffer.alloc(0) }
  logger.error('internal error', { id: requestId, error: err instanceof Error ? err.stack ?? err.message : String(err) })
  return serializeError(new AwsError('InternalServerException', 500, 'Unexpected error during processing of request.'))
}

function send(res: ServerResponse, answer: Answer, requestId: string): void {
  const headers: Record<string, string | number> = {
    // A proxied or replayed answer keeps the request id IVS gave it.
    'x-amzn-RequestId': requestId,
    ...answer.headers,
    'Content-Length': answer.body.length,
  }
  if (answer.source) headers['x-ivs-replay-source'] = answer.source
  res.writeHead(answer.status, headers)
  res.end(answer.body)
}
