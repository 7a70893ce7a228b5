// Recording never leaks and never lies about the account (issue 10, items 1 and 2), against real
// upstream servers: an "odd" node:http upstream whose stream keys, passphrases and ARNs do not look
// like IVS's (moto-style keys with - and _ in their random part, a passphrase written with JSON
// escapes, ARN ids with dashes) and whose account is not the local one; and a second ivs-replay
// playing real AWS with its own credentials and account, which answers STS GetCallerIdentity too.
import {
  BatchGetChannelCommand, BatchGetStreamKeyCommand, CreateChannelCommand, GetChannelCommand, GetStreamKeyCommand,
  ListTagsForResourceCommand, PutMetadataCommand,
} from '@aws-sdk/client-ivs'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import type { Interaction, NewInteraction } from '../src/storage/storage.js'
import { Redactor } from '../src/cassette/redaction.js'
import { scanInteraction } from '../src/cassette/secret-scan.js'
import { start } from '../src/index.js'
import { clientFor } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const REAL_KEY_ID = 'AKIDRECORDINGKEY'
const REAL_SECRET = 'recording-secret-key'
/** The account of the real credentials, as the second ivs-replay (real AWS) knows them. */
const REAL_ACCOUNT = '999977775555'
/** The odd upstream's account, which its own STS answer names. */
const ODD_ACCOUNT = '444455556666'
const FOREIGN_ACCOUNT = '111122223333'
const LOCAL_ACCOUNT = '123456789012'
const REGION = 'us-west-2'

// Moto-style stream keys (`sk_<region>_<token_urlsafe(32)>`), one with no `sk_` frame at all, and
// one that appears only inside an error message.
const KEY1 = 'sk_us-west-2_aB3-dE_6gH9-jK_2mN5-pQ_8sT1-vW_4yZ7-bC_0eF'
const KEY2 = 'sk_us-west-2_zZ_9-Yy8_Xx7-Ww6_Vv5-Uu4_Tt3-Ss2_Rr1-Qq0_Pp'
const KEY3 = 'sk_us-west-2_Mm-Nn_Oo-Pp_Qq-Rr_Ss-Tt_Uu-Vv_Ww-Xx_Yy-Zz_1'
const KEY4 = 'live:9f8e-7d6c_5b4a-3210-fedc'
/** As the odd upstream writes it in JSON (escapes included), and what it means. */
const PASSPHRASE_JSON = 'Pa\\u0024\\u0024-phr_se\\/9 with spaces'
const PASSPHRASE = 'Pa$$-phr_se/9 with spaces'
const METADATA = '{"coupon":"metadata-secret-77"}'

const CHANNEL_ID = 'Ab-cD-0123xy'
const KEY_ID = 'Kk-11-22-33'
const arnOf = (account: string, type: string, id: string) => `arn:aws:ivs:${REGION}:${account}:${type}/${id}`
const localArn = arnOf(LOCAL_ACCOUNT, 'channel', CHANNEL_ID)
const localKeyArn = arnOf(LOCAL_ACCOUNT, 'stream-key', KEY_ID)
const foreignArn = arnOf(FOREIGN_ACCOUNT, 'channel', 'ForeignChan1')

/** Every real secret of the odd upstream, whole and in pieces a half-replacement would leave. */
const ODD_SECRETS = [
  KEY1, KEY2, KEY3, KEY4, KEY1.slice(13), KEY2.slice(-20), KEY3.slice(-20), '9f8e-7d6c', PASSPHRASE, 'phr_se', 'Pa\\u0024',
  'metadata-secret-77', ODD_ACCOUNT, REAL_KEY_ID, REAL_SECRET,
]

