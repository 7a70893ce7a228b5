// IVS requests exactly as the AWS SDK for JavaScript puts them on the wire, built without the SDK:
// client-ivs for ivs, client-ivs-realtime for ivs-realtime, client-ivschat for ivschat.
//
// `captureSdkProfile` sends one request of each kind through the real client of a service (default
// configuration, keep-alive agent) to a loopback socket that records the bytes, and learns the
// header order and the fixed header values (user agents, retry header) from them. `RequestBuilder`
// then builds any request of the benchmarked operations in that form, signed for the service's
// signing name, with a fresh date, invocation id and SigV4 signature when asked. `verifyAgainstSdk`
// proves the two agree byte for byte (same date and invocation id) before the benchmark sends anything.
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import type { ServiceId } from '../../src/model/service-spec.js'
import { specs } from '../../src/model/services.js'
import { amzDate, ClientSigner, sha256Hex, type ClientCredentials } from './client-signer.js'

export type BenchOperation =
  | 'CreateChannel' | 'GetChannel' | 'ListChannels' | 'DeleteChannel' | 'TagResource' | 'ListTagsForResource'
  | 'CreateStage' | 'GetStage' | 'CreateRoom' | 'GetRoom'

export type OperationInput = Record<string, unknown>

/** Each service's SDK package and client class (the commands are `${operation}Command`). */
export const sdkClients: Readonly<Record<ServiceId, { readonly packageName: string; readonly client: string }>> = {
  ivs: { packageName: '@aws-sdk/client-ivs', client: 'IvsClient' },
  'ivs-realtime': { packageName: '@aws-sdk/client-ivs-realtime', client: 'IVSRealTimeClient' },
  ivschat: { packageName: '@aws-sdk/client-ivschat', client: 'IvschatClient' },
}

