// Record mode: a second ivs-replay in simulate mode plays "real AWS" (its own credentials, its own
// account, SigV4 verified, so every forwarded call proves the re-signing), and the recorder sits in
// front of it, driven by the real client-ivs with the local test/test credentials.
import {
  CreateChannelCommand, DeleteChannelCommand, GetChannelCommand, GetStreamKeyCommand, ListChannelsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-ivs'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { MemoryCassetteStore } from '../src/storage/memory-cassette-store.js'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import type { Interaction, NewInteraction } from '../src/storage/storage.js'
import { Redactor, rewriteAccount, STAND_IN_MARKER } from '../src/cassette/redaction.js'
import { requestIdentity } from '../src/cassette/request-identity.js'
import { scanInteraction, type Finding } from '../src/cassette/secret-scan.js'
import type { Config } from '../src/config/config.js'
import { loadConfig } from '../src/config/load-config.js'
import { Dispatcher } from '../src/dispatch/dispatcher.js'
import type { IvsAnswer } from '../src/backend/backend.js'
import type { IvsCall } from '../src/backend/ivs-call.js'
import { start } from '../src/index.js'
import { Logger } from '../src/log/logger.js'
import { openRecordingProxy } from '../src/proxy/recording-proxy.js'
import { createIvsServer } from '../src/app/server.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'
import { hasOpenssl, makeTestCa } from './helpers/self-signed-ca.js'
import { signedRequest } from './helpers/signed-request.js'

const REAL_KEY_ID = 'AKIDREALREALREAL'
/** AWS's documented example key id, assembled so no key-shaped literal sits in the source. */
const EXAMPLE_KEY_ID = 'AKIA' + 'IOSFODNN7EXAMPLE'
const REAL_SECRET = 'real-secret'
const REAL_ACCOUNT = '999988887777'
const LOCAL_ACCOUNT = '123456789012'

// The real credentials reach the recorder the way they reach the AWS CLI: through the environment.
// Shared files point nowhere and instance metadata is off, so this machine's own setup never leaks in.
const savedEnv = { ...process.env }
const awsEnv = (vars: Record<string, string>) => {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: path.join(t.testdirName, 'no-such-credentials'),
    AWS_CONFIG_FILE: path.join(t.testdirName, 'no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  })
}
// CI runs the suite with CI=true, where record modes refuse to start unless allowed (tested in cassette-verify.test.ts).
const realEnv = () => awsEnv({ AWS_ACCESS_KEY_ID: REAL_KEY_ID, AWS_SECRET_ACCESS_KEY: REAL_SECRET, IVS_REPLAY_RECORD_IN_CI: 'true' })
realEnv()
t.teardown(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

const upstream = await start({
  config: { credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: REAL_ACCOUNT }] },
})
t.teardown(() => upstream.close())
/** The upstream's own view, with the real credentials: what "real AWS" says. */
const real = clientFor(upstream, { accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET })

/** Collects log lines. */
class LogSink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

function recordConfig(cassette: string, upstreamConfig: Record<string, unknown>): Config {
  return loadConfig({ base: { logLevel: 'silent', port: 0 }, overrides: { mode: 'record', cassette, upstream: upstreamConfig } })
}

async function interactionsOf(file: string): Promise<Interaction[]> {
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  try {
    return await store.all()
  } finally {
    await store.close()
  }
}

/** Every byte SQLite has for the cassette: the main file and, while it is open, its WAL. */
function cassetteBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n')
}

/** The parts of recorded answers the tests look at. */
interface RecordedAnswer {
  channel: { arn: string; playbackUrl: string; srt: { passphrase: string } }
  streamKey: { value: string }
}

function json(body: Buffer): RecordedAnswer {
  return JSON.parse(body.toString('utf8')) as RecordedAnswer
}

/** An upstream answer as a recorder's client sees it: the real account shown as the local one. */
function asLocal<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll(REAL_ACCOUNT, LOCAL_ACCOUNT)) as T
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

