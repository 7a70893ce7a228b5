// Replay that fits real test suites: one client scenario under simulate, replay and hybrid; a fresh
// hybrid server that knows the cassette's recorded state and lets the simulator answer for what it
// has changed; per-test cassettes switched at run time; several processes on one cassette; and
// injected faults and stream takeovers.
import {
  CreateAdConfigurationCommand, CreateChannelCommand, DeleteChannelCommand, GetChannelCommand, GetStreamSessionCommand,
  ListChannelsCommand, ListStreamKeysCommand, ListTagsForResourceCommand, TagResourceCommand, UpdateChannelCommand,
  type IvsClient,
} from '@aws-sdk/client-ivs'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import { start, type RunningServer } from '../src/index.js'
import { ivs } from '../src/model/services.js'
import { recordFixture } from './helpers/cassette-fixture.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'
const { operationOf, shapeOf } = ivs

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const LOCAL_ACCOUNT = '123456789012'
// "Real AWS" for recording is another ivs-replay with its own key (in the local account, so the
// recorded ARNs are the ones a simulate run with the same seed makes).
const REAL_KEY_ID = 'AKIDHYBRIDREALKEY'
const REAL_SECRET = 'hybrid-real-secret'
const realEnv = {
  AWS_ACCESS_KEY_ID: REAL_KEY_ID, AWS_SECRET_ACCESS_KEY: REAL_SECRET,
  AWS_SHARED_CREDENTIALS_FILE: path.join(t.testdirName, 'none'), AWS_CONFIG_FILE: path.join(t.testdirName, 'none'),
  AWS_EC2_METADATA_DISABLED: 'true',
  // CI runs with CI=true, where record modes refuse to start unless allowed.
  IVS_REPLAY_RECORD_IN_CI: 'true',
}
const savedEnv = { ...process.env }
for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
Object.assign(process.env, realEnv)
t.teardown(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})
const upstreamConfig = (seed: number) => ({
  seed, credentials: [{ accessKeyId: REAL_KEY_ID, secretAccessKey: REAL_SECRET, accountId: LOCAL_ACCOUNT }],
})

