// Replay and hybrid modes over a cassette, driven through the real client-ivs: matching that ignores
// key order, volatile headers and configured fields; recorded order for repeats; strict misses that
// name the nearest interaction; and a simulator that knows every resource the cassette has seen.
import {
  CreateChannelCommand, DeleteChannelCommand, GetChannelCommand, ListChannelsCommand, ListTagsForResourceCommand,
  TagResourceCommand, UpdateChannelCommand,
} from '@aws-sdk/client-ivs'
import { createHash } from 'node:crypto'
import { copyFile, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import { start } from '../src/index.js'
import { recordFixture } from './helpers/cassette-fixture.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

const upstream = await start({ config: { seed: 42 } })
t.teardown(() => upstream.close())

type ChannelAnswer = { channel: { arn: string; name: string } }

t.test('replay answers recorded interactions, in recorded order, and refuses a miss with the nearest diff', async (t) => {
  const file = path.join(t.testdir(), 'strict.sqlite')
  const [created] = (await recordFixture(file, upstream.endpoint, [
    { operation: 'CreateChannel', body: { name: 'replayed', latencyMode: 'NORMAL' } },
  ])) as ChannelAnswer[]
  const arn = created.channel.arn
  await recordFixture(file, upstream.endpoint, [
    { operation: 'GetChannel', body: { arn } },
    { operation: 'UpdateChannel', body: { arn, name: 'renamed' } },
    { operation: 'GetChannel', body: { arn } },
  ])
  await upstream.close()
  const replay = await start({ config: { mode: 'replay', cassette: file } })
  t.teardown(() => replay.close())
  const ivs = clientFor(replay)

  // Same body, other key order: one identity. The SDK's own headers, date and signature differ.
  const again = await ivs.send(new CreateChannelCommand({ latencyMode: 'NORMAL', name: 'replayed' }))
  t.same(again.channel, created.channel)
  const first = await ivs.send(new GetChannelCommand({ arn }))
  t.equal(first.channel!.name, 'replayed')
  await ivs.send(new UpdateChannelCommand({ arn, name: 'renamed' }))
  const second = await ivs.send(new GetChannelCommand({ arn }))
  t.equal(second.channel!.name, 'renamed', 'the second identical request gets the second recording')
  const third = await ivs.send(new GetChannelCommand({ arn }))
  t.equal(third.channel!.name, 'renamed', 'then the last one repeats')

  const raw = await signedRequest(replay.endpoint, { path: '/GetChannel', body: JSON.stringify({ arn }) })
  t.equal(raw.headers.get('x-ivs-replay-source'), 'recorded')

  const miss = await failureOf(ivs.send(new CreateChannelCommand({ name: 'other', latencyMode: 'NORMAL' })))
  t.equal(miss.name, 'IvsReplayNoMatchException')
  t.equal(miss.status, 404)
  t.match(miss.message, /No recorded interaction matches this CreateChannel request/)
  t.match(miss.message, /nearest is interaction #1, which differs in 1 field: body\.name: recorded "replayed", sent "other"/)
  const none = await failureOf(ivs.send(new ListChannelsCommand({})))
  t.match(none.message, /the cassette holds no ListChannels interaction/)

  // A reset starts every sequence over.
  await fetch(`${replay.endpoint}/_mock/reset`, { method: 'POST' })
  t.equal((await ivs.send(new GetChannelCommand({ arn }))).channel!.name, 'replayed')
})

t.test('concurrent first reads of many recordings each get their own answer', async (t) => {
  // A fresh server holds no answer in memory: these reads reach the cassette together and are
  // coalesced into shared queries, identical requests included.
  const sim = await start()
  t.teardown(() => sim.close())
  const file = path.join(t.testdir(), 'many.sqlite')
  const names = Array.from({ length: 40 }, (_, i) => `many-${i}`)
  const created = (await recordFixture(file, sim.endpoint, names.map((name) => ({ operation: 'CreateChannel', body: { name } })))) as ChannelAnswer[]
  const arns = created.map((c) => c.channel.arn)
  await recordFixture(file, sim.endpoint, arns.map((arn) => ({ operation: 'GetChannel', body: { arn } })))
  const replay = await start({ config: { mode: 'replay', cassette: file } })
  t.teardown(() => replay.close())
  const ivs = clientFor(replay)
  const asked = [...arns, arns[0], arns[0], arns[39]]
  const answers = await Promise.all(asked.map((arn) => ivs.send(new GetChannelCommand({ arn }))))
  t.same(answers.map((a) => a.channel!.arn), asked, 'every answer is the recording of its own request')
  t.same(answers.slice(0, 40).map((a) => a.channel!.name), names)
})

t.test('matching rules: ignored fields and regular expressions for values that vary run to run', async (t) => {
  const sim = await start()
  t.teardown(() => sim.close())
  const file = path.join(t.testdir(), 'rules.sqlite')
  await recordFixture(file, sim.endpoint, [
    { operation: 'CreateChannel', body: { name: 'test-1700000000000', tags: { build: '17' } } },
  ])
  const replay = await start({
    config: {
      mode: 'replay', cassette: file,
      matching: { CreateChannel: { ignore: ['tags.build'], patterns: { name: '^test-\\d+$' } } },
    },
  })
  t.teardown(() => replay.close())
  const ivs = clientFor(replay)
  const out = await ivs.send(new CreateChannelCommand({ name: `test-${Date.now()}`, tags: { build: '18' } }))
  t.equal(out.channel!.name, 'test-1700000000000', 'answered from the recording')
  const miss = await failureOf(ivs.send(new CreateChannelCommand({ name: 'prod-1', tags: { build: '18' } })))
  t.equal(miss.name, 'IvsReplayNoMatchException', 'a value outside the pattern still misses')
})

t.test('hybrid: the simulator knows what the cassette created, and forgets what it deleted', async (t) => {
  const sim = await start()
  t.teardown(() => sim.close())
  const file = path.join(t.testdir(), 'hybrid.sqlite')
  const [a, b] = (await recordFixture(file, sim.endpoint, [
    { operation: 'CreateChannel', body: { name: 'kept', tags: { env: 'ci' } } },
    { operation: 'CreateChannel', body: { name: 'dropped' } },
  ])) as ChannelAnswer[]
  await recordFixture(file, sim.endpoint, [{ operation: 'DeleteChannel', body: { arn: b.channel.arn } }])
  await sim.close()

  const hybrid = await start({ config: { cassette: file } })
  t.teardown(() => hybrid.close())
  t.equal(hybrid.config.mode, 'hybrid', 'a cassette without a mode means hybrid')
  const ivs = clientFor(hybrid)
  await ivs.send(new CreateChannelCommand({ name: 'kept', tags: { env: 'ci' } }))
  await ivs.send(new CreateChannelCommand({ name: 'dropped' }))
  await ivs.send(new DeleteChannelCommand({ arn: b.channel.arn }))

  // The control API sees replayed resources too (the simulator learns them before any control call).
  const live = await fetch(`${hybrid.endpoint}/_mock/streams/start`, { method: 'POST', body: JSON.stringify({ channelArn: a.channel.arn }) })
  t.equal(live.status, 200, 'a replayed channel can go live')
  const stopped = await fetch(`${hybrid.endpoint}/_mock/streams/stop`, { method: 'POST', body: JSON.stringify({ channelArn: a.channel.arn }) })
  t.equal(stopped.status, 200)
  const updated = await ivs.send(new UpdateChannelCommand({ arn: a.channel.arn, latencyMode: 'NORMAL' }))
  t.match(updated.channel, { arn: a.channel.arn, name: 'kept', latencyMode: 'NORMAL', tags: { env: 'ci' } }, 'an unrecorded update of a replayed channel')
  const raw = await signedRequest(hybrid.endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(raw.headers.get('x-ivs-replay-source'), 'simulated')
  t.same((raw.json.channels as { arn: string }[]).map((c) => c.arn), [a.channel.arn], 'the deleted one is gone')
  await ivs.send(new TagResourceCommand({ resourceArn: a.channel.arn, tags: { more: 'yes' } }))
  t.same((await ivs.send(new ListTagsForResourceCommand({ resourceArn: a.channel.arn }))).tags, { env: 'ci', more: 'yes' })
  t.equal((await failureOf(ivs.send(new GetChannelCommand({ arn: b.channel.arn })))).name, 'ResourceNotFoundException')
  const fresh = await ivs.send(new CreateChannelCommand({ name: 'brand-new' }))
  t.match(fresh.channel!.arn, /^arn:aws:ivs:us-west-2:123456789012:channel\//, 'misses are simulated')

  await hybrid.close()
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  const used = (await store.all()).filter((i) => i.usedAt !== null).map((i) => i.operation)
  await store.close()
  t.same(used.sort(), ['CreateChannel', 'CreateChannel', 'DeleteChannel'], 'replayed interactions are marked used')
})

t.test('only a first replay is written: replaying again leaves the cassette file as it was', async (t) => {
  const sim = await start()
  t.teardown(() => sim.close())
  const file = path.join(t.testdir(), 'first-use.sqlite')
  const created = (await recordFixture(file, sim.endpoint, ['a', 'b', 'c'].map((name) => ({ operation: 'CreateChannel', body: { name } })))) as ChannelAnswer[]
  const arns = created.map((c) => c.channel.arn)
  await recordFixture(file, sim.endpoint, arns.map((arn) => ({ operation: 'GetChannel', body: { arn } })))
  const replayRun = async (asked: readonly string[]) => {
    const replay = await start({ config: { mode: 'replay', cassette: file } })
    const ivs = clientFor(replay)
    for (const arn of asked) await ivs.send(new GetChannelCommand({ arn }))
    await replay.close()
  }
  const marks = async () => {
    const store = await SqliteCassetteStore.open(file, { readOnly: true })
    const all = await store.all()
    await store.close()
    return all.filter((i) => i.operation === 'GetChannel').map((i) => i.usedAt)
  }
  const bytes = () => readFile(file).then((b) => createHash('sha256').update(b).digest('hex'))

  await replayRun([arns[0], arns[1]])
  const first = await marks()
  t.ok(first[0] !== null && first[1] !== null && first[2] === null, 'the first run marks what it used')
  await new Promise((resolve) => setTimeout(resolve, 5))
  await replayRun([arns[0], arns[1], arns[2]])
  const second = await marks()
  t.same(second.slice(0, 2), first.slice(0, 2), 'an interaction used before keeps its first mark')
  t.not(second[2], null, 'a newly used one is marked')
  const before = await bytes()
  await replayRun([arns[2], arns[0], arns[1], arns[0]])
  t.equal(await bytes(), before, 'a run that uses nothing new leaves the file byte for byte')
})

t.test('a cassette that cannot be opened stops start-up with a clear error', async (t) => {
  const dir = t.testdir({ 'junk.sqlite': 'this is not a database' })
  await t.rejects(start({ config: { mode: 'replay', cassette: path.join(dir, 'junk.sqlite') } }), /junk\.sqlite/)
  await t.rejects(start({ config: { mode: 'replay', cassette: path.join(dir, 'missing.sqlite') } }), /missing\.sqlite/)
  await t.rejects(start({ config: { mode: 'replay' } }), /cassette is required in replay mode/)
  await t.rejects(start({ config: { cassette: '..' } }), /cassette name must be/)
  await t.rejects(start({ config: { cassette: 'a b' } }), /cassette name must be/)
})

t.test('--state keeps the simulator across restarts', async (t) => {
  const state = path.join(t.testdir(), 'state.sqlite')
  const first = await start({ config: { state } })
  const ivs = clientFor(first)
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'durable', tags: { keep: 'me' } }))
  const started = await fetch(`${first.endpoint}/_mock/streams/start`, {
    method: 'POST', body: JSON.stringify({ channelArn: channel!.arn }),
  })
  t.equal(started.status, 200)
  await first.close()

  const second = await start({ config: { state } })
  t.teardown(() => second.close())
  const again = clientFor(second)
  const got = await again.send(new GetChannelCommand({ arn: channel!.arn }))
  t.same(got.channel, channel, 'the channel is back, byte for byte')
  const raw = await signedRequest(second.endpoint, { path: '/GetStreamKey', body: JSON.stringify({ arn: streamKey!.arn }) })
  t.equal((raw.json.streamKey as { value: string }).value, streamKey!.value)
  const stream = await signedRequest(second.endpoint, { path: '/GetStream', body: JSON.stringify({ channelArn: channel!.arn }) })
  t.equal((stream.json.stream as { state: string }).state, 'LIVE', 'the live stream and its session came back')
  const next = await again.send(new CreateChannelCommand({ name: 'after-restart' }))
  const list = await again.send(new ListChannelsCommand({}))
  t.same(list.channels!.map((c) => c.name), ['durable', 'after-restart'], 'creation order continues')
  t.not(next.channel!.arn, channel!.arn)
})

t.test('a --state file written before the state store had its own format still loads and keeps saving', async (t) => {
  const state = path.join(t.testdir(), 'v0-state.sqlite')
  await copyFile(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'state', 'v0-state.sqlite'), state)
  const first = await start({ config: { state } })
  const ivs = clientFor(first)
  const [old] = (await ivs.send(new ListChannelsCommand({}))).channels!
  t.match(old, { name: 'from-v0', tags: { made: 'before-the-state-store' } }, 'the channel saved by the old code is back')
  const stream = await signedRequest(first.endpoint, { path: '/GetStream', body: JSON.stringify({ channelArn: old!.arn }) })
  t.equal((stream.json.stream as { state: string }).state, 'LIVE')
  await ivs.send(new CreateChannelCommand({ name: 'after-upgrade' }))
  await first.close()

  const second = await start({ config: { state } })
  t.teardown(() => second.close())
  const list = await clientFor(second).send(new ListChannelsCommand({}))
  t.same(list.channels!.map((c) => c.name), ['from-v0', 'after-upgrade'], 'and what this version saved into it')
})