t.test('closed loop: forwards re-signed, answers unchanged, records redacted, replays', async (t) => {
  const dir = t.testdir()
  const cassette = path.join(dir, 'closed-loop.sqlite')
  const log = new LogSink()
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: upstream.endpoint }, logLevel: 'debug' }, logStream: log })
  let closed = false
  t.teardown(() => (closed ? undefined : recorder.close()))
  const ivs = clientFor(recorder)

  const created = await ivs.send(new CreateChannelCommand({ name: 'recorded', tags: { team: 'video' } }))
  const localArn = created.channel!.arn!
  t.match(localArn, new RegExp(`^arn:aws:ivs:us-west-2:${LOCAL_ACCOUNT}:channel/`), 'the client sees the local account, as a replay will show it')
  const arn = localArn.replace(LOCAL_ACCOUNT, REAL_ACCOUNT)
  t.same(created.channel, asLocal((await real.send(new GetChannelCommand({ arn }))).channel), 'the channel is the upstream one, secrets and all')
  t.same(created.streamKey, asLocal((await real.send(new GetStreamKeyCommand({ arn: created.streamKey!.arn!.replace(LOCAL_ACCOUNT, REAL_ACCOUNT) }))).streamKey))
  const streamKeyValue = created.streamKey!.value!
  const passphrase = created.channel!.srt!.passphrase!
  t.ok(recorder.simulator.state(LOCAL_ACCOUNT, 'us-west-2').channels.has(localArn), 'observe: the simulator learned the channel as recorded')

  const got = await ivs.send(new GetChannelCommand({ arn }))
  t.same(got.channel, created.channel, 'a real-account ARN is forwarded as it is, and answered with the local account')
  const gotLocal = await ivs.send(new GetChannelCommand({ arn: localArn }))
  t.same(gotLocal.channel, created.channel, 'a local-account ARN is forwarded with the real account')
  const listed = await ivs.send(new ListChannelsCommand({}))
  t.same(listed.channels, asLocal((await real.send(new ListChannelsCommand({}))).channels))
  await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', b: '2' } }))
  const tags = await ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))
  t.same(tags.tags, { team: 'video', a: '1', b: '2' })
  await ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'b'] }))
  t.same((await real.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'video' }, 'repeated tagKeys forwarded')
  const key = await ivs.send(new GetStreamKeyCommand({ arn: created.streamKey!.arn! }))
  t.match(key.streamKey!.arn, `:${LOCAL_ACCOUNT}:stream-key/`)
  t.equal(key.streamKey!.value, streamKeyValue)
  const invalid = await failureOf(ivs.send(new CreateChannelCommand({ name: 'bad', type: 'STANDARD', preset: 'HIGHER_BANDWIDTH_DELIVERY' })))
  t.equal(invalid.name, 'ValidationException', "the upstream's 4xx reaches the client")
  t.equal(invalid.status, 400)
  t.match(invalid.message, /preset is selectable only/)
  await ivs.send(new DeleteChannelCommand({ arn }))
  const gone = await failureOf(ivs.send(new GetChannelCommand({ arn })))
  t.equal(gone.name, 'ResourceNotFoundException')
  t.equal(gone.status, 404)
  const raw = await signedRequest(recorder.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(raw.status, 200)
  t.equal(raw.headers.get('x-ivs-replay-source'), 'proxied')
  t.equal(raw.headers.get('content-type'), 'application/json')

  const secrets = [REAL_ACCOUNT, REAL_KEY_ID, REAL_SECRET, 'Signature=', streamKeyValue, streamKeyValue.split('_')[3], passphrase]
  const checkBytes = (bytes: string, when: string) => {
    for (const s of secrets) t.notOk(bytes.includes(s), `${when}: ${s.slice(0, 12)}… is nowhere in the cassette`)
    t.ok(bytes.includes(LOCAL_ACCOUNT), `${when}: the local account is`)
  }
  checkBytes(cassetteBytes(cassette), 'open (main file + WAL)')
  await recorder.close()
  closed = true
  checkBytes(cassetteBytes(cassette), 'closed')
  for (const s of [REAL_KEY_ID, REAL_SECRET, 'Signature=', streamKeyValue, passphrase]) {
    t.notOk(log.text.includes(s), `the log never shows ${s.slice(0, 12)}…`)
  }
  t.match(log.text, /upstream=127\.0\.0\.1:\d+/, 'log lines name the upstream host')

  const recorded = await interactionsOf(cassette)
  t.same(recorded.map((i) => `${i.operation} ${i.response.status}`), [
    'CreateChannel 200', 'GetChannel 200', 'GetChannel 200', 'ListChannels 200', 'TagResource 200', 'ListTagsForResource 200',
    'UntagResource 200', 'GetStreamKey 200', 'CreateChannel 400', 'DeleteChannel 204', 'GetChannel 404', 'ListChannels 200',
  ])
  for (const i of recorded) {
    const kept = i.request.method === 'POST' ? ['content-type'] : []
    t.same(Object.keys(i.request.headers), kept, `${i.operation}: of the request headers, only content-type is kept`)
    t.ok(Object.keys(i.response.headers).every((h) => h === 'content-type' || h === 'x-amzn-ErrorType'))
    t.same(scanInteraction(i, [REAL_KEY_ID, REAL_SECRET, REAL_ACCOUNT]), [], `${i.operation}: the scan finds nothing`)
  }
  const [create, get, getLocal] = recorded
  const createdAnswer = json(create.response.body)
  t.equal(createdAnswer.channel.arn, localArn, 'ARNs show the local account')
  t.match(createdAnswer.channel.playbackUrl, `.${LOCAL_ACCOUNT}.channel.`, 'so do playback URLs')
  const standIn = createdAnswer.streamKey.value
  t.not(standIn, streamKeyValue)
  t.equal(standIn.length, streamKeyValue.length, 'the stand-in has the real length')
  t.match(standIn, new RegExp(`^sk_us-west-2_${streamKeyValue.split('_')[2]}_${STAND_IN_MARKER}[A-Za-z0-9]+$`), 'and the real format')
  const passStandIn = createdAnswer.channel.srt.passphrase
  t.equal(passStandIn.length, passphrase.length)
  t.match(passStandIn, new RegExp(`^${STAND_IN_MARKER}[A-Za-z0-9]+$`))
  t.equal(json(recorded[7].response.body).streamKey.value, standIn, "GetStreamKey's answer shows the same stand-in")
  t.equal(get.identity, getLocal.identity, 'a real-account and a local-account GetChannel are one request')
  t.same([get.seq, getLocal.seq], [0, 1])
  t.equal(get.identity, requestIdentity({ operation: 'GetChannel', path: '/GetChannel', query: {}, body: { arn: localArn } }))
  t.equal(decodeURIComponent(recorded[5].request.path), `/tags/${localArn}`, 'the ARN in the path is rewritten')
  t.same(recorded[6].request.query, { tagKeys: ['a', 'b'] })
  t.equal(recorded[8].response.headers['x-amzn-ErrorType'], 'ValidationException')

  // What a replaying client (local credentials, local-account ARNs) gets.
  const replay = await start({ config: { mode: 'replay', cassette } })
  t.teardown(() => replay.close())
  const again = clientFor(replay)
  const replayed = await again.send(new CreateChannelCommand({ name: 'recorded', tags: { team: 'video' } }))
  t.equal(replayed.channel!.arn, localArn)
  t.equal(replayed.streamKey!.value, standIn)
  t.equal((await again.send(new GetChannelCommand({ arn: localArn }))).channel!.name, 'recorded')
  t.same((await again.send(new ListTagsForResourceCommand({ resourceArn: localArn }))).tags, { team: 'video', a: '1', b: '2' })
  await again.send(new UntagResourceCommand({ resourceArn: localArn, tagKeys: ['a', 'b'] }))
  t.equal((await failureOf(again.send(new CreateChannelCommand({ name: 'bad', type: 'STANDARD', preset: 'HIGHER_BANDWIDTH_DELIVERY' })))).name,
    'ValidationException', 'a recorded 4xx replays')
})