type ChannelAnswer = { channel: { arn: string; name: string } }
const control = async (server: Pick<RunningServer, 'endpoint'>, route: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') => {
  const res = await fetch(`${server.endpoint}/_mock/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

/**
 * The shared scenario: what a suite does with a channel. `rename` is what the suite sets; a suite
 * that changed since the recording sets another name. Answers are kept as the SDK gives them, with
 * request ids, stream-key values and SRT passphrases (redacted in a cassette by design) left out.
 */
async function scenario(ivs: IvsClient, rename: string): Promise<unknown[]> {
  const out: unknown[] = []
  const keep = (value: unknown) => out.push(JSON.parse(JSON.stringify(value, (k, v: unknown) => (['$metadata', 'value', 'passphrase'].includes(k) ? undefined : v))))
  const settled = async (p: Promise<unknown>) => keep(await p.catch((err: { name: string; $metadata?: { httpStatusCode?: number } }) => ({ error: err.name, status: err.$metadata?.httpStatusCode })))
  const a = await ivs.send(new CreateChannelCommand({ name: 'scenario-a', tags: { team: 'video' } }))
  keep(a)
  const b = await ivs.send(new CreateChannelCommand({ name: 'scenario-b', latencyMode: 'NORMAL' }))
  keep(b)
  const arnA = a.channel!.arn!
  const arnB = b.channel!.arn!
  await settled(ivs.send(new GetChannelCommand({ arn: arnA })))
  await settled(ivs.send(new UpdateChannelCommand({ arn: arnA, name: rename, type: 'BASIC' })))
  await settled(ivs.send(new GetChannelCommand({ arn: arnA })))
  await settled(ivs.send(new ListChannelsCommand({})))
  await settled(ivs.send(new TagResourceCommand({ resourceArn: arnA, tags: { stage: 'two' } })))
  await settled(ivs.send(new ListTagsForResourceCommand({ resourceArn: arnA })))
  await settled(ivs.send(new DeleteChannelCommand({ arn: arnB })))
  await settled(ivs.send(new GetChannelCommand({ arn: arnB })))
  await settled(ivs.send(new ListStreamKeysCommand({ channelArn: arnA })))
  await settled(ivs.send(new ListChannelsCommand({})))
  await settled(ivs.send(new GetChannelCommand({ arn: arnA })))
  return out
}

t.test('one scenario, three modes: simulate, replay of its own recording, and hybrid of a suite that changed', async (t) => {
  const simulated = async (rename: string) => {
    const sim = await start({ config: { seed: 11 } })
    try {
      return await scenario(clientFor(sim), rename)
    } finally {
      await sim.close()
    }
  }
  const file = path.join(t.testdir(), 'scenario.sqlite')
  const upstream = await start({ config: upstreamConfig(11) })
  const recorder = await start({ config: { mode: 'record', cassette: file, upstream: { url: upstream.endpoint } } })
  const recorded = await scenario(clientFor(recorder), 'renamed')
  await recorder.close()
  await upstream.close()
  t.same(recorded, await simulated('renamed'), 'recording through the proxy answers as the simulator does')

  const replay = await start({ config: { mode: 'replay', cassette: file } })
  t.same(await scenario(clientFor(replay), 'renamed'), recorded, 'replay of its own recording gives the same answers')
  await replay.close()

  // The suite now renames to something else: the update misses, and everything recorded about the
  // channel after it (gets, lists) is the simulator's to answer, from the state the update left.
  const hybrid = await start({ config: { mode: 'hybrid', cassette: file } })
  t.teardown(() => hybrid.close())
  const changed = await scenario(clientFor(hybrid), 'changed-name')
  t.same(changed, await simulated('changed-name'), 'hybrid answers as the simulator would for the changed suite')
  t.not(JSON.stringify(changed), JSON.stringify(recorded), 'and not as recorded')
})

t.test('a fresh hybrid server knows the recorded state, and the simulator answers for what it changed', async (t) => {
  const upstream = await start({ config: { seed: 5 } })
  t.teardown(() => upstream.close())
  const file = path.join(t.testdir(), 'fresh.sqlite')
  // recordFixture stores no `resources` index: the state is computed from the stored answers, as
  // for a cassette recorded before the index existed.
  const [a, b] = (await recordFixture(file, upstream.endpoint, [
    { operation: 'CreateChannel', body: { name: 'kept', tags: { env: 'ci' } } },
    { operation: 'CreateChannel', body: { name: 'doomed' } },
  ])) as ChannelAnswer[]
  const arnA = a.channel.arn
  const arnB = b.channel.arn
  await recordFixture(file, upstream.endpoint, [
    { operation: 'GetChannel', body: { arn: arnA } },
    { operation: 'UpdateChannel', body: { arn: arnA, name: 'kept-renamed' } },
    { operation: 'GetChannel', body: { arn: arnA } },
    { operation: 'ListChannels', body: {} },
    { operation: 'DeleteChannel', body: { arn: arnB } },
    { operation: 'ListChannels', body: {} },
  ])

  const hybrid = await start({ config: { cassette: file } })
  t.teardown(() => hybrid.close())
  const ivs = clientFor(hybrid)
  // Nothing replayed yet: an unrecorded update of a recorded channel starts from its last recorded state.
  const updated = await ivs.send(new UpdateChannelCommand({ arn: arnA, latencyMode: 'NORMAL' }))
  t.match(updated.channel, { arn: arnA, name: 'kept-renamed', latencyMode: 'NORMAL', tags: { env: 'ci' } })
  const got = await signedRequest(hybrid.endpoint, { path: '/GetChannel', body: JSON.stringify({ arn: arnA }) })
  t.equal(got.headers.get('x-ivs-replay-source'), 'simulated', 'the recorded GetChannel is stale now: not served')
  t.match(got.json.channel, { name: 'kept-renamed', latencyMode: 'NORMAL' })
  const fresh = await ivs.send(new CreateChannelCommand({ name: 'simulated-one' }))
  const list = await signedRequest(hybrid.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(list.headers.get('x-ivs-replay-source'), 'simulated', 'a recorded list that would miss the new channel is not served')
  t.same((list.json.channels as { arn: string }[]).map((c) => c.arn), [arnA, fresh.channel!.arn], 'the recorded delete holds, the new channel shows')
  t.equal((await failureOf(ivs.send(new GetChannelCommand({ arn: arnB })))).name, 'ResourceNotFoundException')
  const keys = await signedRequest(hybrid.endpoint, { path: '/ListStreamKeys', body: JSON.stringify({ channelArn: arnB }) })
  t.equal(keys.json.exceptionMessage !== undefined || (keys.json.streamKeys as unknown[]).length === 0, true, 'the deleted channel took its stream key along')

  // A recorded answer about a resource the simulator never changed is still served.
  const other = await start({ config: { cassette: file } })
  t.teardown(() => other.close())
  const untouched = await signedRequest(other.endpoint, { path: '/GetChannel', body: JSON.stringify({ arn: arnA }) })
  t.equal(untouched.headers.get('x-ivs-replay-source'), 'recorded')
  // A reset forgets what the simulator took over: the recording is served again.
  await control(hybrid, 'reset', {})
  const again = await signedRequest(hybrid.endpoint, { path: '/GetChannel', body: JSON.stringify({ arn: arnA }) })
  t.equal(again.headers.get('x-ivs-replay-source'), 'recorded')
  t.equal((again.json.channel as { name: string }).name, 'kept')

  // A stream the simulator starts on a recorded channel makes its recorded stream answers stale too.
  const live = await control(hybrid, 'streams/start', { channelArn: arnA })
  t.equal(live.status, 200, 'a recorded channel can go live on a fresh server')
})

t.test('a cassette recorded through the proxy indexes what each answer describes', async (t) => {
  const file = path.join(t.testdir(), 'indexed.sqlite')
  const upstream = await start({ config: upstreamConfig(3) })
  t.teardown(() => upstream.close())
  const recorder = await start({ config: { mode: 'record', cassette: file, upstream: { url: upstream.endpoint } } })
  const ivs = clientFor(recorder)
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'indexed' }))
  await ivs.send(new ListChannelsCommand({}))
  await ivs.send(new DeleteChannelCommand({ arn: channel!.arn! }))
  await failureOf(ivs.send(new GetChannelCommand({ arn: channel!.arn! })))
  await recorder.close()
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  const entries = await store.resourceEntries(0, 100)
  await store.close()
  t.same(entries.map((e) => [e.operation, JSON.parse(e.resources ?? 'null')]), [
    ['CreateChannel', { full: [channel!.arn, streamKey!.arn], summary: [], effect: [] }],
    ['ListChannels', { full: [], summary: [channel!.arn], effect: [] }],
    ['DeleteChannel', { full: [], summary: [], effect: [channel!.arn] }],
  ], 'successes only, each with the ARNs it describes')

  const hybrid = await start({ config: { cassette: file } })
  t.teardown(() => hybrid.close())
  const created = await clientFor(hybrid).send(new CreateChannelCommand({ name: 'after' }))
  const list = await clientFor(hybrid).send(new ListChannelsCommand({}))
  t.same(list.channels!.map((c) => c.arn), [created.channel!.arn], 'the recorded delete is the last recorded state')
})

t.test('per-test cassettes: switch, rewind, back to the start-up setting', async (t) => {
  const upstream = await start({ config: { seed: 9 } })
  t.teardown(() => upstream.close())
  const dir = t.testdir()
  const [first] = (await recordFixture(path.join(dir, 'first.sqlite'), upstream.endpoint, [
    { operation: 'CreateChannel', body: { name: 'first' } },
  ])) as ChannelAnswer[]
  const arn = first.channel.arn
  await recordFixture(path.join(dir, 'first.sqlite'), upstream.endpoint, [
    { operation: 'GetChannel', body: { arn } },
    { operation: 'DeleteChannel', body: { arn } },
    { operation: 'GetChannel', body: { arn } },
  ])
  await recordFixture(path.join(dir, 'second.sqlite'), upstream.endpoint, [{ operation: 'ListChannels', body: {} }])

  const server = await start({ config: { cassettesDir: dir } })
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  t.same(await control(server, 'cassette'), { status: 200, json: { cassette: null, mode: 'simulate' } })
  const switched = await control(server, 'cassette', { name: 'first', mode: 'replay' })
  t.same(switched.json, { cassette: path.join(dir, 'first.sqlite'), mode: 'replay' }, 'a NAME resolves in cassettesDir')
  t.equal((await control(server, 'health')).json.mode, 'replay')
  t.equal((await ivs.send(new GetChannelCommand({ arn }))).channel!.name, 'first')
  await ivs.send(new DeleteChannelCommand({ arn }))
  t.equal((await failureOf(ivs.send(new GetChannelCommand({ arn })))).name, 'ResourceNotFoundException', 'the post-delete recording')
  // A second test switching to the same cassette starts its sequences over.
  await control(server, 'cassette', { name: path.join(dir, 'first.sqlite'), mode: 'replay' })
  t.equal((await ivs.send(new GetChannelCommand({ arn }))).channel!.name, 'first', 'rewound by the switch')

  // The library does the same in-process; hybrid is the default mode.
  t.same(await server.useCassette('second'), { cassette: path.join(dir, 'second.sqlite'), mode: 'hybrid' })
  const listed = await signedRequest(server.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(listed.headers.get('x-ivs-replay-source'), 'recorded')
  t.equal((await failureOf(ivs.send(new GetChannelCommand({ arn })))).name, 'ResourceNotFoundException',
    'the simulator forgot the previous cassette (and second never saw the channel)')

  // Refusals leave the current cassette in place.
  t.match(await control(server, 'cassette', { name: 'missing', mode: 'replay' }), { status: 404, json: { message: /does not exist/ } })
  t.match(await control(server, 'cassette', { name: 'first', mode: 'record' }), { status: 400, json: { message: /mode must be one of replay, hybrid, record-missing/ } })
  t.match(await control(server, 'cassette', { mode: 'replay' }), { status: 400, json: { message: /name is required/ } })
  t.match(await control(server, 'cassette', { name: 'first', cassette: 'x' }), { status: 400, json: { message: /Unknown member/ } })
  t.equal((await control(server, 'cassette')).json.mode, 'hybrid')

  // {} and DELETE go back to the start-up setting (here: simulate).
  t.same((await control(server, 'cassette', {})).json, { cassette: null, mode: 'simulate' })
  await server.useCassette('first', { mode: 'replay' })
  t.same((await control(server, 'cassette', undefined, 'DELETE')).json, { cassette: null, mode: 'simulate' })
  const simulated = await signedRequest(server.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(simulated.headers.get('x-ivs-replay-source'), 'simulated')
})

t.test('several processes replay and record misses into one cassette at once, losing nothing', async (t) => {
  const upstream = await start({ config: upstreamConfig(1) })
  t.teardown(() => upstream.close())
  const file = path.join(t.testdir(), 'shared.sqlite')
  const local = await start()
  await recordFixture(file, local.endpoint, [{ operation: 'ListChannels', body: {} }])
  await local.close()
  const serve = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'serve', '--port', '0',
      '--mode', 'record-missing', '--cassette', file, '--upstream', upstream.endpoint], {
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IVS_REPLAY_'))), ...realEnv },
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
        if (m) resolve(m[1])
      })
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    // A failing assertion must not leave the server running.
    t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
    return { endpoint, stop: async () => { child.kill('SIGTERM'); return exited } }
  }
  const servers = await Promise.all([serve(), serve(), serve()])
  const names = servers.map((_, s) => Array.from({ length: 15 }, (_, i) => `p${s}-${i}`))
  await Promise.all(servers.map(async ({ endpoint }, s) => {
    const ivs = clientFor({ endpoint })
    for (const name of names[s]) {
      await ivs.send(new CreateChannelCommand({ name }))
      await ivs.send(new ListChannelsCommand({}))
    }
  }))
  for (const server of servers) t.equal(await server.stop(), 0, 'clean exit')
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  const all = await store.all()
  await store.close()
  const created = all.filter((i) => i.operation === 'CreateChannel').map((i) => JSON.parse(i.request.body.toString()) as { name: string })
  t.same(created.map((c) => c.name).sort(), names.flat().sort(), 'every miss of every process was recorded, once')
  t.equal(all.filter((i) => i.operation === 'ListChannels').length, 1, 'the recorded list was replayed, not recorded again')
})

t.test('faults: every error the model allows for an operation, worded as IVS words it, then normal service', async (t) => {
  const server = await start({ config: { seed: 2 } })
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const operation = 'CreateAdConfiguration'
  const errors = operationOf(operation).errors
  t.ok(errors.length >= 8, 'the model lists many errors for this operation')
  const input = { name: 'ads', mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: 'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/demo' }] }
  for (const error of errors) {
    const armed = await control(server, 'faults', { operation, error, count: 1 })
    t.equal(armed.status, 200, `${error} armed`)
    const res = await signedRequest(server.endpoint, { path: `/${operation}`, body: JSON.stringify(input) })
    const shape = shapeOf(error)
    t.equal(res.status, shape.type === 'structure' ? shape.errorStatus : undefined, `${error}: the model's status`)
    t.equal(res.headers.get('x-amzn-errortype'), error)
    t.equal(res.headers.get('x-ivs-replay-source'), 'injected')
    t.equal(res.json.message, res.json.exceptionMessage)
    t.ok((await ivs.send(new CreateAdConfigurationCommand(input))).adConfiguration, `${error}: one call only, then the real answer`)
  }
  t.same((await control(server, 'faults')).json, { faults: [] }, 'all spent')

  const channel = (await ivs.send(new CreateChannelCommand({ name: 'faulty' }))).channel!
  const pending = await control(server, 'faults', { operation: 'CreateChannel', error: 'PendingVerification', count: 2 })
  t.match(pending.json.fault, { operation: 'CreateChannel', error: 'PendingVerification', count: 2, remaining: 2 })
  const first = await failureOf(ivs.send(new CreateChannelCommand({})))
  t.same([first.name, first.status, first.message], ['PendingVerification', 403,
    'Your account is pending verification. Until the verification process is complete, you may not be able to carry out requests with this account.'])
  t.match((await control(server, 'faults')).json, { faults: [{ operation: 'CreateChannel', remaining: 1 }] })
  t.equal((await failureOf(ivs.send(new CreateChannelCommand({})))).name, 'PendingVerification')
  t.ok((await ivs.send(new CreateChannelCommand({}))).channel, 'then normal service')

  await control(server, 'faults', { operation: 'GetChannel', error: 'AccessDeniedException', resourceArn: channel.arn })
  t.ok((await ivs.send(new GetChannelCommand({ arn: (await ivs.send(new CreateChannelCommand({}))).channel!.arn }))).channel, 'another channel is not affected')
  const denied = await failureOf(ivs.send(new GetChannelCommand({ arn: channel.arn })))
  t.same([denied.name, denied.status, denied.message], ['AccessDeniedException', 403,
    `User: arn:aws:iam::123456789012:user/test is not authorized to perform: ivs:GetChannel on resource: ${channel.arn}`])
  await control(server, 'faults', { operation: 'ListChannels', error: 'AccessDeniedException', principal: 'arn:aws:iam::123456789012:role/ci' })
  t.equal((await failureOf(ivs.send(new ListChannelsCommand({})))).message,
    'User: arn:aws:iam::123456789012:role/ci is not authorized to perform: ivs:ListChannels on resource: arn:aws:ivs:us-west-2:123456789012:channel/*')

  // A delay alone, then the normal answer (how long is not asserted: no timed tests).
  await control(server, 'faults', { operation: 'GetChannel', delayMs: 20 })
  t.equal((await ivs.send(new GetChannelCommand({ arn: channel.arn }))).channel!.arn, channel.arn)

  const refused = await control(server, 'faults', { operation: 'GetChannel', error: 'ThrottlingException' })
  t.equal(refused.status, 400)
  t.equal(refused.json.message,
    'GetChannel cannot return "ThrottlingException" according to the IVS model; it can return: ResourceNotFoundException, AccessDeniedException, ValidationException')
  t.match(await control(server, 'faults', { operation: 'GetChanel', error: 'ValidationException' }), { status: 400, json: { message: /operation must be an IVS operation/ } })
  t.match(await control(server, 'faults', { operation: 'GetChannel', error: 'ValidationException', count: 0 }), { status: 400, json: { message: /count must be/ } })
  t.match(await control(server, 'faults', { operation: 'GetChannel' }), { status: 400, json: { message: /give error, delayMs or both/ } })
  t.match(await control(server, 'faults', { operation: 'GetChannel', error: 'ValidationException', when: 1 }), { status: 400, json: { message: /Unknown member/ } })

  await control(server, 'faults', { operation: 'GetChannel', error: 'ResourceNotFoundException', count: 5 })
  t.same((await control(server, 'faults', undefined, 'DELETE')).json, { cleared: 1 })
  t.ok((await ivs.send(new GetChannelCommand({ arn: channel.arn }))).channel, 'DELETE clears')
})