// The real credentials reach the recorder through the environment, as they reach the AWS CLI;
// shared files point nowhere and instance metadata is off.
const savedEnv = { ...process.env }
function awsEnv(vars: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: path.join(t.testdirName, 'no-such-credentials'),
    AWS_CONFIG_FILE: path.join(t.testdirName, 'no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: REAL_KEY_ID,
    AWS_SECRET_ACCESS_KEY: REAL_SECRET,
    ...vars,
  })
}
awsEnv({})
// CI runs the suite with CI=true, where record modes refuse to start unless allowed.
process.env.IVS_REPLAY_RECORD_IN_CI = 'true'
t.teardown(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

class LogSink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

interface Seen {
  readonly path: string
  readonly service: string | undefined
  readonly keyId: string | undefined
  readonly body: string
}

/** The odd upstream: IVS-ish answers in unusual formats, its own STS, and a log of what it was sent. */
async function oddUpstream(t: Test, o: { stsFails?: boolean } = {}) {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')
      seen.push({ path: req.url ?? '', service: scope?.[2], keyId: scope?.[1], body })
      const send = (status: number, text: string, type = 'application/json', extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': type, ...extra })
        res.end(text)
      }
      const oddArn = (type: string, id: string) => arnOf(ODD_ACCOUNT, type, id)
      if (scope?.[2] === 'sts') {
        if (o.stsFails) {
          return send(403, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>User: arn:aws:iam::${ODD_ACCOUNT}:user/x is not allowed</Message></Error></ErrorResponse>`, 'text/xml')
        }
        return send(200, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${ODD_ACCOUNT}:user/rec</Arn><UserId>AIDX</UserId><Account>${ODD_ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`, 'text/xml')
      }
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {}
      switch (req.url) {
        case '/CreateChannel':
          return send(200, `{"channel":{"arn":"${oddArn('channel', CHANNEL_ID)}","name":"odd","latencyMode":"LOW",` +
            `"playbackUrl":"https://0a1b2c3d4e5f.us-west-2.playback.live-video.net/api/video/v1/us-west-2.${ODD_ACCOUNT}.channel.${CHANNEL_ID}.m3u8",` +
            `"srt":{"endpoint":"0a1b2c3d4e5f.srt.live-video.net","passphrase":"${PASSPHRASE_JSON}"}},` +
            `"streamKey":{"arn":"${oddArn('stream-key', KEY_ID)}","channelArn":"${oddArn('channel', CHANNEL_ID)}","value":"${KEY1}"}}`)
        case '/GetStreamKey':
          if (input.arn !== oddArn('stream-key', KEY_ID)) return send(404, '{"message":"not found"}', 'application/json', { 'x-amzn-ErrorType': 'ResourceNotFoundException' })
          return send(200, JSON.stringify({ streamKey: { arn: input.arn, channelArn: oddArn('channel', CHANNEL_ID), value: KEY1 } }))
        case '/BatchGetStreamKey':
          return send(200, JSON.stringify({
            streamKeys: [{ arn: oddArn('stream-key', 'Two-2'), value: KEY2 }, { arn: oddArn('stream-key', 'Four-4'), value: KEY4 }],
            errors: [{ arn: oddArn('stream-key', 'Three-3'), code: 'ResourceNotFoundException', message: `stream key ${KEY3} was deleted` }],
          }))
        case '/BatchGetChannel':
          return send(200, JSON.stringify({
            channels: [],
            errors: (input.arns as string[]).map((arn) => ({ arn, code: 'ResourceNotFoundException', message: `Channel not found: ${arn}` })),
          }))
        case '/PutMetadata':
          res.writeHead(204)
          return res.end()
        default:
          return send(404, '{"message":"unknown"}', 'application/json', { 'x-amzn-ErrorType': 'UnknownOperationException' })
      }
    })
  })
  const port = await listen(server)
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  return { url: `http://127.0.0.1:${port}`, seen, stsCalls: () => seen.filter((s) => s.service === 'sts').length }
}

/** Every byte SQLite has for the cassette: the main file and, while it is open, its WAL. */
function cassetteBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n')
}

async function interactionsOf(file: string): Promise<Interaction[]> {
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  try {
    return await store.all()
  } finally {
    await store.close()
  }
}

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'IVS_REPLAY_RECORD_IN_CI' || !/^(IVS_REPLAY_|_TAPJS_|NODE_OPTIONS$)/.test(k)))

function cliRun(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args])
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: cleanEnv() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The parts of recorded answers the tests look at. */
interface Recorded {
  channel: { arn: string; playbackUrl: string; srt: { passphrase: string } }
  streamKey: { value: string }
  streamKeys: { value: string }[]
  errors: { arn: string; message: string }[]
}
const body = (i: Interaction | undefined) => JSON.parse(i!.response.body.toString('utf8')) as Recorded
const IVS_STAND_IN = /^sk_us-west-2_[A-Za-z0-9]{12}_REDACTED[A-Za-z0-9]{22}$/

