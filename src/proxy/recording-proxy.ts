// Record mode's backend: forwards each call to real IVS, re-signed with the real credentials, and
// records the exchange before the client sees the answer.
//
//   rewrite local → real account → sign for the upstream → send (deadline)
//     → [recordable?] redact → scan → append → onRecorded → observe
//     → the upstream's answer, its real account shown as the caller's local one, to the client
//
// The real account is known before the first forward (real-account.ts: from the settings or STS,
// never from an answer). The client sees what the upstream said (status, body, error type, real
// secrets) with the local account, as replayed answers show it; the cassette holds it redacted.
// A call the upstream never answered is a 502/504, an upstream 5xx is passed on as the upstream's
// own error, and neither is recorded.
import type { CassetteMeta, Interaction, RecordingSink } from '../storage/storage.js'
import { upstreamRequestId } from '../cassette/not-recorded.js'
import { isRecordable, Recorder, type Recorded } from '../cassette/recorder.js'
import { rewriteAccount } from '../cassette/redaction.js'
import type { Config } from '../config/config.js'
import type { Backend, IvsAnswer, UpstreamAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'
import type { Logger } from '../log/logger.js'
import { specs } from '../model/services.js'
import { AwsError } from '../protocol/aws-error.js'
import { unexpectedAnswer } from './answer-shape.js'
import { clientResponseHeaders, forwardableRequestHeaders } from './forwarded-headers.js'
import { readCaFile } from './read-ca-file.js'
import { resolveRealAccount, toRealAccount } from './real-account.js'
import { loadRealCredentials, type RealCredentials, type RealCredentialSource } from './real-credentials.js'
import { encodeQuery, signUpstreamRequest } from './sign-upstream-request.js'
import { upstreamEndpoint } from './upstream-endpoint.js'
import { UpstreamFailure } from './upstream-failure.js'
import { UpstreamForwarder } from './upstream-forwarder.js'

export interface RecordingDeps {
  readonly config: Config
  readonly store: RecordingSink & CassetteMeta
  readonly logger: Logger
  /** Every proxied answer is offered here after it is recorded (hybrid coherence). */
  readonly observe: (call: IvsCall, answer: IvsAnswer) => void
  /** Called with each interaction once it is durably in the cassette (the replay index learns it). */
  readonly onRecorded: (interaction: Interaction) => void
}

/** Record mode's backend (see the file's comment), closed with the server. */
export interface RecordingProxy extends Backend {
  close(): Promise<void>
}

/**
 * Resolves the real credentials first; with none, rejects with a ConfigError('upstream.profile' or
 * 'credentials', clear message). An unreadable `upstream.caFile` is a ConfigError too.
 *
 * ```ts
 * const upstream = await openRecordingProxy({ config, store, logger, observe, onRecorded })
 * const dispatcher = new Dispatcher([upstream])
 * // …
 * await upstream.close()
 * ```
 */
export async function openRecordingProxy(deps: RecordingDeps): Promise<RecordingProxy> {
  const credentials = await loadRealCredentials(deps.config.upstream.profile)
  const ca = readCaFile(deps.config.upstream.caFile)
  const recorder = await Recorder.open(deps.store, deps.config.matching)
  const forwarder = new UpstreamForwarder({ timeoutMs: deps.config.upstream.timeoutMs, ...(ca !== undefined && { ca }) })
  let realAccount: string | undefined
  if (deps.config.recording.rewriteAccountId) {
    try {
      realAccount = await resolveRealAccount({ config: deps.config, credentials: credentials.initial, forwarder, logger: deps.logger })
    } catch (err) {
      forwarder.close()
      throw err
    }
  }
  return new UpstreamRecordingProxy(deps, credentials.source, realAccount, recorder, forwarder)
}

class UpstreamRecordingProxy implements RecordingProxy {
  readonly #deps: RecordingDeps
  readonly #credentials: RealCredentialSource
  /** Undefined when the real account is kept (recording.rewriteAccountId false). */
  readonly #realAccount: string | undefined
  readonly #recorder: Recorder
  readonly #forwarder: UpstreamForwarder
  readonly #inFlight = new Set<Promise<unknown>>()
  #closed = false

  constructor(deps: RecordingDeps, credentials: RealCredentialSource, realAccount: string | undefined, recorder: Recorder, forwarder: UpstreamForwarder) {
    this.#deps = deps
    this.#credentials = credentials
    this.#realAccount = realAccount
    this.#recorder = recorder
    this.#forwarder = forwarder
  }

  answer(call: IvsCall): Promise<IvsAnswer> {
    if (this.#closed) return Promise.reject(new AwsError('ServiceUnavailable', 503, 'ivs-replay is shutting down'))
    const p = this.#forwardAndRecord(call)
    this.#inFlight.add(p)
    const forget = () => { this.#inFlight.delete(p) }
    p.then(forget, forget)
    return p
  }

  /** Lets calls under way finish (and be recorded), then closes the upstream connections. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#inFlight])
    this.#forwarder.close()
  }

  async #forwardAndRecord(call: IvsCall): Promise<IvsAnswer> {
    const { config, logger } = this.#deps
    const started = performance.now()
    const region = call.caller.region
    const endpoint = upstreamEndpoint(config.upstream.url, region)
    const credentials = await this.#currentCredentials(endpoint.host)
    const local = call.caller.accountId
    const rewrite = config.recording.rewriteAccountId
    const real = rewrite ? this.#realAccount : undefined
    const toReal = (text: string) => (real === undefined ? text : toRealAccount(text, local, real))

    const { raw } = call
    const path = endpoint.basePath + toReal(raw.path)
    const query: Record<string, string[]> = {}
    for (const [name, values] of Object.entries(raw.query)) query[name] = values.map(toReal)
    // Account ids are always 12 digits, so the body keeps its length; latin1 keeps every other byte.
    const body = real === undefined ? raw.body : Buffer.from(toReal(raw.body.toString('latin1')), 'latin1')
    const contentType = raw.headers['content-type']
    const signed = await signUpstreamRequest({
      method: raw.method, endpoint, path, query, contentType, body, region, credentials,
    })
    const headers = { ...forwardableRequestHeaders(raw.headers), ...signed, 'content-length': String(body.length) }

    let upstream: UpstreamAnswer
    try {
      upstream = await this.#forwarder.send({ endpoint, method: raw.method, target: path + encodeQuery(query), headers, body })
    } catch (err) {
      if (!(err instanceof UpstreamFailure)) throw err
      logger.warn('upstream failed', { id: call.requestId, op: call.operation, upstream: endpoint.host, cause: err.reason, ms: elapsed(started) })
      throw err.toAwsError()
    }
    const { status } = upstream
    const account = real !== undefined && real !== local ? { real, local } : undefined
    // Account ids are 12 digits both ways: the body keeps its length.
    const clientBody = account === undefined ? upstream.body : Buffer.from(rewriteAccount(upstream.body.toString('latin1'), account), 'latin1')
    const answer: IvsAnswer = { status, headers: clientResponseHeaders(upstream.headers), body: clientBody, source: 'proxied' }
    if (!isRecordable(status)) {
      logger.info('proxied, not recorded', { id: call.requestId, op: call.operation, status, upstream: endpoint.host, ms: elapsed(started) })
      return answer
    }

    const unexpected = unexpectedAnswer(specs[call.service], call.operation, status, upstream.body)
    if (unexpected !== undefined) {
      logger.warn('recording an answer that is not the JSON the model expects', { id: call.requestId, op: call.operation, status, upstream: endpoint.host, problem: unexpected })
    }
    let recorded: Recorded
    try {
      recorded = await this.#recorder.record(call, upstream, { account, knownSecrets: secretsOf(credentials, account) })
    } catch (err) {
      // The same facts as the client's message: what stopped the write, and that upstream did act.
      logger.error('not recorded, although the upstream carried the call out', {
        id: call.requestId, op: call.operation, status, upstream: endpoint.host, upstreamRequestId: upstreamRequestId(upstream.headers),
        cassette: this.#deps.store.location, error: err instanceof AwsError ? err.code : 'error',
        cause: err instanceof Error ? err.message : String(err), ms: elapsed(started),
      })
      throw err
    }
    this.#notify('onRecorded', () => this.#deps.onRecorded(recorded.interaction), call)
    this.#notify('observe', () => this.#deps.observe(recorded.call, recorded.answer), call)
    logger.debug('proxied and recorded', {
      id: call.requestId, op: call.operation, status, upstream: endpoint.host, interaction: recorded.interaction.id, ms: elapsed(started),
    })
    return answer
  }

  async #currentCredentials(host: string): Promise<RealCredentials> {
    try {
      return await this.#credentials()
    } catch (err) {
      // The SDK's reasons name sources and profiles (an expired SSO session, say), never a key.
      const reason = err instanceof Error ? err.message : String(err)
      throw new AwsError('UpstreamCredentialsException', 502,
        `ivs-replay could not refresh the real AWS credentials for the upstream ${host}: ${reason}`)
    }
  }

  /** The interaction is durable already: a listener's failure is logged, not turned into the client's error. */
  #notify(what: string, fn: () => void, call: IvsCall): void {
    try {
      fn()
    } catch (err) {
      this.#deps.logger.error(`${what} failed after recording`, { id: call.requestId, op: call.operation, error: err instanceof Error ? err.message : String(err) })
    }
  }
}

/** What must appear nowhere in a recording: the real keys, and the real account when it is rewritten. */
function secretsOf(credentials: RealCredentials, account: { real: string } | undefined): string[] {
  const secrets = [credentials.accessKeyId, credentials.secretAccessKey]
  if (credentials.sessionToken !== undefined) secrets.push(credentials.sessionToken)
  if (account !== undefined) secrets.push(account.real)
  return secrets
}

function elapsed(started: number): string {
  return (performance.now() - started).toFixed(1)
}