/** The SDK's label encoding (`extendedEncodeURIComponent`). */
function encodeLabel(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

interface Binding {
  readonly method: 'GET' | 'POST'
  readonly path: (input: OperationInput) => string
  /** The JSON body, or undefined for none. */
  readonly body: (input: OperationInput) => string | undefined
}

const post = (name: string): Binding => ({ method: 'POST', path: () => `/${name}`, body: (input) => JSON.stringify(input) })

/** The HTTP bindings of the operations the benchmark sends (from the services' models). */
export const bindings: Readonly<Record<BenchOperation, Binding>> = {
  CreateChannel: post('CreateChannel'),
  GetChannel: post('GetChannel'),
  ListChannels: post('ListChannels'),
  DeleteChannel: post('DeleteChannel'),
  TagResource: {
    method: 'POST',
    path: (input) => `/tags/${encodeLabel(String(input.resourceArn))}`,
    body: (input) => JSON.stringify({ tags: input.tags }),
  },
  ListTagsForResource: {
    method: 'GET',
    path: (input) => `/tags/${encodeLabel(String(input.resourceArn))}`,
    body: () => undefined,
  },
  CreateStage: post('CreateStage'),
  GetStage: post('GetStage'),
  CreateRoom: post('CreateRoom'),
  GetRoom: post('GetRoom'),
}

/** What a service's client sends besides the request's own data, learnt from its bytes. */
export interface SdkProfile {
  /** The service whose client was learnt: its requests are signed with its model's signing name. */
  readonly service: ServiceId
  /** Header names in the order the client writes them, for requests with and without a body. */
  readonly order: { readonly withBody: readonly string[]; readonly withoutBody: readonly string[] }
  /** Values that are the same on every request: user-agent, x-amz-user-agent, amz-sdk-request, content-type. */
  readonly fixed: Readonly<Record<string, string>>
  /** Header lines node's http client adds after the SDK's (e.g. `Connection: keep-alive`). */
  readonly trailing: readonly string[]
}

/** Per-request header names whose values the builder computes. */
const COMPUTED = new Set(['host', 'content-length', 'amz-sdk-invocation-id', 'x-amz-date', 'x-amz-content-sha256', 'authorization'])

export interface BuildOptions {
  /** X-Amz-Date to use (default: now). */
  readonly date?: string
  /** amz-sdk-invocation-id to use (default: a fresh UUID, as the SDK does per call). */
  readonly invocationId?: string
}

export class RequestBuilder {
  readonly #profile: SdkProfile
  readonly #host: string
  readonly #signer: ClientSigner

  constructor(profile: SdkProfile, endpoint: string, credentials: ClientCredentials) {
    this.#profile = profile
    this.#host = new URL(endpoint).host
    this.#signer = new ClientSigner(credentials, specs[profile.service].model.signingName)
  }

  /** The full request bytes, signed. */
  build(op: BenchOperation, input: OperationInput, options: BuildOptions = {}): Buffer {
    const binding = bindings[op]
    const path = binding.path(input)
    const bodyText = binding.body(input)
    const body = bodyText === undefined ? undefined : Buffer.from(bodyText)
    const values: Record<string, string> = {
      ...this.#profile.fixed,
      host: this.#host,
      'amz-sdk-invocation-id': options.invocationId ?? randomUUID(),
      'x-amz-date': options.date ?? amzDate(new Date()),
      'x-amz-content-sha256': sha256Hex(body ?? ''),
    }
    if (body) values['content-length'] = String(body.length)
    const order = body ? this.#profile.order.withBody : this.#profile.order.withoutBody
    const signed: [string, string][] = []
    for (const name of order) if (name !== 'authorization' && values[name] !== undefined) signed.push([name, values[name]])
    values.authorization = this.#signer.authorization(binding.method, path, signed, values['x-amz-content-sha256'])
    let head = `${binding.method} ${path} HTTP/1.1\r\n`
    for (const name of order) head += `${name}: ${values[name]}\r\n`
    for (const line of this.#profile.trailing) head += line + '\r\n'
    head += '\r\n'
    return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1')
  }
}

// ---- learning from, and checking against, the real client ----

interface CapturedRequest {
  readonly head: string
  readonly bytes: Buffer
}

/** A loopback server that records each request's bytes and answers `{}` (200). */
async function withCaptureServer<T>(fn: (endpoint: string, captured: CapturedRequest[]) => Promise<T>): Promise<T> {
  const captured: CapturedRequest[] = []
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        captured.push({ head, bytes: Buffer.from(buf.subarray(0, end + 4 + length)) })
        buf = buf.subarray(end + 4 + length)
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
      }
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  try {
    return await fn(`http://127.0.0.1:${port}`, captured)
  } finally {
    server.close()
  }
}

const SAMPLE_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdEFGH1234'
const SAMPLE_STAGE = 'arn:aws:ivs:us-west-2:123456789012:stage/abcdEFGH1234'
const SAMPLE_ROOM = 'arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234'

interface SampleCall {
  readonly op: BenchOperation
  readonly input: OperationInput
}

/**
 * One request of each operation the benchmark sends, by service. The first two teach the profile:
 * a POST with a JSON body and a GET without one.
 */
export const sampleCalls: Readonly<Record<ServiceId, readonly SampleCall[]>> = {
  ivs: [
    { op: 'GetChannel', input: { arn: SAMPLE_ARN } },
    { op: 'ListTagsForResource', input: { resourceArn: SAMPLE_ARN } },
    { op: 'CreateChannel', input: { name: 'bench-sample-1' } },
    { op: 'ListChannels', input: { maxResults: 50 } },
    { op: 'TagResource', input: { resourceArn: SAMPLE_ARN, tags: { bench: 'w4' } } },
    { op: 'DeleteChannel', input: { arn: SAMPLE_ARN } },
  ],
  'ivs-realtime': [
    { op: 'GetStage', input: { arn: SAMPLE_STAGE } },
    { op: 'ListTagsForResource', input: { resourceArn: SAMPLE_STAGE } },
    { op: 'CreateStage', input: { name: 'bench-sample-1' } },
  ],
  ivschat: [
    { op: 'GetRoom', input: { identifier: SAMPLE_ROOM } },
    { op: 'ListTagsForResource', input: { resourceArn: SAMPLE_ROOM } },
    { op: 'CreateRoom', input: { name: 'bench-sample-1' } },
  ],
}

interface SdkClient {
  send(command: unknown): Promise<unknown>
  destroy(): void
}
type SdkModule = Record<string, unknown>

/**
 * The service's SDK module, or undefined when it is not installed. Imported here only: the SDKs are
 * devDependencies and cost a few hundred ms to load.
 */
export async function loadSdk(service: ServiceId): Promise<SdkModule | undefined> {
  // Its notice about future Node versions is not the benchmark's business (it changes nothing on the wire).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const { packageName } = sdkClients[service]
  try {
    return (await import(packageName)) as SdkModule
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw err
  }
}

async function sendThroughSdk(endpoint: string, credentials: ClientCredentials, service: ServiceId, calls: readonly SampleCall[]): Promise<void> {
  const sdk = await loadSdk(service)
  const { packageName, client: clientName } = sdkClients[service]
  if (!sdk) throw new Error(`${packageName} is not installed`)
  const Client = sdk[clientName] as new (config: unknown) => SdkClient
  // Default configuration, as a user would create it: only where to send and how to sign.
  const client = new Client({
    endpoint,
    region: credentials.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  })
  try {
    for (const { op, input } of calls) {
      const Command = sdk[`${op}Command`] as new (input: OperationInput) => unknown
      await client.send(new Command(input))
    }
  } finally {
    client.destroy()
  }
}

function headerLines(head: string): [string, string][] {
  return head.split('\r\n').slice(1).map((line) => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon), line.slice(colon + 1).trim()]
  })
}

