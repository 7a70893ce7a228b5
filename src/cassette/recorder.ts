// Turns one forwarded exchange into a cassette interaction: redact → identify → final secret scan →
// append (one transaction, durable when it resolves). Nothing reaches the store before redaction and
// the scan have passed, and a refusal or a failed write becomes a CassetteWriteException: the client
// must not believe a call was recorded when replay will not find it, nor retry it into acting twice.
//
// What is recorded: successes (2xx) and the client's own errors (4xx), which are deterministic
// answers to the request and legitimately replayed (a ValidationException, a ResourceNotFound after
// a delete). Not recorded: 401/403 (they describe the real credentials and their permissions, not the
// request), 408 and 429 (timing), 5xx and anything else (the upstream's trouble, not an answer).
import type { MatchRule } from '../config/config.js'
import type { IvsAnswer, UpstreamAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'
import { errorShapeName, holdsSensitive, operationShapesOf, sensitiveValues, type SensitiveValue } from '../model/sensitive-members.js'
import { specs } from '../model/services.js'
import type { JsonObject } from '../protocol/deserialize.js'
import type { CassetteMeta, Interaction, NewInteraction, RecordedRequest, RecordedResponse, RecordingSink } from '../storage/storage.js'
import { describedResources } from './described-resources.js'
import { describeWriteFailure, notRecordedError } from './not-recorded.js'
import { REQUEST_HEADERS_KEPT, RESPONSE_HEADERS_KEPT, Redactor, type AccountRewrite, type Rewrite } from './redaction.js'
import { recordedRequestParts, requestIdentity } from './request-identity.js'
import { scanInteraction } from './secret-scan.js'
import { storedRequestBody } from './stored-request-body.js'

/** The statuses that are not recorded although they are 4xx. */
const UNRECORDED_CLIENT_ERRORS = new Set([401, 403, 408, 429])

export function isRecordable(status: number): boolean {
  if (status >= 200 && status < 300) return true
  return status >= 400 && status < 500 && !UNRECORDED_CLIENT_ERRORS.has(status)
}

export interface RecordOptions {
  /** Set when the real account must be shown as the caller's local one. */
  readonly account?: AccountRewrite
  /** Values that must appear nowhere in what is stored (see scanInteraction). */
  readonly knownSecrets: readonly string[]
}

export interface Recorded {
  readonly interaction: Interaction
  /** The call as recorded: redacted input and request parts (what a replay will see). */
  readonly call: IvsCall
  /** The answer as recorded. */
  readonly answer: IvsAnswer
}

export class Recorder {
  readonly #store: RecordingSink
  readonly #redactor: Redactor
  readonly #matching: Readonly<Record<string, MatchRule>>

  constructor(store: RecordingSink, redactor: Redactor, matching: Readonly<Record<string, MatchRule>>) {
    this.#store = store
    this.#redactor = redactor
    this.#matching = matching
  }

  /** A recorder for the cassette, with the cassette's redaction salt (created on first use). */
  static async open(store: RecordingSink & CassetteMeta, matching: Readonly<Record<string, MatchRule>>): Promise<Recorder> {
    return new Recorder(store, await Redactor.forCassette(store), matching)
  }

  /** The interaction as it would be stored, redacted and identified; nothing is written. */
  prepare(call: IvsCall, upstream: UpstreamAnswer, accountRewrite?: AccountRewrite): { interaction: NewInteraction; call: IvsCall; answer: IvsAnswer } {
    const r = this.#redactor
    const { raw } = call
    const region = call.caller.region
    const rewrite: Rewrite = {
      region,
      replacements: r.replacements(this.#sensitiveValues(call, upstream), region),
      ...(accountRewrite !== undefined && { account: accountRewrite }),
    }
    const query: Record<string, string[]> = {}
    for (const [name, values] of Object.entries(raw.query)) query[r.text(name, rewrite)] = values.map((v) => r.text(v, rewrite))
    const request: RecordedRequest = {
      method: raw.method,
      path: r.text(raw.path, rewrite),
      query,
      headers: r.headers(raw.headers, REQUEST_HEADERS_KEPT, rewrite),
      body: r.bytes(raw.body, rewrite),
    }
    const response: RecordedResponse = {
      status: upstream.status,
      headers: r.headers(upstream.headers, RESPONSE_HEADERS_KEPT, rewrite),
      body: r.bytes(upstream.body, rewrite),
    }
    const json = storedRequestBody(request.body) ?? (r.json(raw.json, rewrite) as JsonObject)
    // The identity of the request as recorded, from its stored parts by the same function the replay
    // index uses when it computes one again: a replaying client sends local-account ARNs, which is
    // what the redacted request holds.
    const identity = requestIdentity(recordedRequestParts(call.operation, request), this.#matching)
    const recordedCall: IvsCall = {
      ...call,
      input: r.json(call.input, rewrite) as JsonObject,
      raw: { ...raw, url: r.text(raw.url, rewrite), path: request.path, query, headers: request.headers, body: request.body, json },
    }
    // Indexed now so a hybrid server learns this cassette's resources without reading every answer.
    const resources = describedResources(call.operation, recordedCall.input, response.status, response.body)
    return {
      interaction: { operation: call.operation, identity, request, response, ...(resources && { resources }) },
      call: recordedCall,
      answer: { status: response.status, headers: response.headers, body: response.body, source: 'proxied' },
    }
  }

  /** The values the call's service model marks sensitive in its input and in the upstream's answer (success or error). */
  #sensitiveValues(call: IvsCall, upstream: UpstreamAnswer): SensitiveValue[] {
    const op = operationShapesOf(specs[call.service])(call.operation)
    if (op === undefined) return []
    const found = sensitiveValues(op.shapes, op.input, call.input)
    const errorType = upstream.headers['x-amzn-errortype']
    const answerShape = upstream.status >= 200 && upstream.status < 300
      ? op.output
      : errorShapeName(op.shapes, Array.isArray(errorType) ? errorType[0] : errorType)
    if (holdsSensitive(op.shapes, answerShape)) {
      const answer = parsedJson(upstream.body)
      if (answer !== undefined) found.push(...sensitiveValues(op.shapes, answerShape, answer))
    }
    return found
  }

  /**
   * Redacts, scans and appends. Rejects with a CassetteWriteException (AwsError, a 424 no SDK
   * retries: see not-recorded.ts) when the scan still finds a secret or the cassette cannot be
   * written; either way nothing was stored.
   */
  async record(call: IvsCall, upstream: UpstreamAnswer, options: RecordOptions): Promise<Recorded> {
    const prepared = this.prepare(call, upstream, options.account)
    const findings = scanInteraction(prepared.interaction, options.knownSecrets, operationShapesOf(specs[call.service]))
    const facts = { operation: call.operation, upstreamStatus: upstream.status, upstreamHeaders: upstream.headers, cassette: this.#store.location }
    if (findings.length > 0) {
      const where = findings.map((f) => `${f.field} (${f.kind})`).join(', ')
      throw notRecordedError({ ...facts, cause: `after redaction it still holds what looks like a secret at ${where}, which the secret scan refused to write` })
    }
    let interaction: Interaction
    try {
      interaction = await this.#store.append(prepared.interaction)
    } catch (err) {
      throw notRecordedError({ ...facts, cause: describeWriteFailure(err) })
    }
    return { interaction, call: prepared.call, answer: prepared.answer }
  }
}

function parsedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}