t.test('an upstream with odd formats: every sensitive member replaced whole, the account from its STS', async (t) => {
  const odd = await oddUpstream(t)
  const dir = t.testdir()
  const cassette = path.join(dir, 'odd.sqlite')
  const log = new LogSink()
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: odd.url }, logLevel: 'info' }, logStream: log })
  let closed = false
  t.teardown(() => (closed ? undefined : recorder.close()))
  t.same(odd.seen.map((s) => [s.path, s.service, s.keyId]), [['/', 'sts', REAL_KEY_ID]],
    'before any forward: one STS call at the upstream URL, signed for sts with the recording credentials')
  t.match(odd.seen[0].body, /^Action=GetCallerIdentity&Version=2011-06-15$/)
  const ivs = clientFor(recorder)

  // A foreign ARN first: its echo in errors[] must not be taken for the real account.
  const batch = await ivs.send(new BatchGetChannelCommand({ arns: [foreignArn] }))
  t.equal(batch.errors![0].arn, foreignArn, 'a foreign ARN reaches the client as it is')
  const created = await ivs.send(new CreateChannelCommand({ name: 'odd' }))
  t.equal(created.channel!.arn, localArn, 'the client sees the local account')
  t.match(created.channel!.playbackUrl, `.${LOCAL_ACCOUNT}.channel.`)
  t.equal(created.streamKey!.value, KEY1, 'and the real stream key, to stream with')
  t.equal(created.channel!.srt!.passphrase, PASSPHRASE)
  const key = await ivs.send(new GetStreamKeyCommand({ arn: localKeyArn }))
  t.equal(key.streamKey!.value, KEY1, 'a local-account ARN is forwarded with the real account')
  t.equal(odd.seen.find((s) => s.path === '/GetStreamKey')!.body, JSON.stringify({ arn: arnOf(ODD_ACCOUNT, 'stream-key', KEY_ID) }))
  await ivs.send(new BatchGetStreamKeyCommand({ arns: [arnOf(LOCAL_ACCOUNT, 'stream-key', 'Two-2')] }))
  await ivs.send(new PutMetadataCommand({ channelArn: localArn, metadata: METADATA }))
  t.equal(JSON.parse(odd.seen.find((s) => s.path === '/PutMetadata')!.body).metadata, METADATA, 'the upstream gets the real metadata')
  t.equal(odd.stsCalls(), 1, 'STS was asked once')

  const check = (bytes: string, where: string) => {
    for (const s of ODD_SECRETS) t.notOk(bytes.includes(s), `${where}: ${s.slice(0, 16)}… is nowhere`)
    t.ok(bytes.includes(LOCAL_ACCOUNT), `${where}: the local account is`)
  }
  check(cassetteBytes(cassette), 'cassette open (main file + WAL)')
  await recorder.close()
  closed = true
  check(cassetteBytes(cassette), 'cassette closed')
  t.notOk(log.text.includes(ODD_ACCOUNT), 'the real account is in no log line at info')
  t.notOk(log.text.includes(KEY1) || log.text.includes('metadata-secret-77'), 'nor a secret')

  const recorded = await interactionsOf(cassette)
  t.same(recorded.map((i) => i.operation), ['BatchGetChannel', 'CreateChannel', 'GetStreamKey', 'BatchGetStreamKey', 'PutMetadata'])
  for (const i of recorded) t.same(scanInteraction(i, [REAL_KEY_ID, REAL_SECRET, ODD_ACCOUNT]), [], `${i.operation}: the scan finds nothing`)
  const [batchGet, create, getKey, batchKeys, put] = recorded
  t.equal(body(batchGet).errors[0].arn, foreignArn, 'the foreign ARN is recorded as it was')
  const c = body(create)
  t.equal(c.channel.arn, localArn)
  t.match(c.channel.playbackUrl, `.${LOCAL_ACCOUNT}.channel.`)
  t.match(c.streamKey.value, IVS_STAND_IN, 'a moto-style key becomes a whole stand-in in IVS format')
  t.equal(body(getKey).streamKey.value, c.streamKey.value, 'the same real value, the same stand-in')
  t.match(c.channel.srt.passphrase, /^REDACTED[A-Za-z0-9]+$/)
  t.equal(c.channel.srt.passphrase.length, PASSPHRASE.length, 'the passphrase stand-in has the real length')
  const b = body(batchKeys)
  t.match(b.streamKeys[0].value, IVS_STAND_IN, 'batch results too')
  t.match(b.streamKeys[1].value, IVS_STAND_IN, 'a key in no known format gets one in IVS format')
  t.not(b.streamKeys[0].value, b.streamKeys[1].value)
  t.match(b.errors[0].message, /^stream key sk_us-west-2_[A-Za-z0-9]{12}_REDACTED[A-Za-z0-9]{22} was deleted$/, 'a key inside an error message')
  t.equal(JSON.parse(put.request.body.toString('utf8')).metadata.length, METADATA.length)
  t.match(JSON.parse(put.request.body.toString('utf8')).metadata, /^REDACTED/, 'sensitive request members too')

  const [scan, exported] = await Promise.all([cliRun(['cassette', 'scan', cassette]), cliRun(['cassette', 'export', cassette])])
  t.equal(scan.code, 0, `cassette scan finds nothing: ${scan.stdout}${scan.stderr}`)
  t.equal(exported.code, 0)
  for (const s of ODD_SECRETS) t.notOk(exported.stdout.includes(s), `export: ${s.slice(0, 16)}… is nowhere`)
  t.ok(exported.stdout.includes(c.streamKey.value), 'the export shows the stand-ins')

  // A replaying client sends the real metadata: it matches the recording that holds only its stand-in.
  const replay = await start({ config: { mode: 'replay', cassette } })
  t.teardown(() => replay.close())
  const again = clientFor(replay)
  await again.send(new PutMetadataCommand({ channelArn: localArn, metadata: METADATA }))
  t.equal((await again.send(new CreateChannelCommand({ name: 'odd' }))).streamKey!.value, c.streamKey.value)
})

