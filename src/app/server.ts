// The HTTP server and the life of one request, top to bottom:
//   receive → (control API) → authenticate → route → parse → validate → dispatch → send → log
// STS GetCallerIdentity (signed for `sts`) is answered before the IVS router (src/sts/).
// Each step lives in its own module; this file only strings them together and guarantees that any
// failure becomes an AWS-shaped answer, never a crash or a hang.
import { randomUUID } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { CredentialStore } from '../auth/credentials.js'
import { HINT_HEADER, SigV4Refusal } from '../auth/sigv4-errors.js'
import { verifySigV4 } from '../auth/verify-sigv4.js'
import type { Config } from '../config/config.js'
import { CONTROL_PREFIX, type ControlApi } from '../control/control-api.js'
import type { Dispatcher } from '../dispatch/dispatcher.js'
import type { AnswerSource, HttpAnswer } from '../backend/backend.js'
import type { Caller, IvsCall, RawRequest } from '../backend/ivs-call.js'
import type { Logger } from '../log/logger.js'
import type { ServiceSpec } from '../model/service-spec.js'
import { ivs, type AnyOperationName } from '../model/services.js'
import { PLAYBACK_PREFIX, type PlaybackEdge } from '../playback/playback-edge.js'
import { AwsError } from '../protocol/aws-error.js'
import { deserializeInput, parseJsonBody, parseQuery } from '../protocol/deserialize.js'
import { scopeServiceOf, ServiceRouter } from '../protocol/service-router.js'
import { serializeError } from '../protocol/serialize.js'
import { validateInput } from '../protocol/validate.js'
import { hostGuard, hostRefusal } from '../http/host-guard.js'
import { ClientAbortedError, readBody } from '../http/read-body.js'
import { splitTarget } from '../http/request-target.js'
import { ResponseBatch } from '../http/response-batch.js'
import { cloudFrontId } from '../http/cloudfront-id.js'
import { StsResponder } from '../sts/sts-responder.js'

export interface ServerParts {
  readonly config: Config
  readonly logger: Logger
  readonly dispatcher: Pick<Dispatcher, 'answer'>
  readonly control?: ControlApi
  /** Players fetching a channel's playbackUrl path (unsigned, like the control API). */
  readonly playback?: PlaybackEdge
  /** The services answered on this port (the simulator's: Simulator.services); ivs alone by default. */
  readonly services?: readonly ServiceSpec[]
}

/** Not IVS API answers: `control`, the /_mock/ API; `playback`, the simulated playback edge (no source header). */
type Answer = HttpAnswer & { readonly source: AnswerSource | 'control' | 'playback' }
interface Outgoing {
  readonly res: ServerResponse
  readonly answer: Answer
  readonly requestId: string
}