t.test('an HTTPS upstream behind a private CA: trusted through upstream.caFile, refused without it', {
  skip: hasOpenssl() ? false : 'the openssl command line is not installed: cannot make a test CA',
}, async (t) => {
  const dir = t.testdir()
  const ca = makeTestCa(dir)
  // A small TLS front for the simulate-mode upstream; Host passes through, so signatures verify.
  const front = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    const hop = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    hop.on('error', () => res.destroy())
    req.pipe(hop)
  })
  const port = await listen(front)
  t.teardown(() => new Promise<void>((resolve) => { front.close(() => resolve()); front.closeAllConnections() }))
  const url = `https://127.0.0.1:${port}`

  const trustedFile = path.join(dir, 'trusted.sqlite')
  const trusted = await start({ config: { mode: 'record', cassette: trustedFile, upstream: { url, caFile: ca.caFile } } })
  const created = await clientFor(trusted).send(new CreateChannelCommand({ name: 'over-tls' }))
  t.match(created.channel!.arn, `:${LOCAL_ACCOUNT}:channel/`)
  await trusted.close()
  t.equal((await interactionsOf(trustedFile)).length, 1)

  const untrustedFile = path.join(dir, 'untrusted.sqlite')
  await t.rejects(start({ config: { mode: 'record', cassette: untrustedFile, upstream: { url } } }), {
    name: 'ConfigError', field: 'upstream.accountId',
    message: new RegExp(`STS GetCallerIdentity at https://127\\.0\\.0\\.1:${port} .*TLS handshake failed: .*certificate.*upstream\\.caFile`),
  }, 'the STS call at start-up meets the untrusted certificate first')
  // With the account given, nothing is asked at start-up: the first forwarded call meets it.
  const untrusted = await start({ config: { mode: 'record', cassette: untrustedFile, upstream: { url, accountId: REAL_ACCOUNT } } })
  t.teardown(() => untrusted.close())
  const refused = await failureOf(clientFor(untrusted).send(new CreateChannelCommand({ name: 'over-tls' })))
  t.equal(refused.status, 502)
  t.equal(refused.name, 'UpstreamUnavailableException')
  t.match(refused.message, new RegExp(`upstream 127\\.0\\.0\\.1:${port}: TLS handshake failed: .*certificate.*upstream\\.caFile`))
  const raw = await signedRequest(untrusted.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(raw.headers.get('x-amzn-errortype'), 'UpstreamUnavailableException')
  t.match(raw.json.message, /TLS handshake failed/)
  await untrusted.close()
  t.equal((await interactionsOf(untrustedFile)).length, 0, 'nothing recorded')

  await t.rejects(start({ config: { mode: 'record', cassette: untrustedFile, upstream: { url, caFile: path.join(dir, 'nope.pem') } } }),
    { name: 'ConfigError', field: 'upstream.caFile', message: /cannot be read: ENOENT/ })
})