t.test('the scan checks sensitive members by their place in the model, whatever their text', async (t) => {
  const redactor = new Redactor(Buffer.alloc(32, 3))
  const interaction = (operation: string, request: unknown, response: unknown, status = 200): NewInteraction => ({
    operation,
    identity: 'x',
    request: { method: 'POST', path: `/${operation}`, query: {}, headers: {}, body: Buffer.from(JSON.stringify(request)) },
    response: { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(response)) },
  })
  const findings = (i: NewInteraction) => scanInteraction(i).map((f) => `${f.field}: ${f.kind}`)
  t.same(findings(interaction('GetStreamKey', { arn: localKeyArn }, { streamKey: { arn: localKeyArn, value: KEY1 } })),
    ['response.body.streamKey.value: stream-key'], 'a moto-style key')
  t.same(findings(interaction('GetStreamKey', { arn: localKeyArn }, { streamKey: { arn: localKeyArn, value: 'x' } })),
    ['response.body.streamKey.value: stream-key'], 'any text at all')
  t.same(findings(interaction('GetStreamKey', { arn: localKeyArn }, { streamKey: { arn: localKeyArn, value: redactor.sensitive('StreamKeyValue', KEY1) } })),
    [], 'a stand-in passes')
  t.same(findings(interaction('BatchGetStreamKey', { arns: [] }, { streamKeys: [{ value: redactor.sensitive('StreamKeyValue', KEY2) }, { value: KEY4 }] })),
    ['response.body.streamKeys[1].value: stream-key'], 'list items, by index')
  t.same(findings(interaction('GetChannel', { arn: localArn }, { channel: { srt: { passphrase: 'short' } } })),
    ['response.body.channel.srt.passphrase: srt-passphrase'])
  t.same(findings(interaction('PutMetadata', { channelArn: localArn, metadata: 'hello there' }, {}, 204)),
    ['request.body.metadata: sensitive-member'], 'request members too')
  t.same(findings(interaction('ListChannels', {}, { channels: [{ name: 'value' }] })), [], 'nothing sensitive, nothing found')
})

