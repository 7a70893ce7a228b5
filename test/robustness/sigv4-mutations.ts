// Category 2: signature mutations. Real clients sign real requests (the JS SDK, boto3, the AWS CLI),
// a capture server on loopback keeps their exact bytes, and each signed component is then changed in
// turn — method, path, each query value, each signed header value, a body byte, X-Amz-Date, each
// credential scope field, each signature hex digit — and replayed against ivs-replay. Every mutation
// must be refused with docs/ivs-behavior.md §8's status, x-amzn-ErrorType and message; every untouched original
// (and every change to what is not signed) must be accepted. Capture and replay happen in the same
// run, well inside the 5-minute skew window.
import { execFile, spawnSync } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  BatchGetChannelCommand, CreateChannelCommand, GetChannelCommand, IvsClient, ListChannelsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateChannelCommand,
} from '@aws-sdk/client-ivs'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { Test } from 'tap'
import { basicProblem, readError } from './check.js'
import { amzDate } from './fast-signer.js'
import { Tally, type Client } from './harness.js'
import { pool, rawExchange, type ParsedResponse } from './wire.js'

export interface Captured {
  readonly source: string
  readonly what: string
  readonly method: string
  /** Raw request-target as sent. */
  readonly url: string
  /** Header name/value pairs as sent (names in the client's case). */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Buffer
}

/** A loopback server that answers 200 `{}` and keeps every request it gets, byte for byte. */
export async function startCaptureServer(): Promise<{ endpoint: string; requests: Captured[]; label: (s: string, w: string) => void; close(): Promise<void> }> {
  const requests: Captured[] = []
  let source = 'unknown'
  let what = ''
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers: [string, string][] = []
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]])
      requests.push({ source, what, method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks) })
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-RequestId': '00000000-0000-4000-8000-000000000000' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    label: (s, w) => {
      source = s
      what = w
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

const pythonEnv = {
  ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-west-2',
  AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1',
}
export const hasBoto3 = (): boolean => spawnSync('python3', ['-c', 'import boto3'], { env: pythonEnv }).status === 0
export const hasAwsCli = (): boolean => spawnSync('aws', ['--version'], { env: pythonEnv }).status === 0

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { env: pythonEnv, timeout: 60_000 }, (err, _stdout, stderr) => resolve({ code: err ? 1 : 0, stderr })))
}

export async function captureJsSdk(endpoint: string, arn: string, label: (s: string, w: string) => void): Promise<void> {
  const ivs = new IvsClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const calls: [string, () => Promise<unknown>][] = [
    ['CreateChannel', () => ivs.send(new CreateChannelCommand({ name: 'captured-js', tags: { team: 'video', 'z key': 'ü' } }))],
    ['GetChannel', () => ivs.send(new GetChannelCommand({ arn }))],
    ['ListChannels', () => ivs.send(new ListChannelsCommand({ maxResults: 5, filterByName: 'captured-js' }))],
    ['UpdateChannel', () => ivs.send(new UpdateChannelCommand({ arn, latencyMode: 'NORMAL' }))],
    ['BatchGetChannel', () => ivs.send(new BatchGetChannelCommand({ arns: [arn] }))],
    ['TagResource', () => ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', 'b c': 'd/e' } }))],
    ['ListTagsForResource', () => ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))],
    ['UntagResource', () => ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'b c', 'ü'] }))],
  ]
  for (const [what, call] of calls) {
    label('js-sdk', what)
    await call().catch(() => undefined)
  }
}

export async function captureBoto3(endpoint: string, arn: string, label: (s: string, w: string) => void): Promise<string | undefined> {
  label('boto3', 'script')
  const script = `
import boto3, sys
c = boto3.client('ivs', endpoint_url=sys.argv[1], region_name='us-west-2')
arn = sys.argv[2]
for call in [lambda: c.create_channel(name='captured-boto3', tags={'team': 'video'}),
             lambda: c.get_channel(arn=arn),
             lambda: c.list_channels(maxResults=5),
             lambda: c.tag_resource(resourceArn=arn, tags={'a': '1', 'b c': 'd/e'}),
             lambda: c.list_tags_for_resource(resourceArn=arn),
             lambda: c.untag_resource(resourceArn=arn, tagKeys=['a', 'b c'])]:
    try:
        call()
    except Exception as e:
        print(e, file=sys.stderr)
`
  const r = await run('python3', ['-c', script, endpoint, arn])
  return r.code === 0 ? undefined : r.stderr
}