t.test('upstream faults: refused, stalled, reset, 5xx and 429 reach the client AWS-shaped and are not recorded', async (t) => {
  const dir = t.testdir()
  const refusedPort = await (async () => {
    const s = net.createServer()
    const port = await listen(s)
    await new Promise<void>((resolve) => s.close(() => resolve()))
    return port
  })()
  const sockets = new Set<net.Socket>()
  const stall = net.createServer((socket) => { sockets.add(socket) })
  const reset = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"channel":{"arn":"arn:aws:ivs:')
      setTimeout(() => socket.resetAndDestroy(), 20)
    })
  })
  const failing = http.createServer((req, res) => {
    req.resume()
    const throttled = req.url === '/ListChannels'
    const body = JSON.stringify({ message: throttled ? 'Rate exceeded' : 'try again later' })
    res.writeHead(throttled ? 429 : 503, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': throttled ? 'ThrottlingException' : 'ServiceUnavailable' })
    res.end(body)
  })
  const [stallPort, resetPort, failingPort] = [await listen(stall), await listen(reset), await listen(failing)]
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    stall.close(); reset.close(); failing.close(); failing.closeAllConnections()
  })

  const cases = [
    { what: 'refused', port: refusedPort, status: 502, name: 'UpstreamUnavailableException', message: /connection refused \(ECONNREFUSED\)/ },
    { what: 'stalled', port: stallPort, status: 504, name: 'UpstreamTimeoutException', message: /no complete answer within 300 ms/ },
    { what: 'reset', port: resetPort, status: 502, name: 'UpstreamUnavailableException', message: /closed in the middle of the answer|connection reset/ },
    { what: '5xx', port: failingPort, status: 503, name: 'ServiceUnavailable', message: /^try again later$/ },
  ]
  for (const c of cases) {
    const file = path.join(dir, `${c.what}.sqlite`)
    const recorder = await start({ config: { mode: 'record', cassette: file, upstream: { url: `http://127.0.0.1:${c.port}`, timeoutMs: 300, accountId: REAL_ACCOUNT } } })
    const ivs = clientFor(recorder)
    for (let round = 1; round <= 2; round++) {
      const began = Date.now()
      const failure = await failureOf(ivs.send(new CreateChannelCommand({ name: 'faulty' })))
      t.equal(failure.status, c.status, `${c.what} #${round}: status`)
      t.equal(failure.name, c.name, `${c.what} #${round}: error type`)
      t.match(failure.message, c.message)
      if (c.status !== 503) t.match(failure.message, `upstream 127.0.0.1:${c.port}`, 'the message names the upstream')
      if (c.what === 'stalled') t.ok(Date.now() - began < 3000, 'the deadline holds')
    }
    if (c.what === '5xx') {
      const throttled = await failureOf(ivs.send(new ListChannelsCommand({})))
      t.same([throttled.status, throttled.name], [429, 'ThrottlingException'], 'a 429 passes through')
    }
    const health = await fetch(`${recorder.endpoint}/_mock/health`)
    t.equal(health.status, 200, `${c.what}: the server keeps serving`)
    await recorder.close()
    t.equal((await interactionsOf(file)).length, 0, `${c.what}: nothing recorded`)
  }
})