export function createIvsServer(parts: ServerParts): http.Server {
  const { config, logger, dispatcher, control, playback } = parts
  const credentials = new CredentialStore(config.credentials)
  const services = new ServiceRouter(parts.services ?? [ivs])
  const regions = new Set(config.regions)
  const verifyOptions = new Map(services.specs.map(({ model: { signingName } }) => [
    signingName,
    { service: signingName, regions, maxSkewMs: config.maxSkewSeconds * 1000, explainMismatch: config.signatureDiagnostics },
  ]))
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
  const sts = new StsResponder({
    credentials, maxSkewMs: config.maxSkewSeconds * 1000, explainMismatch: config.signatureDiagnostics, ...(config.auth === 'off' && { anonymous }),
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const requestId = randomUUID()
    let operation: string | undefined
    let spec: ServiceSpec | undefined
    let answer: Answer
    let dispatching = false
    try {
      // Before anything else, control API included: a foreign Host is never read, answered or forwarded.
      if (hostAllowed !== undefined && !hostAllowed(req.headers.host)) throw hostRefusal(req.headers.host ?? '')
      const body = await readBody(req, config.maxBodyBytes)
      const url = req.url ?? '/'
      // An absolute-form request line routes by its path, just as the verifier canonicalizes it.
      const { path, rawQuery } = splitTarget(url)
      // The service the client signed for, unverified: `sts` is STS's (src/sts/), the others pick
      // the service model the request is verified and routed as.
      const scope = scopeServiceOf(req.headers.authorization, rawQuery)

      if (path.startsWith(CONTROL_PREFIX) && control && config.control.enabled) {
        answer = { ...(await control.handle({ method: req.method ?? 'GET', path, query: parseQuery(rawQuery), body })), source: 'control' }
      } else if (playback && path.startsWith(PLAYBACK_PREFIX)) {
        operation = 'playback'
        answer = { ...(await playback.handle({ method: req.method ?? 'GET', url, path, rawQuery, headers: req.headers })), source: 'playback' }
      } else if (scope === 'sts') {
        // STS GetCallerIdentity (Query protocol, XML), for recorders and apps asking who they are.
        operation = 'sts:GetCallerIdentity'
        const stsRequest = { method: req.method ?? 'GET', url, rawQuery, headers: req.headers, rawHeaders: req.rawHeaders, body, requestId }
        answer = { ...sts.answer(stsRequest), source: 'simulated' }
      } else {
        const method = req.method ?? 'GET'
        const signed = { method, url, headers: req.headers, rawHeaders: req.rawHeaders, body }
        // The scope says which service the client signed for (ivs or ivschat); it is verified as that.
        const scopeService = services.single ? undefined : scope
        const signingName = services.signingNameFor(scopeService)
        const caller = config.auth === 'off' ? anonymous() : verifySigV4(signed, credentials, verifyOptions.get(signingName)!)
        const routed = services.route({ method, path, host: req.headers.host, signingName: scopeService })
        spec = routed.spec
        const target = routed.route
        // Parsed only now: a malformed query from an unsigned client is its 403 first (docs/ivs-behavior.md §1 order).
        const query = parseQuery(rawQuery)
        operation = target.operation
        const op = spec.operationOf(target.operation)
        const json = parseJsonBody(body)
        const raw: RawRequest = { method, url, path, query, headers: req.headers, body, json }
        const input = deserializeInput(spec, op.input, { labels: target.labels, query, headers: req.headers, body: json })
        const invalid = validateInput(spec, op.input, input)
        if (invalid) throw invalid
        // The router yields only operations of the spec it routed to.
        const call: IvsCall = { requestId, service: spec.id, operation: target.operation as AnyOperationName, input, caller, raw }
        dispatching = true
        answer = await dispatcher.answer(call)
      }
    } catch (err) {
      // A refused signature's debug line names the failing check, key id, scope and canonical request.
      if (err instanceof SigV4Refusal && logger.enabled('debug')) logger.debug('signature refused', { id: requestId, ...err.logFields() })
      if (err instanceof ClientAbortedError) {
        // The client went away mid-request: nobody to answer.
        req.destroy()
        return
      }
      answer = { ...failure(err, logger, requestId, spec), source: failureSource(err, dispatching) }
    }
    responses.push({ res, answer, requestId })
    // Built only when it will be written: at the default library level (warn) this runs per request.
    if (logger.enabled('info')) {
      const ms = (performance.now() - started).toFixed(1)
      const errorType = answer.headers['x-amzn-ErrorType']
      logger.info('request', {
        id: requestId, method: req.method, op: operation, status: answer.status, source: answer.source, error: errorType, ms,
        hint: answer.headers[HINT_HEADER],
      })
    }
  }

  // Node would answer a request without Host itself, bare (400, no x-amzn-ErrorType): let it through
  // to SigV4 instead, which refuses it the AWS way (Host is a signed header).
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // handle() turns every failure into an answer, and the batch sends it (and hears of a failed
      // send): only a bug in handle's own bookkeeping lands here. Keep the process up, close the socket.
      logger.error('unhandled failure while answering', { error: String(err) })
      res.destroy()
    })
  })
  // Slow or stuck clients must not hold a connection forever.
  server.requestTimeout = 30_000
  server.headersTimeout = 15_000
  server.keepAliveTimeout = 5_000
  // Headers are bounded by their total size (node's 16 KiB), not their count: node 20 silently drops
  // every header past the 1000th (a signed header or Content-Length among them) and node >= 26.5.1
  // refuses such a request with 431 (CVE-2026-58044); with no count limit both read it whole.
  server.maxHeadersCount = 0
  // Any Expect but 100-continue: node's own 417 is bare; answer it in the AWS error shape.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const refusal = new AwsError('ExpectationFailedException', 417, "Only 'Expect: 100-continue' is supported", { Connection: 'close' })
    send(res, { ...serializeError(refusal), source: 'simulated' }, randomUUID())
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
    head.push(`x-amz-cf-id: ${cloudFrontId()}`, 'x-ivs-replay-source: simulated')
    head.push(`x-amzn-RequestId: ${randomUUID()}`, `Content-Length: ${answer.body.length}`, 'Connection: close')
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), answer.body]))
  })
  return server
}

/**
 * Which source an error answer names: ivs-replay's own checks (signature, routing, validation) are
 * the simulation of IVS's; an upstream that gave no answer (502/504 Upstream…) is the proxy's.
 */
function failureSource(err: unknown, dispatching: boolean): AnswerSource {
  return dispatching && err instanceof AwsError && err.code.startsWith('Upstream') ? 'proxied' : 'simulated'
}

function failure(err: unknown, logger: Logger, requestId: string, spec: ServiceSpec | undefined): HttpAnswer {
  if (err instanceof AwsError) return serializeError(err, spec)
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
  // The playback edge stands in for IVS's video edge, whose answers carry neither header.
  if (answer.source !== 'playback') headers['x-ivs-replay-source'] = answer.source
  // Real IVS API answers come through CloudFront (the JS SDK shows the id as $metadata.cfId); a
  // proxied answer keeps the one IVS gave it.
  const api = answer.source !== 'control' && answer.source !== 'playback'
  if (api && answer.headers['x-amz-cf-id'] === undefined) headers['x-amz-cf-id'] = cloudFrontId()
  res.writeHead(answer.status, headers)
  res.end(answer.body)
}
