// Streams, stream sessions and EventBridge events end to end: a real server (SigV4 on), the real
// @aws-sdk/client-ivs for the API, plain fetch for the /_mock/ control routes, and a real node:http
// server as the webhook.
import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  InsertAdBreakCommand,
  IvsClient,
  ListStreamsCommand,
  ListStreamSessionsCommand,
  PutMetadataCommand,
  StopStreamCommand,
  UpdateChannelCommand,
  type Channel,
  type StreamKey,
} from '@aws-sdk/client-ivs'
import { start, type RunningServer } from '../src/index.js'
import { EventLog } from '../src/simulator/events/event-log.js'
import type { IvsEvent } from '../src/simulator/events/ivs-event.js'
import { SlidingWindowLimiter } from '../src/simulator/streams/sliding-window-limiter.js'

const REGION = 'us-west-2'
const ISO_NO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
const STREAM_ID = /^st-[A-Za-z0-9]{23}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function clientFor(server: RunningServer): IvsClient {
  // maxAttempts 1: the SDK would otherwise retry ThrottlingException and hide it.
  return new IvsClient({
    endpoint: server.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
}

/** The GetStream `stream` shape as the control API answers it: JSON, so times are ISO strings. */
interface ControlStream {
  readonly channelArn: string
  readonly streamId: string
  readonly playbackUrl: string
  readonly startTime: string
  readonly state: string
  readonly health: string
  readonly viewerCount: number
}

interface ControlAnswer {
  readonly status: number
  readonly json: Record<string, unknown>
}

async function control(server: RunningServer, path: string, body?: unknown): Promise<ControlAnswer> {
  const res = await fetch(`${server.endpoint}/_mock/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

async function goLive(server: RunningServer, channelArn: string): Promise<ControlStream> {
  const { status, json } = await control(server, 'streams/start', { channelArn })
  if (status !== 200) throw new Error(`start failed: ${status} ${JSON.stringify(json)}`)
  return json.stream as ControlStream
}

async function stop(server: RunningServer, channelArn: string): Promise<void> {
  const { status, json } = await control(server, 'streams/stop', { channelArn })
  if (status !== 200) throw new Error(`stop failed: ${status} ${JSON.stringify(json)}`)
}

async function eventsOf(server: RunningServer, since?: string): Promise<IvsEvent[]> {
  const { json } = await control(server, since === undefined ? 'events' : `events?since=${encodeURIComponent(since)}`)
  return json.events as IvsEvent[]
}

interface Refusal {
  readonly name: string
  readonly status: number | undefined
  readonly message: string
}

/** The SDK error a call fails with, or a failing `Refusal` when it succeeds. */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call
    return { name: 'no error', status: 200, message: '' }
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } }
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }
  }
}

async function untilTrue(what: string, check: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const server = await start()
t.teardown(() => server.close())
const ivs = clientFor(server)

async function newChannel(input: ConstructorParameters<typeof CreateChannelCommand>[0] = {}): Promise<{ channel: Channel; streamKey: StreamKey }> {
  const out = await ivs.send(new CreateChannelCommand(input))
  return { channel: out.channel!, streamKey: out.streamKey! }
}

t.beforeEach(async () => {
  await control(server, 'reset', {})
})

t.test('an offline or unknown channel: every stream operation refuses as docs/ivs-behavior.md §6 and §9 say', async (t) => {
  const { channel } = await newChannel({ name: 'offline' })
  const arn = channel.arn!
  const unknown = arn.replace(/\/[A-Za-z0-9]+$/, '/zzzzzzzzzzzz')

  for (const [op, call] of [
    ['GetStream', () => ivs.send(new GetStreamCommand({ channelArn: arn }))],
    ['StopStream', () => ivs.send(new StopStreamCommand({ channelArn: arn }))],
    ['PutMetadata', () => ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'x' }))],
  ] as const) {
    const r = await refusal(call())
    t.match(r, { name: 'ChannelNotBroadcasting', status: 404, message: `Channel: ${arn} is not currently online` }, op)
  }
  for (const [op, call] of [
    ['GetStream', () => ivs.send(new GetStreamCommand({ channelArn: unknown }))],
    ['StopStream', () => ivs.send(new StopStreamCommand({ channelArn: unknown }))],
    ['PutMetadata', () => ivs.send(new PutMetadataCommand({ channelArn: unknown, metadata: 'x' }))],
    ['InsertAdBreak', () => ivs.send(new InsertAdBreakCommand({ channelArn: unknown, durationSeconds: 30 }))],
    ['GetStreamSession', () => ivs.send(new GetStreamSessionCommand({ channelArn: unknown }))],
    ['ListStreamSessions', () => ivs.send(new ListStreamSessionsCommand({ channelArn: unknown }))],
  ] as const) {
    t.match(await refusal(call()), { name: 'ResourceNotFoundException', status: 404 }, `${op} on an unknown channel`)
  }
  // A channel that never went live has no session to get, and an empty history.
  t.match(await refusal(ivs.send(new GetStreamSessionCommand({ channelArn: arn }))), { name: 'ResourceNotFoundException' })
  t.same((await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }))).streamSessions, [])
  t.same((await ivs.send(new ListStreamsCommand({}))).streams, [])
})

t.test('start by channel ARN or stream key; GetStream and ListStreams show live streams only', async (t) => {
  const a = await newChannel({ name: 'a' })
  const b = await newChannel({ name: 'b' })
  await newChannel({ name: 'never-live' })

  const started = await goLive(server, a.channel.arn!)
  t.match(started, {
    channelArn: a.channel.arn,
    playbackUrl: a.channel.playbackUrl,
    state: 'LIVE',
    health: 'HEALTHY',
    viewerCount: 0,
    streamId: STREAM_ID,
    startTime: ISO_NO_MILLIS,
  })
  const got = await ivs.send(new GetStreamCommand({ channelArn: a.channel.arn }))
  t.same(got.stream!.streamId, started.streamId)
  t.same(got.stream!.startTime, new Date(started.startTime), 'the SDK parses the ISO startTime')

  const byKey = await control(server, 'streams/start', { streamKey: b.streamKey.value })
  t.equal(byKey.status, 200)
  t.match(byKey.json.stream, { channelArn: b.channel.arn, state: 'LIVE' })

  const listed = await ivs.send(new ListStreamsCommand({}))
  t.same(listed.streams!.map((s) => s.channelArn), [a.channel.arn, b.channel.arn], 'live only, in go-live order')
  t.match(listed.streams![0], { streamId: started.streamId, state: 'LIVE', health: 'HEALTHY', viewerCount: 0 })
  t.notOk(listed.nextToken)
  const page = await ivs.send(new ListStreamsCommand({ maxResults: 1 }))
  t.equal(page.streams!.length, 1)
  const rest = await ivs.send(new ListStreamsCommand({ maxResults: 1, nextToken: page.nextToken }))
  t.same(rest.streams!.map((s) => s.channelArn), [b.channel.arn])
  t.notOk(rest.nextToken)
})

t.test('control API refusals are clear JSON 4xx', async (t) => {
  const { channel, streamKey } = await newChannel()
  const arn = channel.arn!
  await goLive(server, arn)

  const again = await control(server, 'streams/start', { channelArn: arn })
  t.equal(again.status, 409)
  t.match(again.json, { error: 'Conflict', message: /already live/ })

  const unknownArn = arn.replace(/\/[A-Za-z0-9]+$/, '/zzzzzzzzzzzz')
  t.match(await control(server, 'streams/start', { channelArn: unknownArn }), { status: 404, json: { error: 'NotFound' } })
  t.match(await control(server, 'streams/start', { streamKey: 'sk_us-west-2_nope_nope' }), { status: 404 })
  t.match(await control(server, 'streams/start', { channelArn: arn, streamKey: streamKey.value }), { status: 400 })
  t.match(await control(server, 'streams/start', {}), { status: 400, json: { message: /exactly one of channelArn or streamKey/ } })
  t.match(await control(server, 'streams/start', { channelArn: 'not-an-arn' }), { status: 400 })
  t.match(await control(server, 'streams/start', { chanelArn: arn }), { status: 400, json: { message: /chanelArn/ } })
  t.match(await control(server, 'streams/start', '{oops'), { status: 400, json: { error: 'BadRequest' } })
  t.match(await control(server, 'streams/health', { channelArn: arn, health: 'GREAT' }), { status: 400 })
  t.match(await control(server, 'streams/nope', {}), { status: 404, json: { error: 'NotFound' } })
  t.match(await control(server, 'events?since=nope'), { status: 400, json: { message: /since/ } })

  await stop(server, arn)
  t.match(await control(server, 'streams/stop', { channelArn: arn }), { status: 409, json: { message: /not live/ } })
})

t.test('a live channel cannot be deleted or updated (409); once stopped it can', async (t) => {
  const { channel } = await newChannel()
  const arn = channel.arn!
  await goLive(server, arn)
  t.match(await refusal(ivs.send(new DeleteChannelCommand({ arn }))), { name: 'ConflictException', status: 409 })
  t.match(await refusal(ivs.send(new UpdateChannelCommand({ arn, name: 'renamed' }))), { name: 'ConflictException', status: 409 })

  t.same(await ivs.send(new StopStreamCommand({ channelArn: arn })).then((o) => Object.keys(o).filter((k) => k !== '$metadata')), [])
  t.match(await refusal(ivs.send(new GetStreamCommand({ channelArn: arn }))), { name: 'ChannelNotBroadcasting' })
  t.same((await ivs.send(new ListStreamsCommand({}))).streams, [])
  await ivs.send(new UpdateChannelCommand({ arn, name: 'renamed' }))
  await ivs.send(new DeleteChannelCommand({ arn }))
})

t.test('session history after two go-lives: most recent first, channel frozen at go-live, events', async (t) => {
  const { channel } = await newChannel({ name: 'first-name' })
  const arn = channel.arn!
  const first = await goLive(server, arn)
  await ivs.send(new StopStreamCommand({ channelArn: arn }))
  await ivs.send(new UpdateChannelCommand({ arn, name: 'second-name' }))
  const second = await goLive(server, arn)
  t.not(first.streamId, second.streamId, 'a new stream id per go-live')

  const list = await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }))
  t.same(list.streamSessions!.map((s) => s.streamId), [second.streamId, first.streamId])
  t.equal(list.streamSessions![0].endTime, undefined, 'the live session has no endTime')
  t.ok(list.streamSessions![1].endTime instanceof Date, 'the ended one has')
  t.equal(list.streamSessions![1].hasErrorEvent, false)
  const page = await ivs.send(new ListStreamSessionsCommand({ channelArn: arn, maxResults: 1 }))
  t.same(page.streamSessions!.map((s) => s.streamId), [second.streamId])
  const next = await ivs.send(new ListStreamSessionsCommand({ channelArn: arn, maxResults: 1, nextToken: page.nextToken }))
  t.same(next.streamSessions!.map((s) => s.streamId), [first.streamId])
  t.notOk(next.nextToken)

  const latest = (await ivs.send(new GetStreamSessionCommand({ channelArn: arn }))).streamSession!
  t.equal(latest.streamId, second.streamId, 'no streamId: the most recent session')
  t.equal(latest.channel!.name, 'second-name')
  t.equal(latest.endTime, undefined)
  t.same(latest.truncatedEvents!.map((e) => e.name), ['Stream Start', 'Session Created'])
  t.match(latest.ingestConfiguration, {
    video: { codec: /^avc1\./, videoWidth: 1920, videoHeight: 1080, track: 'Track0' },
    audio: { codec: 'mp4a.40.2', channels: 2, track: 'Track0' },
  })
  t.match(latest.ingestConfigurations, {
    videoConfigurations: [{ videoHeight: 1080, avcProfile: '', avcLevel: '', track: 'Track0' }],
    audioConfigurations: [{ codec: 'mp4a.40.2' }],
  })
  t.equal(latest.recordingConfiguration, undefined, 'no recording configuration attached')

  const old = (await ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId: first.streamId }))).streamSession!
  t.equal(old.channel!.name, 'first-name', 'the channel as it was when that session went live')
  t.same(old.channel!.arn, arn)
  t.ok(old.endTime instanceof Date)
  t.same(old.truncatedEvents!.map((e) => [e.name, e.type]), [
    ['Session Ended', 'IVS Stream State Change'],
    ['Stream End', 'IVS Stream State Change'],
    ['Stream Start', 'IVS Stream State Change'],
    ['Session Created', 'IVS Stream State Change'],
  ])
  t.match(
    await refusal(ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId: 'st-AAAAAAAAAAAAAAAAAAAAAAA' }))),
    { name: 'ResourceNotFoundException', status: 404 },
  )
})

t.test('ingest configuration from the start body overrides the default encoder', async (t) => {
  const { channel } = await newChannel()
  const started = await control(server, 'streams/start', {
    channelArn: channel.arn,
    ingestConfiguration: { video: { videoWidth: 1280, videoHeight: 720, targetFramerate: 30 }, audio: { sampleRate: 44100 } },
  })
  t.equal(started.status, 200)
  const session = (await ivs.send(new GetStreamSessionCommand({ channelArn: channel.arn }))).streamSession!
  t.match(session.ingestConfiguration, { video: { videoWidth: 1280, videoHeight: 720, targetFramerate: 30, codec: /^avc1\./ }, audio: { sampleRate: 44100 } })
  const { channel: other } = await newChannel()
  const bad = await control(server, 'streams/start', { channelArn: other.arn, ingestConfiguration: { video: { videoWidth: 'wide' } } })
  t.match(bad, { status: 400, json: { message: /videoWidth/ } })
})

t.test('PutMetadata: 1024 UTF-8 bytes pass, 1025 do not; 204', async (t) => {
  const { channel } = await newChannel()
  const arn = channel.arn!
  await goLive(server, arn)
  // 'é' is two bytes: 512 of them are 1024 bytes in 512 characters.
  const ok = await ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'é'.repeat(512) }))
  t.equal(ok.$metadata.httpStatusCode, 204)
  t.match(await refusal(ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'é'.repeat(512) + 'x' }))), {
    name: 'ValidationException',
    status: 400,
    message: 'Metadata size exceeds payload limit',
  })
})

t.test('PutMetadata: the 6th call within a second on one channel is throttled, another channel is not', async (t) => {
  const a = (await newChannel()).channel.arn!
  const b = (await newChannel()).channel.arn!
  await goLive(server, a)
  await goLive(server, b)
  // Six calls at once: the window is one second, so exactly one of them is refused.
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => refusal(ivs.send(new PutMetadataCommand({ channelArn: a, metadata: `m${i}` })))),
  )
  t.equal(results.filter((r) => r.name === 'no error').length, 5)
  const refused = results.filter((r) => r.name !== 'no error')
  t.match(refused, [{ name: 'ThrottlingException', status: 429, message: `Operation: ivs:PutMetadata exceeded call rate: 5 for resource: ${a}` }])
  const other = await ivs.send(new PutMetadataCommand({ channelArn: b, metadata: 'still fine' }))
  t.equal(other.$metadata.httpStatusCode, 204, 'the other channel has its own window')
})

t.test('the sliding window: per-key and shared limits, refused calls not counted, old calls expire', async (t) => {
  const limiter = new SlidingWindowLimiter(1000)
  const limits = (channel: string) => [{ key: channel, limit: 5 }, { key: 'account', limit: 155 }]
  // 31 channels × 5 calls fill the account's 155 at t = 0..154 ms.
  for (let c = 0; c < 31; c++) {
    for (let i = 0; i < 5; i++) {
      const now = c * 5 + i
      t.equal(limiter.refusal(limits(`ch${c}`), now), undefined)
      limiter.record(limits(`ch${c}`), now)
    }
  }
  t.match(limiter.refusal(limits('ch0'), 200), { key: 'ch0', limit: 5 }, 'per channel first')
  t.match(limiter.refusal(limits('ch99'), 200), { key: 'account', limit: 155 }, 'a fresh channel hits the account limit')
  t.match(limiter.refusal(limits('ch99'), 999), { key: 'account' }, 'refusals were not counted, and nothing expired yet')
  t.equal(limiter.refusal(limits('ch99'), 1000), undefined, 'the call at t=0 left the window at t=1000')
  t.equal(limiter.refusal(limits('ch0'), 1005), undefined, 'ch0 calls at 0..4 all left by 1005')
})

t.test('InsertAdBreak: 409 without an ad configuration, an adBreakId with one, ChannelNotBroadcasting offline', async (t) => {
  const plain = (await newChannel()).channel.arn!
  await goLive(server, plain)
  t.match(await refusal(ivs.send(new InsertAdBreakCommand({ channelArn: plain, durationSeconds: 30 }))), { name: 'ConflictException', status: 409 })

  const ad = await ivs.send(new CreateAdConfigurationCommand({
    mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: 'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/test' }],
  }))
  const withAds = (await newChannel({ adConfigurationArn: ad.adConfiguration!.arn })).channel.arn!
  t.match(await refusal(ivs.send(new InsertAdBreakCommand({ channelArn: withAds, durationSeconds: 30 }))), { name: 'ChannelNotBroadcasting', status: 404 })
  await goLive(server, withAds)
  const out = await ivs.send(new InsertAdBreakCommand({ channelArn: withAds, durationSeconds: 30 }))
  t.match(out.adBreakId, /^[A-Za-z0-9]{12}$/)
})

t.test('events: the EventBridge envelope, ?since, health changes', async (t) => {
  const { channel } = await newChannel({ name: 'evented' })
  const arn = channel.arn!
  const stream = await goLive(server, arn)
  const atStart = await eventsOf(server)
  t.same(atStart.map((e) => e.detail), [
    { event_name: 'Session Created', channel_name: 'evented', stream_id: stream.streamId },
    { event_name: 'Stream Start', channel_name: 'evented', stream_id: stream.streamId },
  ])
  for (const e of atStart) {
    t.match(e, {
      version: '0',
      id: UUID,
      'detail-type': 'IVS Stream State Change',
      source: 'aws.ivs',
      account: server.accountId,
      time: ISO_NO_MILLIS,
      region: REGION,
      resources: [arn],
    })
  }
  const mark = atStart[1].id

  t.match(await control(server, 'streams/health', { channelArn: arn, health: 'STARVING' }), { status: 200, json: { stream: { health: 'STARVING' } } })
  t.equal((await ivs.send(new GetStreamCommand({ channelArn: arn }))).stream!.health, 'STARVING')
  t.same((await ivs.send(new ListStreamsCommand({ filterBy: { health: 'STARVING' } }))).streams!.map((s) => s.channelArn), [arn])
  t.same((await ivs.send(new ListStreamsCommand({ filterBy: { health: 'HEALTHY' } }))).streams, [])
  await control(server, 'streams/health', { channelArn: arn, health: 'STARVING' })
  await control(server, 'streams/health', { channelArn: arn, health: 'HEALTHY' })
  await stop(server, arn)

  const after = await eventsOf(server, mark)
  t.same(after.map((e) => [e['detail-type'], (e.detail as { event_name: string }).event_name]), [
    ['IVS Stream Health Change', 'Starvation Start'],
    ['IVS Stream Health Change', 'Starvation End'],
    ['IVS Stream State Change', 'Stream End'],
    ['IVS Stream State Change', 'Session Ended'],
  ], 'events after the mark, oldest first; a repeated STARVING emits nothing')
  t.same(await eventsOf(server, after[3].id), [], 'nothing after the newest')
  const session = (await ivs.send(new GetStreamSessionCommand({ channelArn: arn }))).streamSession!
  t.notOk(session.truncatedEvents!.some((e) => e.name!.startsWith('Starvation')), 'health changes are not session events')
})

t.test('recording: the session copies the configuration; Recording Start and End events', async (t) => {
  const rc = (await ivs.send(new CreateRecordingConfigurationCommand({
    name: 'rec', destinationConfiguration: { s3: { bucketName: 'my-bucket' } }, tags: { team: 'video' },
  }))).recordingConfiguration!
  const { channel } = await newChannel({ name: 'recorded', recordingConfigurationArn: rc.arn })
  const arn = channel.arn!
  const channelId = arn.split('/')[1]
  const stream = await goLive(server, arn)
  await stop(server, arn)

  const recording = (await eventsOf(server)).filter(
    (e): e is IvsEvent<'IVS Recording State Change'> => e['detail-type'] === 'IVS Recording State Change',
  )
  t.equal(recording.length, 2)
  const [begin, end] = recording.map((e) => e.detail)
  const prefix = new RegExp(`^ivs/v1/${server.accountId}/${channelId}/\\d{4}/[1-9]\\d?/[1-9]\\d?/(0|[1-9]\\d?)/(0|[1-9]\\d?)/[A-Za-z0-9]{12}$`)
  t.match(begin, {
    channel_name: 'recorded',
    stream_id: stream.streamId,
    recording_status: 'Recording Start',
    recording_status_reason: '',
    recording_s3_bucket_name: 'my-bucket',
    recording_s3_key_prefix: prefix,
    recording_duration_ms: 0,
    recording_session_id: /^[A-Za-z0-9]{16}$/,
  })
  t.notOk('recording_session_stream_ids' in begin)
  t.match(end, {
    recording_status: 'Recording End',
    recording_s3_key_prefix: begin.recording_s3_key_prefix,
    recording_session_id: begin.recording_session_id,
    recording_session_stream_ids: [stream.streamId],
  })
  t.ok(end.recording_duration_ms >= 0)

  const session = (await ivs.send(new GetStreamSessionCommand({ channelArn: arn }))).streamSession!
  t.match(session.recordingConfiguration, {
    arn: rc.arn, name: 'rec', state: 'ACTIVE', destinationConfiguration: { s3: { bucketName: 'my-bucket' } }, tags: { team: 'video' },
  })
  t.same(session.truncatedEvents!.map((e) => e.name), [
    'Recording End', 'Session Ended', 'Stream End', 'Recording Start', 'Stream Start', 'Session Created',
  ])
  t.same(session.truncatedEvents!.filter((e) => e.name!.startsWith('Recording')).map((e) => e.type), [
    'IVS Recording State Change', 'IVS Recording State Change',
  ])
})

t.test('reset forgets streams, sessions and events', async (t) => {
  const { channel, streamKey } = await newChannel()
  await goLive(server, channel.arn!)
  t.ok((await eventsOf(server)).length > 0)
  t.equal((await control(server, 'reset', {})).status, 200)
  t.same(await eventsOf(server), [])
  t.same((await ivs.send(new ListStreamsCommand({}))).streams, [])
  t.match(await control(server, 'streams/start', { streamKey: streamKey.value }), { status: 404 })
})

t.test('the event log is bounded: the oldest events are dropped', async (t) => {
  const log = new EventLog(3)
  const event = (id: string) => ({ id, account: id.startsWith('a') ? '111111111111' : '222222222222' }) as unknown as IvsEvent
  for (const id of ['a1', 'b1', 'a2', 'b2']) log.append(event(id))
  t.same(log.all().map((e) => e.id), ['b1', 'a2', 'b2'])
  t.equal(log.since('a1'), undefined, 'a dropped id is unknown')
  t.same(log.since('b1')!.map((e) => e.id), ['a2', 'b2'])
  log.clear('111111111111')
  t.same(log.all().map((e) => e.id), ['b1', 'b2'], 'one account cleared')
  t.same(log.since('b1')!.map((e) => e.id), ['b2'])
  for (let i = 0; i < 5000; i++) log.append(event(`b${i + 10}`))
  t.same(log.all().map((e) => e.id), ['b5007', 'b5008', 'b5009'], 'still the newest three after compactions')
  t.same(log.since('b5007')!.map((e) => e.id), ['b5008', 'b5009'])
})

t.test('webhook: each event is POSTed as it happens, retried after a failure', async (t) => {
  const received: IvsEvent[] = []
  let failuresLeft = 1
  const hook = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      // The first POST fails: delivery must retry it, and keep order.
      if (failuresLeft-- > 0) {
        res.writeHead(503).end()
        return
      }
      t.equal(req.headers['content-type'], 'application/json')
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as IvsEvent)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    hook.closeAllConnections()
    hook.close()
  })
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`
  const hooked = await start({ config: { events: { webhookUrl: url } } })
  t.teardown(() => hooked.close())
  const client = clientFor(hooked)

  const arn = (await client.send(new CreateChannelCommand({ name: 'hooked' }))).channel!.arn!
  await goLive(hooked, arn)
  await stop(hooked, arn)
  await untilTrue('4 webhook deliveries', () => received.length >= 4)
  t.same(received, await eventsOf(hooked), 'the webhook got exactly the logged events, in order')
})

t.test('a dead webhook does not slow API calls or control calls', async (t) => {
  // A port that was just free: nothing listens there.
  const probe = http.createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((r) => probe.close(() => r()))

  const dead = await start({ config: { events: { webhookUrl: `http://127.0.0.1:${port}/hook` } } })
  t.teardown(() => dead.close())
  const client = clientFor(dead)
  const arn = (await client.send(new CreateChannelCommand({}))).channel!.arn!
  const began = performance.now()
  for (let i = 0; i < 10; i++) {
    await goLive(dead, arn)
    await client.send(new GetStreamCommand({ channelArn: arn }))
    await client.send(new StopStreamCommand({ channelArn: arn }))
  }
  // 40 events queued for a webhook that refuses every connection; a generous bound, not a benchmark.
  t.ok(performance.now() - began < 5000, 'ten go-live cycles finish well within 5 s')
  t.equal((await eventsOf(dead)).length, 40, 'the log has every event regardless')
})

t.test('determinism: two servers with the same seed produce the same ids', async (t) => {
  async function run(): Promise<unknown[]> {
    const seeded = await start({ config: { seed: 1234 } })
    try {
      const client = clientFor(seeded)
      const created = await client.send(new CreateChannelCommand({ name: 'seeded' }))
      const arn = created.channel!.arn!
      const stream = await goLive(seeded, arn)
      await client.send(new StopStreamCommand({ channelArn: arn }))
      const events = await eventsOf(seeded)
      return [arn, created.streamKey!.value, stream.streamId, events.map((e) => e.id)]
    } finally {
      await seeded.close()
    }
  }
  const [one, two] = [await run(), await run()]
  t.same(one, two)
  t.match(one[2], STREAM_ID)
})