t.test('without real credentials the recording backend does not start', async (t) => {
  const dir = t.testdir()
  awsEnv({})
  t.teardown(realEnv)
  const file = path.join(dir, 'none.sqlite')
  // Only a store to hand over (the backend refuses before it touches it): the in-memory one.
  const store = await MemoryCassetteStore.open()
  t.teardown(() => store.close())
  const deps = (upstreamConfig: Record<string, unknown>) => ({
    config: recordConfig(file, upstreamConfig), store, logger: new Logger('silent'), observe: () => undefined, onRecorded: () => undefined,
  })
  await t.rejects(openRecordingProxy(deps({ url: upstream.endpoint, profile: 'does-not-exist' })), {
    name: 'ConfigError', field: 'upstream.profile', message: /upstream\.profile "does-not-exist" gives no real AWS credentials/,
  })
  await t.rejects(openRecordingProxy(deps({ url: upstream.endpoint })), {
    name: 'ConfigError', field: 'credentials', message: /not found: record mode signs with the AWS default credential chain/,
  })
  await t.rejects(start({ config: { mode: 'record', cassette: path.join(dir, 'start.sqlite'), upstream: { url: upstream.endpoint } } }),
    { name: 'ConfigError', field: 'credentials' })
})

t.test('a cassette that cannot be written: CassetteWriteException, nothing recorded, nothing announced', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'read-only.sqlite')
  const writable = await SqliteCassetteStore.open(file)
  await Redactor.forCassette(writable) // the salt exists, so a read-only open can start recording
  await writable.close()
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  t.teardown(() => store.close())
  const config = recordConfig(file, { url: upstream.endpoint })
  const logger = new Logger('silent')
  const told: string[] = []
  const backend = await openRecordingProxy({
    config, store, logger,
    observe: (call: IvsCall, _answer: IvsAnswer) => { told.push(`observe ${call.operation}`) },
    onRecorded: (i: Interaction) => { told.push(`recorded ${i.id}`) },
  })
  t.teardown(() => backend.close())
  // The same pipeline the app uses, with this backend alone.
  const server = createIvsServer({ config, logger, dispatcher: new Dispatcher([backend]) })
  const port = await listen(server)
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))

  const failure = await failureOf(clientFor({ endpoint: `http://127.0.0.1:${port}` }).send(new CreateChannelCommand({ name: 'unwritable' })))
  t.equal(failure.status, 424, 'a 4xx no SDK retries')
  t.equal(failure.name, 'CassetteWriteException')
  t.match(failure.message, /^ivs-replay could not record this CreateChannel: the cassette is not writable/)
  t.match(failure.message, /did carry the request out \(status 200, upstream request id [0-9a-f-]{36}\)/)
  t.match(failure.message, /readonly/i)
  t.same(told, [])
  t.same(await store.all(), [])
})