t.test('a second ivs-replay as real AWS: record-missing across a restart maps ARNs both ways', async (t) => {
  const upstream = await start({ config: { credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: REAL_ACCOUNT }] } })
  t.teardown(() => upstream.close())
  const cassette = path.join(t.testdir(), 'missing.sqlite')
  const config = { mode: 'record-missing' as const, cassette, upstream: { url: upstream.endpoint } }

  const first = await start({ config })
  const created = await clientFor(first).send(new CreateChannelCommand({ name: 'kept', tags: { team: 'video' } }))
  const arn = created.channel!.arn!
  t.match(arn, `:${LOCAL_ACCOUNT}:channel/`, 'the recorder knew the real account from STS before its first forward')
  await first.close()

  // A restart: nothing is learnt from answers any more, so the first miss must already be mapped.
  const second = await start({ config })
  t.teardown(() => second.close())
  const ivs = clientFor(second)
  const got = await ivs.send(new GetChannelCommand({ arn }))
  t.equal(got.channel!.arn, arn, 'a miss after the restart is forwarded with the real account and answered with the local one')
  t.equal((await ivs.send(new CreateChannelCommand({ name: 'kept', tags: { team: 'video' } }))).channel!.arn, arn,
    'a replayed hit shows the same account id for the same channel')
  t.same((await ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'video' }, 'ARNs in paths too')
  await second.close()

  const recorded = await interactionsOf(cassette)
  t.same(recorded.map((i) => `${i.operation} ${i.response.status}`), ['CreateChannel 200', 'GetChannel 200', 'ListTagsForResource 200'])
  const bytes = cassetteBytes(cassette)
  for (const s of [REAL_ACCOUNT, REAL_KEY_ID, REAL_SECRET]) t.notOk(bytes.includes(s), `${s.slice(0, 6)}… is nowhere in the cassette`)
  const replay = await start({ config: { mode: 'replay', cassette } })
  t.teardown(() => replay.close())
  t.equal((await clientFor(replay).send(new GetChannelCommand({ arn }))).channel!.name, 'kept')
})

t.test('where the account comes from: settings and AWS_ACCOUNT_ID skip STS; without it record mode does not start', async (t) => {
  const odd = await oddUpstream(t)
  const dir = t.testdir()
  const given = await start({ config: { mode: 'record', cassette: path.join(dir, 'given.sqlite'), upstream: { url: odd.url, accountId: ODD_ACCOUNT } } })
  t.equal((await clientFor(given).send(new CreateChannelCommand({ name: 'odd' }))).channel!.arn, localArn)
  await given.close()
  awsEnv({ AWS_ACCOUNT_ID: ODD_ACCOUNT })
  const fromEnv = await start({ config: { mode: 'record', cassette: path.join(dir, 'env.sqlite'), upstream: { url: odd.url } } })
  t.equal((await clientFor(fromEnv).send(new CreateChannelCommand({ name: 'odd' }))).channel!.arn, localArn)
  await fromEnv.close()
  awsEnv({})
  t.equal(odd.stsCalls(), 0, 'upstream.accountId and AWS_ACCOUNT_ID skip the STS call')

  const upstream = await start({ config: { credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: REAL_ACCOUNT }] } })
  t.teardown(() => upstream.close())
  const elsewhere = await start({ config: { mode: 'record', cassette: path.join(dir, 'sts-url.sqlite'), upstream: { url: odd.url, stsUrl: upstream.endpoint } } })
  await elsewhere.close()
  t.equal(odd.stsCalls(), 0, 'upstream.stsUrl: STS is asked there, not at upstream.url')

  const dead = await (async () => {
    const s = net.createServer()
    const port = await listen(s)
    await new Promise<void>((resolve) => s.close(() => resolve()))
    return port
  })()
  await t.rejects(start({ config: { mode: 'record', cassette: path.join(dir, 'dead.sqlite'), upstream: { url: odd.url, stsUrl: `http://127.0.0.1:${dead}` } } }), {
    name: 'ConfigError', field: 'upstream.accountId',
    message: new RegExp(`STS GetCallerIdentity at http://127\\.0\\.0\\.1:${dead} .*connection refused.*AWS_ACCOUNT_ID`),
  })
  const refusing = await oddUpstream(t, { stsFails: true })
  const err = await start({ config: { mode: 'record-missing', cassette: path.join(dir, 'refused.sqlite'), upstream: { url: refusing.url } } })
    .then(() => undefined, (e: unknown) => e as Error)
  t.match(err, { name: 'ConfigError', message: /status 403 InvalidClientTokenId: User: arn:aws:iam::<account>:user\/x/ }, "STS's refusal, named")
  t.notOk(err!.message.includes(ODD_ACCOUNT), 'the message names no account id')
  t.equal(refusing.seen.filter((s) => s.service !== 'sts').length, 0, 'nothing was forwarded')

  const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'serve', '--port', '0', '--log-level', 'warn', '--mode', 'record',
    '--cassette', path.join(dir, 'cli.sqlite'), '--upstream', `http://127.0.0.1:${dead}`], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 })
  t.equal(cli.status, 2, 'the command line exits 2')
  t.match(cli.stderr, /^ivs-replay: invalid configuration: upstream\.accountId is unknown: record mode asks STS GetCallerIdentity .*\n$/)
  t.equal(cli.stderr.split('\n').length, 2, 'in one line')
})