export async function captureAwsCli(endpoint: string, arn: string, label: (s: string, w: string) => void): Promise<void> {
  const common = ['--endpoint-url', endpoint, '--region', 'us-west-2', '--output', 'json']
  for (const args of [['get-channel', '--arn', arn], ['list-channels', '--max-results', '3'], ['untag-resource', '--resource-arn', arn, '--tag-keys', 'a', 'b']]) {
    label('aws-cli', args[0])
    await run('aws', ['ivs', ...args, ...common])
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations.

// The one sentence, then (by default) the canonical request and string-to-sign the server computed.
const MISMATCH = /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'/
const PAYLOAD = "The provided 'x-amz-content-sha256' header does not match what was computed."

export interface Expected {
  /** undefined: must be accepted (authenticated; any non-403 answer). */
  readonly type?: string
  readonly message?: string | RegExp
}

export interface Mutant {
  readonly label: string
  readonly request: Captured
  readonly expect: Expected
}

const invalid = (message: string | RegExp): Expected => ({ type: 'InvalidSignatureException', message })
const incomplete = (message: string | RegExp): Expected => ({ type: 'IncompleteSignatureException', message })

function header(c: Captured, name: string): string | undefined {
  return c.headers.find(([k]) => k.toLowerCase() === name)?.[1]
}

function withHeader(c: Captured, name: string, value: string | undefined): Captured {
  const headers = c.headers.filter(([k]) => k.toLowerCase() !== name)
  if (value !== undefined) {
    const original = c.headers.find(([k]) => k.toLowerCase() === name)?.[0] ?? name
    const at = c.headers.findIndex(([k]) => k.toLowerCase() === name)
    headers.splice(at < 0 ? headers.length : at, 0, [original, value])
  }
  return { ...c, headers }
}

interface Auth {
  readonly algorithm: string
  readonly credential: string[]
  readonly signedHeaders: string[]
  readonly signature: string
}

function parseAuth(value: string): Auth {
  const [algorithm, ...rest] = value.split(' ')
  const params = Object.fromEntries(rest.join(' ').split(/,\s*/).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))
  return { algorithm, credential: params.Credential.split('/'), signedHeaders: params.SignedHeaders.split(';'), signature: params.Signature }
}

function formatAuth(a: Auth): string {
  return `${a.algorithm} Credential=${a.credential.join('/')}, SignedHeaders=${a.signedHeaders.join(';')}, Signature=${a.signature}`
}

function withAuth(c: Captured, change: (a: Auth) => Auth): Captured {
  return withHeader(c, 'authorization', formatAuth(change(parseAuth(header(c, 'authorization')!))))
}

function shiftDate(stamp: string, ms: number): string {
  const t = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15))
  return amzDate(new Date(t + ms))
}

function otherHex(c: string): string {
  const digits = '0123456789abcdef'
  return digits[(digits.indexOf(c.toLowerCase()) + 1) % 16]
}