/** Learns a service client's header order and fixed values from its bytes on the wire. */
export async function captureSdkProfile(credentials: ClientCredentials, service: ServiceId = 'ivs'): Promise<SdkProfile> {
  // AWS_* variables would change what the SDK sends (e.g. a profile's settings); benchmark the default.
  return withCaptureServer(async (endpoint, captured) => {
    await sendThroughSdk(endpoint, credentials, service, sampleCalls[service].slice(0, 2))
    if (captured.length !== 2) throw new Error(`expected 2 captured requests, got ${captured.length}`)
    const [withBody, withoutBody] = captured.map((c) => headerLines(c.head))
    const sdkNames = (lines: [string, string][]) => lines.map(([n]) => n).filter((n) => n === n.toLowerCase())
    const fixed: Record<string, string> = {}
    for (const [name, value] of withBody) if (name === name.toLowerCase() && !COMPUTED.has(name)) fixed[name] = value
    for (const [name, value] of withoutBody) if (name === name.toLowerCase() && !COMPUTED.has(name)) fixed[name] ??= value
    // Lines written by node's http client itself carry capitalised names (`Connection: keep-alive`).
    const trailing = withBody.filter(([n]) => n !== n.toLowerCase()).map(([n, v]) => `${n}: ${v}`)
    return { service, order: { withBody: sdkNames(withBody), withoutBody: sdkNames(withoutBody) }, fixed, trailing }
  })
}

/**
 * Sends every sample call of the profile's service through its client and through the builder (with
 * the SDK's date and invocation id) and throws, showing both, unless the bytes are identical.
 */
export async function verifyAgainstSdk(profile: SdkProfile, credentials: ClientCredentials): Promise<number> {
  const calls = sampleCalls[profile.service]
  const { packageName } = sdkClients[profile.service]
  return withCaptureServer(async (endpoint, captured) => {
    await sendThroughSdk(endpoint, credentials, profile.service, calls)
    if (captured.length !== calls.length) throw new Error(`expected ${calls.length} captured requests, got ${captured.length}`)
    const builder = new RequestBuilder(profile, endpoint, credentials)
    calls.forEach(({ op, input }, i) => {
      const sdk = captured[i]
      const lines = Object.fromEntries(headerLines(sdk.head))
      const ours = builder.build(op, input, { date: lines['x-amz-date'], invocationId: lines['amz-sdk-invocation-id'] })
      if (!ours.equals(sdk.bytes)) {
        throw new Error(`${op}: the benchmark's request differs from ${packageName}'s:\n--- ${packageName}\n${sdk.bytes.toString('latin1')}\n--- benchmark\n${ours.toString('latin1')}`)
      }
    })
    return captured.length
  })
}