t.test('faults apply in replay mode too, before the cassette is asked', async (t) => {
  const upstream = await start()
  t.teardown(() => upstream.close())
  const file = path.join(t.testdir(), 'faults.sqlite')
  await recordFixture(file, upstream.endpoint, [{ operation: 'ListChannels', body: {} }])
  const replay = await start({ config: { mode: 'replay', cassette: file } })
  t.teardown(() => replay.close())
  await control(replay, 'faults', { operation: 'ListChannels', error: 'ConflictException' })
  const res = await signedRequest(replay.endpoint, { path: '/ListChannels', body: '{}' })
  t.same([res.status, res.headers.get('x-amzn-errortype'), res.headers.get('x-ivs-replay-source')], [409, 'ConflictException', 'injected'])
  const next = await signedRequest(replay.endpoint, { path: '/ListChannels', body: '{}' })
  t.same([next.status, next.headers.get('x-ivs-replay-source')], [200, 'recorded'])
})

t.test('stream takeover: the stream goes on with a Stream Takeover event, or says why it refused one', async (t) => {
  const server = await start()
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const { channel } = await ivs.send(new CreateChannelCommand({ name: 'taken' }))
  const channelArn = channel!.arn!
  t.equal((await control(server, 'streams/takeover', { channelArn })).status, 409, 'only a live stream can be taken over')
  const started = await control(server, 'streams/start', { channelArn })
  const streamId = (started.json.stream as { streamId: string }).streamId
  const taken = await control(server, 'streams/takeover', { channelArn })
  t.equal((taken.json.stream as { streamId: string }).streamId, streamId, 'same stream, same session')
  const failed = await control(server, 'streams/takeover', { channelArn, failure: 'StreamTakeoverInvalidPriority' })
  t.equal(failed.status, 200)
  t.match(await control(server, 'streams/takeover', { channelArn, failure: 'Nope' }), { status: 400, json: { message: /StreamTakeoverMediaMismatch/ } })
  const events = ((await control(server, 'events')).json.events as { detail: Record<string, unknown>; resources: string[] }[])
  t.same(events.slice(-2).map((e) => e.detail), [
    { event_name: 'Stream Takeover', channel_name: 'taken', stream_id: streamId },
    { event_name: 'Stream Takeover Failure', channel_name: 'taken', stream_id: streamId, code: 'StreamTakeoverInvalidPriority' },
  ])
  const session = await ivs.send(new GetStreamSessionCommand({ channelArn }))
  t.match(session.streamSession!.truncatedEvents!.slice(0, 2), [
    { name: 'Stream Takeover Failure', type: 'IVS Stream State Change', code: 'StreamTakeoverInvalidPriority' },
    { name: 'Stream Takeover', type: 'IVS Stream State Change' },
  ])
})
