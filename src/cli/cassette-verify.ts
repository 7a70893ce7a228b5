// `ivs-replay cassette verify NAME|PATH [--against URL] [--profile P] [--region R] [--dir DIR]`:
// re-sends every recorded request, in recording order, and reports per interaction how the answer
// now differs from the recorded one (response-drift.ts): status, error type, members added or
// missing, types. Values are never drift. Exit 1 when anything drifted, 0 otherwise.
//
// Where to: by default an in-process simulator (a fresh account, so the recording runs as a scenario
// from nothing). `--against URL` sends to that endpoint instead: signed with the local test
// credentials when it is on loopback and no --profile is given (a running ivs-replay), else with
// the real credentials of the AWS default chain (or --profile), re-signed and with the local account
// turned back into the real one, as record mode forwards (the real account found as record mode
// finds it: src/proxy/real-account.ts, STS asked at the --against URL unless upstream.stsUrl says). Recorded ids and ARNs are replaced by the
// live ones each answer teaches (recorded-values.ts), so a recorded GetChannel asks for the channel
// the re-sent CreateChannel made. Nothing is written: the cassette opens read-only.
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import type { Interaction } from '../storage/storage.js'
import type { JsonValue } from '../protocol/deserialize.js'
import { loadConfig } from '../config/load-config.js'
import { ConfigError } from '../config/config.js'
import { Logger } from '../log/logger.js'
import { resolveRealAccount, toRealAccount } from '../proxy/real-account.js'
import { loadRealCredentials, type RealCredentials } from '../proxy/real-credentials.js'
import { encodeQuery, signUpstreamRequest } from '../proxy/sign-upstream-request.js'
import { upstreamEndpoint, type UpstreamEndpoint } from '../proxy/upstream-endpoint.js'
import { UpstreamFailure } from '../proxy/upstream-failure.js'
import { UpstreamForwarder } from '../proxy/upstream-forwarder.js'
import { cassetteFile } from './cassette-file.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'
import { RecordedValues } from './recorded-values.js'
import { answerDrift, errorTypeOf, type AnswerParts } from './response-drift.js'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const REGION_IN_ARN = /arn:aws[a-z-]*:ivs:([a-z0-9-]+):\d{12}:/

interface Target {
  readonly description: string
  readonly endpoint: UpstreamEndpoint
  credentials(): Promise<RealCredentials>
  /** Local → real account in outgoing text (identity for the simulator). */
  outgoing(text: string): string
  close(): Promise<void>
}