/** A different character at index `i` that keeps the text the same length. */
function changeCharAt(text: string, i: number): string {
  const c = text[i]
  const replacement = /[a-y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : /[A-Y]/.test(c) ? c.toLowerCase() : /[0-8]/.test(c) ? String(+c + 1) : c === 'z' ? 'a' : 'Q'
  return text.slice(0, i) + replacement + text.slice(i + 1)
}

/** `signatureDigits`: how many of the 64 hex digits to change, spread evenly (64 in the full suite). */
export function mutantsOf(c: Captured, signatureDigits = 64): Mutant[] {
  const out: Mutant[] = []
  const add = (label: string, request: Captured, expect: Expected) => out.push({ label: `${c.source} ${c.what}: ${label}`, request, expect })
  const auth = parseAuth(header(c, 'authorization')!)
  const signed = new Set(auth.signedHeaders)
  const hasContentSha = header(c, 'x-amz-content-sha256') !== undefined

  // Untouched, and changed only where nothing is signed: accepted.
  add('original', c, {})
  add('an unsigned header added', withHeader(c, 'x-unsigned-extra', 'anything'), {})
  if (!signed.has('user-agent') && header(c, 'user-agent') !== undefined) add('unsigned User-Agent changed', withHeader(c, 'user-agent', 'changed/1.0'), {})
  add('header names upper-cased', { ...c, headers: c.headers.map(([k, v]) => [k.toUpperCase(), v] as const) }, {})

  // Method.
  const otherMethod = c.method === 'POST' ? 'PUT' : c.method === 'GET' ? 'DELETE' : 'GET'
  add(`method ${c.method} → ${otherMethod}`, { ...c, method: otherMethod }, invalid(MISMATCH))

  // Path: a character in the operation part and, for tags, one in the ARN.
  const q = c.url.indexOf('?')
  const path = q < 0 ? c.url : c.url.slice(0, q)
  const query = q < 0 ? '' : c.url.slice(q)
  for (const i of new Set([1, path.length - 1, Math.floor(path.length / 2)])) {
    if (path[i] === '/' || path[i] === '%') continue
    add(`path char ${i}`, { ...c, url: changeCharAt(path, i) + query }, invalid(MISMATCH))
  }

  // Query: each value changed, each parameter removed, one added.
  const params = query ? query.slice(1).split('&') : []
  params.forEach((_, i) => {
    const changed = params.map((x, j) => (j === i ? `${x}x` : x)).join('&')
    add(`query value ${i} changed`, { ...c, url: `${path}?${changed}` }, invalid(MISMATCH))
    const removed = params.filter((_, j) => j !== i).join('&')
    add(`query parameter ${i} removed`, { ...c, url: removed ? `${path}?${removed}` : path }, invalid(MISMATCH))
  })
  add('query parameter added', { ...c, url: `${c.url}${query ? '&' : '?'}extra=1` }, invalid(MISMATCH))

  // Each signed header's value.
  for (const name of auth.signedHeaders) {
    const value = header(c, name)
    if (value === undefined) continue
    if (name === 'x-amz-date') {
      const later = shiftDate(value, 1000)
      add('X-Amz-Date + 1 s', withHeader(c, name, later),
        later.slice(0, 8) === value.slice(0, 8) ? invalid(MISMATCH) : invalid(/^Date in Credential scope does not match/))
      add('X-Amz-Date − 1 day', withHeader(c, name, shiftDate(value, -86_400_000)), invalid(/^Signature expired: \d{8}T\d{6}Z is now earlier than/))
      add('X-Amz-Date + 1 h', withHeader(c, name, shiftDate(value, 3_600_000)), invalid(/^Signature not yet current: /))
      add('X-Amz-Date not ISO 8601 basic', withHeader(c, name, value.replace('T', '-')), incomplete(/^Date must be in ISO-8601 'basic format'/))
    } else if (name === 'x-amz-content-sha256') {
      add('x-amz-content-sha256 digit changed', withHeader(c, name, otherHex(value[0]) + value.slice(1)), invalid(PAYLOAD))
    } else if (name === 'host') {
      add('Host port changed', withHeader(c, name, value.replace(/\d$/, (d) => otherHex(d).replace(/[a-f]/, '0'))), invalid(MISMATCH))
      add('Host name changed', withHeader(c, name, value.replace('127.0.0.1', 'localhost')), invalid(MISMATCH))
    } else if (name === 'content-length') {
      // Same number, different text: node keeps the header as sent, and the signature covers the text.
      add('Content-Length with a leading zero', withHeader(c, name, `0${value}`), invalid(MISMATCH))
    } else {
      add(`signed header ${name} changed`, withHeader(c, name, `${value}x`), invalid(MISMATCH))
      add(`signed header ${name} removed`, withHeader(c, name, undefined), invalid(MISMATCH))
    }
  }

  // A body byte (same length, so Content-Length still frames it).
  if (c.body.length > 0) {
    for (const i of new Set([0, Math.floor(c.body.length / 2), c.body.length - 1])) {
      const body = Buffer.from(c.body)
      body[i] = body[i] === 0x20 ? 0x21 : 0x20
      add(`body byte ${i} changed`, { ...c, body }, invalid(hasContentSha ? PAYLOAD : MISMATCH))
    }
  }

  // Credential scope, field by field.
  const [, day] = auth.credential
  const withCredential = (i: number, v: string) => withAuth(c, (a) => ({ ...a, credential: a.credential.map((x, j) => (j === i ? v : x)) }))
  add('another known access key (signed with the first)', withCredential(0, 'other'), invalid(MISMATCH))
  add('an unknown access key', withCredential(0, 'AKIAUNKNOWNEXAMPLE'), { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' })
  const dayBefore = amzDate(new Date(Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8)) - 86_400_000)).slice(0, 8)
  add('scope date changed', withCredential(1, dayBefore), invalid(new RegExp(`^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${dayBefore}' != '${day}'`)))
  add('scope region → another valid region', withCredential(2, 'us-east-1'), invalid(MISMATCH))
  add('scope region → no region', withCredential(2, 'mars-north-1'), invalid("Credential should be scoped to a valid region, not 'mars-north-1'. "))
  add('scope service changed', withCredential(3, 'ivx'), invalid("Credential should be scoped to correct service: 'ivs'. "))
  add('scope terminator changed', withCredential(4, 'aws4_requesx'), invalid("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requesx'. "))
  add('scope with four parts', withAuth(c, (a) => ({ ...a, credential: a.credential.slice(0, 4) })), incomplete(/^Credential must have exactly 5 slash-delimited elements/))

  // SignedHeaders: dropping any signed header breaks the signature; dropping Host is named.
  for (const name of auth.signedHeaders) {
    const without = (a: Auth) => ({ ...a, signedHeaders: a.signedHeaders.filter((h) => h !== name) })
    const expect = name === 'host' ? invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
      : name === 'x-amz-date' ? invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
      : invalid(MISMATCH)
    add(`SignedHeaders without ${name}`, withAuth(c, without), expect)
  }

  // Every hex digit of the signature, and its case.
  const stride = Math.max(1, Math.floor(auth.signature.length / signatureDigits))
  for (let i = 0; i < auth.signature.length; i += stride) {
    const signature = auth.signature.slice(0, i) + otherHex(auth.signature[i]) + auth.signature.slice(i + 1)
    add(`signature digit ${i}`, withAuth(c, (a) => ({ ...a, signature })), invalid(MISMATCH))
  }
  add('signature upper-cased', withAuth(c, (a) => ({ ...a, signature: a.signature.toUpperCase() })), invalid(MISMATCH))
  add('signature one digit short', withAuth(c, (a) => ({ ...a, signature: a.signature.slice(0, -1) })), invalid(MISMATCH))

  // The Authorization header itself.
  add('algorithm changed', withAuth(c, (a) => ({ ...a, algorithm: 'AWS4-HMAC-SHA512' })), incomplete(/^Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'/))
  add('no Authorization', withHeader(c, 'authorization', undefined), { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
  add('Authorization and X-Amz-Algorithm both', { ...c, url: `${c.url}${query ? '&' : '?'}X-Amz-Algorithm=AWS4-HMAC-SHA256` },
    invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."))
  return out
}

/** The bytes of a captured (or mutated) request, closed after one answer. */
export function requestBytes(c: Captured): Buffer {
  const lines = [`${c.method} ${c.url} HTTP/1.1`]
  let hasLength = false
  for (const [k, v] of c.headers) {
    if (k.toLowerCase() === 'connection') continue
    if (k.toLowerCase() === 'content-length') hasLength = true
    lines.push(`${k}: ${v}`)
  }
  if (!hasLength && c.body.length > 0) lines.push(`content-length: ${c.body.length}`)
  lines.push('connection: close')
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), c.body])
}

export function judgeMutant(r: ParsedResponse | undefined, expect: Expected): string | undefined {
  if (!r) return 'no answer'
  const basic = basicProblem({ status: r.status, headers: r.headers, body: r.body })
  if (basic) return basic
  if (expect.type === undefined) {
    // The captures target a channel that exists: an authentic replay succeeds outright.
    if (r.status >= 300) {
      const err = readError({ status: r.status, headers: r.headers, body: r.body })
      return `an authentic request was not served: ${r.status} ${typeof err === 'string' ? err : `${err.type}: ${err.message}`}`
    }
    return undefined
  }
  const err = readError({ status: r.status, headers: r.headers, body: r.body })
  if (r.status !== 403 || typeof err === 'string' || err.type !== expect.type) {
    return `expected 403 ${expect.type}, got ${r.status} ${typeof err === 'string' ? err : `${err.type}: ${err.message.slice(0, 160)}`}`
  }
  if (expect.message !== undefined) {
    const ok = typeof expect.message === 'string' ? err.message === expect.message : expect.message.test(err.message)
    if (!ok) return `message ${JSON.stringify(err.message)} does not match ${String(expect.message)}`
  }
  return undefined
}

export async function replayAll(port: number, mutants: readonly Mutant[], tally: Tally, category: (m: Mutant) => string): Promise<void> {
  await pool(mutants, 16, async (m) => {
    const o = await rawExchange(port, [{ write: requestBytes(m.request) }], { stopAfterResponses: 1, waitMs: 5000 })
    const problem = judgeMutant(o.responses[0], m.expect)
    tally.record(category(m), problem === undefined ? undefined : `${m.label}: ${problem}`)
  })
}

/** Presigned URLs from the reference signer: valid, expired, and mutated. */
export async function presignedMutants(port: number, arn: string): Promise<Mutant[]> {
  const host = `127.0.0.1:${port}`
  const signer = (accessKeyId: string, secretAccessKey: string) =>
    new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, credentials: { accessKeyId, secretAccessKey } })
  const path = `/tags/${encodeURIComponent(arn)}`
  const presign = async (signingDate: Date, expiresIn: number) => {
    const signed = await signer('test', 'test').presign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path, headers: { host }, query: {} },
      { signingDate, expiresIn },
    )
    const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')
    return `${path}?${query}`
  }
  const asCaptured = (url: string, what: string): Captured => ({ source: 'presigned', what, method: 'GET', url, headers: [['host', host]], body: Buffer.alloc(0) })
  const valid = asCaptured(await presign(new Date(), 60), 'valid for 60 s')
  // Outside S3 a presigned URL lives 15 minutes whatever X-Amz-Expires says (verify-sigv4.ts).
  const expired = asCaptured(await presign(new Date(Date.now() - 16 * 60_000), 60), 'signed 16 min ago')
  const edit = (url: string, name: string, f: (v: string) => string) =>
    url.replace(new RegExp(`([?&]${name}=)([^&]*)`), (_m, k: string, v: string) => k + encodeURIComponent(f(decodeURIComponent(v))))
  const m = (label: string, c: Captured, expect: Expected): Mutant => ({ label: `presigned: ${label}`, request: c, expect })
  return [
    m('valid', valid, {}),
    m('after its expiry', expired, invalid(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/)),
    m('signature digit changed', { ...valid, url: edit(valid.url, 'X-Amz-Signature', (v) => otherHex(v[0]) + v.slice(1)) }, invalid(MISMATCH)),
    m('X-Amz-Expires changed', { ...valid, url: edit(valid.url, 'X-Amz-Expires', () => '61') }, invalid(MISMATCH)),
    m('another known access key', { ...valid, url: edit(valid.url, 'X-Amz-Credential', (v) => v.replace(/^test\//, 'other/')) }, invalid(MISMATCH)),
    m('path changed', { ...valid, url: valid.url.replace('channel%2F', 'channel%2Fx') }, invalid(MISMATCH)),
  ]
}

export interface SigV4Options {
  readonly signatureDigits: number
  readonly withAwsCli: boolean
}

export async function sigv4Suite(t: Test, client: Client, options: SigV4Options): Promise<Tally> {
  const tally = new Tally()
  const port = client.server.port
  // A real channel, so that replays of reads and tag calls find it (accepted means 200, not 404).
  const created = await client.signed('POST', '/CreateChannel', '{"name":"sigv4-target"}')
  const arn = (JSON.parse(created.body.toString()) as { channel: { arn: string } }).channel.arn

  const capture = await startCaptureServer()
  try {
    await captureJsSdk(capture.endpoint, arn, capture.label)
    if (hasBoto3()) {
      const failed = await captureBoto3(capture.endpoint, arn, capture.label)
      t.notOk(failed, 'boto3 ran its calls against the capture server')
    } else {
      t.comment('boto3 mutations skipped: python3 cannot import boto3 (pip install boto3)')
    }
    if (!options.withAwsCli) t.comment('AWS CLI captures: full suite only (each call starts a Python process)')
    else if (hasAwsCli()) await captureAwsCli(capture.endpoint, arn, capture.label)
    else t.comment('AWS CLI mutations skipped: `aws` is not on PATH')
  } finally {
    await capture.close()
  }
  // botocore labels nothing per call: name its requests by their path.
  const captured = capture.requests.map((c) => (c.source === 'boto3' ? { ...c, what: `${c.method} ${c.url.split('?')[0].slice(0, 40)}` } : c))
  const bySource = new Map<string, number>()
  for (const c of captured) bySource.set(c.source, (bySource.get(c.source) ?? 0) + 1)
  t.ok((bySource.get('js-sdk') ?? 0) >= 8, `captured the JS SDK's requests (${[...bySource].map(([s, n]) => `${s} ${n}`).join(', ')})`)
  const signedSets = new Set<string>()
  for (const c of captured) {
    const auth = header(c, 'authorization')
    t.ok(auth, `${c.source} ${c.what} carries an Authorization header`)
    if (auth) signedSets.add(`${c.source} signs ${parseAuth(auth).signedHeaders.join(';')}`)
  }
  for (const line of signedSets) t.comment(line)

  const mutants = captured.filter((c) => header(c, 'authorization')).flatMap((c) => mutantsOf(c, options.signatureDigits))
  await replayAll(port, mutants, tally, (m) => `sigv4/${m.request.source}/${m.expect.type ? 'mutated' : 'untouched'}`)
  await replayAll(port, await presignedMutants(port, arn), tally, (m) => `sigv4/presigned/${m.expect.type ? 'mutated' : 'untouched'}`)
  tally.probe(await client.stillServing())
  tally.assert(t, 'SigV4 mutations')
  return tally
}