t.test('ivs-replay answers STS GetCallerIdentity with the account of the signing key', async (t) => {
  const server = await start({ config: { credentials: [
    { accessKeyId: 'test', secretAccessKey: 'test', accountId: LOCAL_ACCOUNT },
    { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: REAL_ACCOUNT },
  ] } })
  t.teardown(() => server.close())
  const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
  const ask = (o: { accessKeyId?: string; secretAccessKey?: string; body?: string; path?: string; method?: string }) => signedRequest(server.endpoint, {
    path: o.path ?? '/', method: o.method ?? 'POST', service: 'sts', headers: form,
    body: 'body' in o ? o.body : 'Action=GetCallerIdentity&Version=2011-06-15',
    accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey,
  })
  const mine = await ask({})
  t.equal(mine.status, 200)
  t.equal(mine.headers.get('content-type'), 'text/xml')
  t.match(mine.text, new RegExp(`<GetCallerIdentityResult>\\s*<Arn>arn:aws:iam::${LOCAL_ACCOUNT}:root</Arn>\\s*<UserId>${LOCAL_ACCOUNT}</UserId>\\s*<Account>${LOCAL_ACCOUNT}</Account>`))
  t.match(mine.text, `<RequestId>${mine.headers.get('x-amzn-requestid')}</RequestId>`)
  t.match((await ask({ accessKeyId: 'other', secretAccessKey: 'other-secret' })).text, `<Account>${REAL_ACCOUNT}</Account>`, 'each key its own account')
  const viaQuery = await ask({ method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15', body: undefined })
  t.match(viaQuery.text, `<Account>${LOCAL_ACCOUNT}</Account>`, 'the parameters may come in the query string')
  const wrong = await ask({ secretAccessKey: 'nope' })
  t.equal(wrong.status, 403)
  t.match(wrong.text, /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>SignatureDoesNotMatch<\/Code>/)
  t.match((await ask({ accessKeyId: 'nobody' })).text, '<Code>InvalidClientTokenId</Code>')
  const other = await ask({ body: 'Action=AssumeRole&Version=2011-06-15' })
  t.equal(other.status, 400)
  t.match(other.text, /<Code>InvalidAction<\/Code>\s*<Message>Could not find operation AssumeRole for version 2011-06-15<\/Message>/)
  const ivs = await signedRequest(server.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(ivs.status, 200, 'IVS requests are not affected')

  const python = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' })
  if (python.status !== 0) {
    t.comment('skipped the boto3 check: python3 with boto3 is not installed')
    return
  }
  // Asynchronously: the server answering it runs in this process.
  const boto = await run('python3', ['-c', [
    'import boto3, json, sys',
    `c = boto3.client("sts", endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="other", aws_secret_access_key="other-secret")`,
    'print(json.dumps(c.get_caller_identity()["Account"]))',
  ].join('\n'), server.endpoint])
  t.equal(boto.stdout.trim(), JSON.stringify(REAL_ACCOUNT), `boto3's get_caller_identity ${boto.stderr}`)
})