t.test('50 concurrent clients: each interaction recorded once, seq in order', async (t) => {
  const file = path.join(t.testdir(), 'concurrent.sqlite')
  const recorder = await start({ config: { mode: 'record', cassette: file, upstream: { url: upstream.endpoint } } })
  const ivs = clientFor(recorder)
  const answers = await Promise.all(Array.from({ length: 50 }, () => ivs.send(new CreateChannelCommand({ name: 'crowd' }))))
  await recorder.close()
  t.equal(new Set(answers.map((a) => a.channel!.arn)).size, 50, '50 channels created upstream')
  const recorded = await interactionsOf(file)
  t.equal(recorded.length, 50)
  t.equal(new Set(recorded.map((i) => i.identity)).size, 1, 'one request, fifty times')
  t.same(recorded.map((i) => i.seq), Array.from({ length: 50 }, (_, n) => n), 'seq 0…49 in recording order')
  const recordedArns = new Set(recorded.map((i) => json(i.response.body).channel.arn))
  t.same(recordedArns, new Set(answers.map((a) => a.channel!.arn!.replace(REAL_ACCOUNT, LOCAL_ACCOUNT))), 'every answer exactly once')
  t.equal(new Set(recorded.map((i) => json(i.response.body).streamKey.value)).size, 50, 'fifty distinct stand-ins')
})

t.test('redaction: stand-ins are format-valid, stable per cassette salt, and recognisable', async (t) => {
  const a = new Redactor(Buffer.alloc(32, 1))
  const b = new Redactor(Buffer.alloc(32, 2))
  const key = 'sk_us-west-2_AbCdEfGh1234_abcdefghijklmnopqrstuvwxyzABCD'
  const standIn = a.streamKey(key)
  t.match(standIn, /^sk_us-west-2_AbCdEfGh1234_REDACTED[A-Za-z0-9]{22}$/)
  t.equal(a.streamKey(key), standIn, 'same value, same salt: same stand-in')
  t.not(b.streamKey(key), standIn, 'another cassette, another stand-in')
  t.not(a.streamKey(key.replace('ABCD', 'ABCE')), standIn)
  t.equal(a.streamKey(standIn), standIn, 'a stand-in is left alone')
  const srt = `{"srt":{"passphrase": "${'p'.repeat(79)}","endpoint":"x"}}`
  t.equal(a.text(srt).length, srt.length, 'the body keeps its length')
  t.match(a.text(`{"passphrase":"${'p'.repeat(79)}"}`), new RegExp(`^\\{"passphrase":"REDACTED[A-Za-z0-9]{71}"\\}$`))
  const account = { real: REAL_ACCOUNT, local: LOCAL_ACCOUNT }
  t.equal(rewriteAccount(`arn:aws:ivs:us-west-2:${REAL_ACCOUNT}:channel/x ${REAL_ACCOUNT}0 x${REAL_ACCOUNT}`, account),
    `arn:aws:ivs:us-west-2:${LOCAL_ACCOUNT}:channel/x ${REAL_ACCOUNT}0 x${LOCAL_ACCOUNT}`, 'whole numbers only')
  t.same(a.headers({ authorization: 'AWS4-HMAC-SHA256 …', 'x-amz-date': '20260101T000000Z', 'content-type': 'application/json' },
    { 'content-type': 'content-type' }), { 'content-type': 'application/json' })
  t.same(a.json({ channel: { srt: { passphrase: 'x'.repeat(20) }, arn: `arn:aws:ivs:us-west-2:${REAL_ACCOUNT}:channel/x` } }, { account }),
    { channel: { srt: { passphrase: a.passphrase('x'.repeat(20)) }, arn: `arn:aws:ivs:us-west-2:${LOCAL_ACCOUNT}:channel/x` } })
})