/** `out` is where the report goes (stdout for the command line). */
export async function cassetteVerify(args: readonly string[], out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): Promise<number> {
  const parsed = parseCommandArgs(args, {
    against: { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, dir: { type: 'string' },
  }, ['NAME|PATH'])
  const file = cassetteFile(parsed.positionals[0], stringFlag(parsed, 'dir'))
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  let interactions: Interaction[]
  try {
    interactions = await store.all()
  } finally {
    await store.close()
  }
  const config = loadConfig({ env: {}, base: { logLevel: 'silent', port: 0 }, overrides: { mode: 'simulate' } })
  const region = stringFlag(parsed, 'region') ?? recordedRegion(interactions) ?? config.region
  if (!config.regions.includes(region)) throw new CliError(`--region must be an IVS region (${config.regions.join(', ')}), got ${JSON.stringify(region)}`, 2)

  const forwarder = new UpstreamForwarder({ timeoutMs: config.upstream.timeoutMs })
  let target: Target
  try {
    target = await openTarget(stringFlag(parsed, 'against'), stringFlag(parsed, 'profile') ?? null, config, forwarder)
  } catch (err) {
    forwarder.close()
    throw err
  }
  const values = new RecordedValues()
  let drifted = 0
  try {
    out.write(`verifying ${interactions.length} interactions of ${file} against ${target.description} (${region})\n`)
    for (const i of interactions) {
      const live = await resend(i, { target, forwarder, values, region })
      const recorded = partsOf(i.response.status, i.response.headers, i.response.body)
      const lines = answerDrift(i.operation, recorded, live)
      values.learn(recorded.json, live.json)
      if (lines.length === 0) continue
      drifted++
      out.write(`#${i.id} ${i.operation} (recorded ${i.recordedAt})\n${lines.map((l) => `  ${l}\n`).join('')}`)
    }
  } finally {
    forwarder.close()
    await target.close()
  }
  if (drifted > 0) {
    out.write(`drift in ${drifted} of ${interactions.length} interactions\n`)
    return 1
  }
  out.write(`no drift in ${interactions.length} interactions\n`)
  return 0
}

async function resend(i: Interaction, o: { target: Target; forwarder: UpstreamForwarder; values: RecordedValues; region: string }): Promise<AnswerParts> {
  const { target, values } = o
  const path = o.target.endpoint.basePath + target.outgoing(values.path(i.request.path))
  const query: Record<string, string[]> = {}
  for (const [name, list] of Object.entries(i.request.query)) query[name] = list.map((v) => target.outgoing(values.value(v)))
  const json = parseJson(i.request.body)
  const bodyText = json !== undefined && values.size > 0 ? JSON.stringify(values.json(json)) : i.request.body.toString('latin1')
  const body = Buffer.from(target.outgoing(bodyText), 'latin1')
  const contentType = Object.entries(i.request.headers).find(([n]) => n.toLowerCase() === 'content-type')?.[1]
  let credentials: RealCredentials
  try {
    credentials = await target.credentials()
  } catch (err) {
    throw new CliError(`no credentials for ${target.description}: ${(err as Error).message}`, 1)
  }
  const signed = await signUpstreamRequest({ method: i.request.method, endpoint: target.endpoint, path, query, contentType, body, region: o.region, credentials })
  try {
    const res = await o.forwarder.send({
      endpoint: target.endpoint, method: i.request.method, target: path + encodeQuery(query),
      headers: { ...signed, 'content-length': String(body.length) }, body,
    })
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    return partsOf(res.status, headers, res.body)
  } catch (err) {
    if (err instanceof UpstreamFailure) throw new CliError(`${target.description} gave no answer to #${i.id} ${i.operation}: ${err.reason}`, 1)
    throw err
  }
}

async function openTarget(
  against: string | undefined, profile: string | null, config: ReturnType<typeof loadConfig>, forwarder: UpstreamForwarder,
): Promise<Target> {
  const local = config.credentials[0]
  const localCredentials = async (): Promise<RealCredentials> => ({ accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey })
  if (against === undefined) {
    const { startApp } = await import('../app/app.js')
    const running = await startApp(config)
    return {
      description: 'the simulator', endpoint: upstreamEndpoint(running.endpoint, config.region),
      credentials: localCredentials, outgoing: (t) => t, close: () => running.close(),
    }
  }
  if (!/^https?:\/\//.test(against) || !URL.canParse(against)) throw new CliError(`--against must be an http(s) URL, got ${JSON.stringify(against)}`, 2)
  const endpoint = upstreamEndpoint(against, config.region)
  if (LOOPBACK.has(endpoint.hostname) && profile === null) {
    return { description: endpoint.origin, endpoint, credentials: localCredentials, outgoing: (t) => t, close: async () => undefined }
  }
  let loaded: Awaited<ReturnType<typeof loadRealCredentials>>
  try {
    loaded = await loadRealCredentials(profile)
  } catch (err) {
    throw new CliError((err as Error).message.replace(/^invalid configuration: /, ''), 1)
  }
  let account: string
  try {
    account = await resolveRealAccount({
      config: { ...config, upstream: { ...config.upstream, url: against } }, credentials: loaded.initial, forwarder, logger: new Logger('silent'),
    })
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message.replace(/^invalid configuration: /, ''), 1)
    throw err
  }
  return {
    description: endpoint.origin,
    endpoint,
    credentials: loaded.source,
    outgoing: (text) => toRealAccount(text, local.accountId, account),
    close: async () => undefined,
  }
}

function partsOf(status: number, headers: Readonly<Record<string, string>>, body: Buffer): AnswerParts {
  return { status, errorType: errorTypeOf(headers), json: parseJson(body) }
}

function parseJson(body: Buffer): JsonValue | undefined {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8')) as JsonValue
  } catch {
    return undefined
  }
}

/** The region the recording was made in, from the first IVS ARN it holds. */
function recordedRegion(interactions: readonly Interaction[]): string | undefined {
  for (const i of interactions) {
    const m = REGION_IN_ARN.exec(i.response.body.toString('latin1')) ?? REGION_IN_ARN.exec(i.request.body.toString('latin1'))
    if (m) return m[1]
  }
  return undefined
}