t.test('secret scan: findings name the field and the kind', async (t) => {
  const arn = `arn:aws:ivs:us-west-2:${LOCAL_ACCOUNT}:stream-key/AbCdEfGh1234`
  const interaction = (response: unknown, headers: Record<string, string> = {}): NewInteraction => ({
    operation: 'GetStreamKey',
    identity: 'x',
    request: {
      method: 'POST', path: '/GetStreamKey', query: {}, headers: { 'content-type': 'application/json', ...headers },
      body: Buffer.from(JSON.stringify({ arn })),
    },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(response)) },
  })
  const realKey = 'sk_us-west-2_AbCdEfGh1234_abcdefghijklmnopqrstuvwxyzABCD'
  const redactor = new Redactor(Buffer.alloc(32, 7))
  const kinds = (findings: Finding[]) => findings.map((f) => `${f.field} ${f.kind}`)

  t.same(kinds(scanInteraction(interaction({ streamKey: { arn, value: redactor.streamKey(realKey) } }))), [], 'a redacted answer is clean')
  t.same(kinds(scanInteraction(interaction({ streamKey: { arn, value: realKey } }))), ['response.body.streamKey.value stream-key'])
  t.same(kinds(scanInteraction(interaction({ streamKeys: [{ arn, value: realKey }] }))), ['response.body.streamKeys[0].value stream-key'])
  t.same(kinds(scanInteraction(interaction({ streamKey: { arn, tags: { note: EXAMPLE_KEY_ID } } }))),
    ['response.body.streamKey.tags.note aws-access-key-id'])
  t.same(kinds(scanInteraction(interaction({}, { Authorization: 'AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=' + 'a'.repeat(64) }))),
    ['request.headers.authorization authorization-header', 'request.headers.authorization sigv4-signature'])
  t.same(kinds(scanInteraction(interaction({}, { 'X-Amz-Security-Token': 'token' }))), ['request.headers.x-amz-security-token aws-session-token'])
  t.same(kinds(scanInteraction(interaction({ channel: { srt: { passphrase: 'p'.repeat(79) } } }))),
    ['response.body.channel.srt.passphrase srt-passphrase'])
  t.same(kinds(scanInteraction(interaction({ channel: { srt: { passphrase: redactor.passphrase('p'.repeat(79)) } } }))), [])
  t.same(kinds(scanInteraction(interaction({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }))),
    ['response.body.secretAccessKey aws-secret-access-key'])
  t.same(kinds(scanInteraction(interaction({ sessionToken: 'A'.repeat(120) }))), ['response.body.sessionToken aws-session-token'])
  t.same(kinds(scanInteraction(interaction({ nextToken: 'A'.repeat(300) }))), [], 'pagination tokens are not credentials')
  t.same(kinds(scanInteraction(interaction({ message: `hello ${REAL_SECRET}` }), [REAL_SECRET, 'test'])),
    ['response.body.message known-secret'], 'known secrets; ones too short to mean anything are ignored')
  const json = interaction({})
  const notJson = { ...json, response: { ...json.response, body: Buffer.from(`<html>aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ${realKey}</html>`) } }
  t.same(kinds(scanInteraction(notJson)), ['response.body aws-secret-access-key', 'response.body stream-key'])
})
