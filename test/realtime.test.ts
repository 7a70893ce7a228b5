// IVS Real-Time (ivs-realtime) end to end: a real server (SigV4 on), the real
// @aws-sdk/client-ivs-realtime for all 39 operations, @aws-sdk/client-ivs for the channel a
// composition sends to, plain fetch for the /_mock/ control routes; boto3 and the AWS CLI for a
// smoke flow where installed.
import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { CreateChannelCommand } from '@aws-sdk/client-ivs'
import {
  CreateEncoderConfigurationCommand, CreateIngestConfigurationCommand, CreateParticipantTokenCommand, CreateStageCommand,
  CreateStorageConfigurationCommand, DeleteEncoderConfigurationCommand, DeleteIngestConfigurationCommand, DeletePublicKeyCommand,
  DeleteStageCommand, DeleteStorageConfigurationCommand, DisconnectParticipantCommand, GetCompositionCommand,
  GetEncoderConfigurationCommand, GetIngestConfigurationCommand, GetParticipantCommand, GetPublicKeyCommand, GetStageCommand,
  GetStageSessionCommand, GetStorageConfigurationCommand, ImportPublicKeyCommand, IVSRealTimeClient, ListCompositionsCommand,
  ListEncoderConfigurationsCommand, ListIngestConfigurationsCommand, ListParticipantEventsCommand, ListParticipantReplicasCommand,
  ListParticipantsCommand, ListPublicKeysCommand, ListStageSessionsCommand, ListStagesCommand, ListStorageConfigurationsCommand,
  ListTagsForResourceCommand, StartCompositionCommand, StartParticipantReplicationCommand, StopCompositionCommand,
  StopParticipantReplicationCommand, TagResourceCommand, UntagResourceCommand, UpdateIngestConfigurationCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-ivs-realtime'
import { start, type RunningServer } from '../src/index.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'

const REGION = 'us-west-2'
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

function realtimeClientFor(server: RunningServer, region = REGION): IVSRealTimeClient {
  return new IVSRealTimeClient({
    endpoint: server.endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1,
  })
}

interface ControlAnswer {
  readonly status: number
  readonly json: Record<string, unknown>
}

async function control(server: RunningServer, path: string, body?: unknown): Promise<ControlAnswer> {
  const res = await fetch(`${server.endpoint}/_mock/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

interface JoinedParticipant {
  readonly stageArn: string
  readonly sessionId: string
  readonly participantId: string
  readonly publishing: boolean
}

async function join(server: RunningServer, body: Record<string, unknown>): Promise<JoinedParticipant> {
  const { status, json } = await control(server, 'stages/join', body)
  if (status !== 200) throw new Error(`join failed: ${status} ${JSON.stringify(json)}`)
  return json.participant as JoinedParticipant
}

interface EventEnvelope {
  readonly id: string
  readonly 'detail-type': string
  readonly source: string
  readonly resources: readonly string[]
  readonly detail: Record<string, unknown>
}

async function events(server: RunningServer): Promise<EventEnvelope[]> {
  return (await control(server, 'events')).json.events as EventEnvelope[]
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>

const server = await start({ config: { regions: [REGION, 'us-east-1'] } })
t.teardown(() => server.close())
const rt = realtimeClientFor(server)
const ivs = clientFor(server)

t.beforeEach(async () => {
  await control(server, 'reset', {})
})

t.test('stages: create with tokens and defaults, get, update, list with pages, delete, not found', async (t) => {
  const out = await rt.send(new CreateStageCommand({
    name: 'stage1',
    tags: { team: 'a' },
    participantTokenConfigurations: [{ userId: 'alice', capabilities: ['PUBLISH'], duration: 60, attributes: { role: 'host' } }, {}],
  }))
  const stage = out.stage!
  t.match(stage.arn, /^arn:aws:ivs:us-west-2:\d{12}:stage\/[a-zA-Z0-9]{12}$/)
  t.equal(stage.name, 'stage1')
  t.same(stage.tags, { team: 'a' })
  t.equal(stage.activeSessionId, undefined, 'no session before anyone joins')
  t.same(stage.autoParticipantRecordingConfiguration, {
    storageConfigurationArn: '', mediaTypes: ['AUDIO_VIDEO'],
    thumbnailConfiguration: { targetIntervalSeconds: 60, storage: ['SEQUENTIAL'], recordingMode: 'DISABLED' },
    recordingReconnectWindowSeconds: 0, hlsConfiguration: { targetSegmentDurationSeconds: 6 }, recordParticipantReplicas: true,
  })
  t.equal(stage.endpoints!.events, 'wss://global.events.live-video.net')
  t.match(stage.endpoints!.whip, /^https:\/\/[a-z0-9]+\.global-bm\.whip\.live-video\.net$/)
  t.match(stage.endpoints!.rtmp, /^rtmp:\/\/[a-z0-9]+\.global-contribute\.live-video\.net\/app\/$/)
  t.match(stage.endpoints!.rtmps, /^rtmps:\/\/[a-z0-9]+\.global-contribute\.live-video\.net:443\/app\/$/)
  t.equal(out.participantTokens!.length, 2)
  const [alice, anon] = out.participantTokens!
  t.match(alice, { userId: 'alice', capabilities: ['PUBLISH'], duration: 60, attributes: { role: 'host' } })
  t.same(anon.capabilities, ['PUBLISH', 'SUBSCRIBE'], 'default capabilities')
  t.equal(anon.duration, 720, 'default duration 720 minutes')

  t.same((await rt.send(new GetStageCommand({ arn: stage.arn! }))).stage, stage)
  const updated = await rt.send(new UpdateStageCommand({ arn: stage.arn!, name: 'renamed' }))
  t.equal(updated.stage!.name, 'renamed')
  t.same(updated.stage!.endpoints, stage.endpoints)

  for (let i = 0; i < 4; i++) await rt.send(new CreateStageCommand({ name: `s${i}` }))
  const first = await rt.send(new ListStagesCommand({ maxResults: 3 }))
  t.equal(first.stages!.length, 3)
  t.ok(first.nextToken)
  const second = await rt.send(new ListStagesCommand({ maxResults: 3, nextToken: first.nextToken }))
  t.equal(second.stages!.length, 2)
  t.equal(second.nextToken, undefined)
  t.same([...first.stages!, ...second.stages!].map((s) => s.name), ['renamed', 's0', 's1', 's2', 's3'])

  await rt.send(new DeleteStageCommand({ arn: stage.arn! }))
  for (const call of [
    rt.send(new GetStageCommand({ arn: stage.arn! })),
    rt.send(new DeleteStageCommand({ arn: stage.arn! })),
    rt.send(new UpdateStageCommand({ arn: stage.arn!, name: 'x' })),
    rt.send(new CreateParticipantTokenCommand({ stageArn: stage.arn! })),
  ]) t.match(await failureOf(call), { name: 'ResourceNotFoundException', status: 404 })
  const missing = await failureOf(rt.send(new GetStageCommand({ arn: stage.arn! })))
  t.equal(missing.message, `Stage not found: ${stage.arn}`, 'the message (exceptionMessage) reaches the SDK')
})

t.test('validation from the model and from the business rules', async (t) => {
  const { stage } = await rt.send(new CreateStageCommand({}))
  for (const [what, call] of [
    ['duration above 20160', () => rt.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn!, duration: 20161 }))],
    ['duration 0', () => rt.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn!, duration: 0 }))],
    ['bad stage ARN', () => rt.send(new GetStageCommand({ arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abc' }))],
    ['stage name pattern', () => rt.send(new CreateStageCommand({ name: 'no spaces' }))],
    ['13 token configurations', () => rt.send(new CreateStageCommand({ participantTokenConfigurations: Array.from({ length: 13 }, () => ({})) }))],
    ['attributes over 1 KB', () => rt.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn!, attributes: { a: 'x'.repeat(1100) } }))],
    ['aws: tag key', () => rt.send(new CreateStageCommand({ tags: { 'aws:x': 'y' } }))],
    ['odd video width', () => rt.send(new CreateEncoderConfigurationCommand({ video: { width: 1281 } }))],
    ['too many pixels', () => rt.send(new CreateEncoderConfigurationCommand({ video: { width: 1920, height: 1088 } }))],
    ['RTMP without insecureIngest', () => rt.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMP' }))],
    ['session id length', () => rt.send(new GetStageSessionCommand({ stageArn: stage!.arn!, sessionId: 'st-short' }))],
    ['grid and pip', () => rt.send(new StartCompositionCommand({ stageArn: stage!.arn!, layout: { grid: {}, pip: {} }, destinations: [{ s3: { storageConfigurationArn: 'arn:aws:ivs:us-west-2:123456789012:storage-configuration/abc', encoderConfigurationArns: ['arn:aws:ivs:us-west-2:123456789012:encoder-configuration/abc'] } }] }))],
    ['no destinations', () => rt.send(new StartCompositionCommand({ stageArn: stage!.arn!, destinations: [] }))],
  ] as const) {
    t.match(await failureOf(call()), { name: 'ValidationException', status: 400 }, what)
  }
})

t.test('participant tokens: an ES384 JWT with the stage claims, verifiable with the key IVS signs with', async (t) => {
  const { stage } = await rt.send(new CreateStageCommand({ name: 'tokens' }))
  const before = Date.now()
  const { participantToken } = await rt.send(new CreateParticipantTokenCommand({
    stageArn: stage!.arn!, userId: 'bob', attributes: { seat: '1' }, capabilities: ['SUBSCRIBE'], duration: 30,
  }))
  const token = participantToken!
  t.match(token.participantId, /^[a-zA-Z0-9]{12}$/)
  t.equal(token.userId, 'bob')
  t.same(token.capabilities, ['SUBSCRIBE'])
  t.equal(token.duration, 30)
  t.ok(token.expirationTime instanceof Date)
  const expiresIn = token.expirationTime!.getTime() - before
  t.ok(expiresIn > 29 * 60_000 && expiresIn <= 30 * 60_000 + 1000, 'expires after its duration')

  const [h, p, s] = token.token!.split('.')
  const header = decode(h)
  const claims = decode(p)
  t.match(header, { alg: 'ES384', typ: 'JWT' })
  t.match(claims, {
    jti: token.participantId, resource: stage!.arn, topic: stage!.arn!.split('/')[1], user_id: 'bob', attributes: { seat: '1' },
    capabilities: { allow_publish: false, allow_subscribe: true }, version: '1.0', events_url: stage!.endpoints!.events, whip_url: stage!.endpoints!.whip,
  })
  t.equal((claims.exp as number) - (claims.iat as number), 30 * 60)

  const key = await control(server, `stages/token-key?accountId=${stage!.arn!.split(':')[4]}&region=${REGION}`)
  t.equal(key.status, 200)
  t.equal(key.json.kid, header.kid)
  const publicKey = createPublicKey(key.json.publicKeyPem as string)
  t.equal(publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1')
  t.ok(verify('sha384', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), 'signature verifies')
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, user_id: 'mallory' })).toString('base64url')}.${s}`
  t.equal((await control(server, 'stages/join', { token: tampered })).status, 401, 'a tampered token is refused')
})

t.test('joining and leaving: sessions, participants, participant events, disconnect, stage events', async (t) => {
  const { stage, participantTokens } = await rt.send(new CreateStageCommand({
    name: 'live', participantTokenConfigurations: [{ userId: 'host' }, { userId: 'viewer', capabilities: ['SUBSCRIBE'] }],
  }))
  const stageArn = stage!.arn!
  const [hostToken, viewerToken] = participantTokens!
  const host = await join(server, { token: hostToken.token })
  t.match(host, { stageArn, participantId: hostToken.participantId, publishing: true })
  t.match(host.sessionId, /^st-[a-zA-Z0-9]{13}$/)
  t.equal((await control(server, 'stages/join', { token: hostToken.token })).status, 409, 'already connected')
  const viewer = await join(server, { token: viewerToken.token, publish: false })
  t.equal(viewer.sessionId, host.sessionId, 'one session while anyone is connected')
  const refused = await control(server, 'stages/publish', { stageArn, participantId: viewer.participantId, publishing: true })
  t.equal(refused.status, 409, 'a SUBSCRIBE-only token cannot publish')

  t.equal((await rt.send(new GetStageCommand({ arn: stageArn }))).stage!.activeSessionId, host.sessionId)
  const session = (await rt.send(new GetStageSessionCommand({ stageArn, sessionId: host.sessionId }))).stageSession!
  t.equal(session.sessionId, host.sessionId)
  t.ok(session.startTime instanceof Date)
  t.equal(session.endTime, undefined)

  const all = await rt.send(new ListParticipantsCommand({ stageArn, sessionId: host.sessionId }))
  t.same(all.participants!.map((p) => [p.userId, p.state, p.published]), [['host', 'CONNECTED', true], ['viewer', 'CONNECTED', false]])
  const published = await rt.send(new ListParticipantsCommand({ stageArn, sessionId: host.sessionId, filterByPublished: true }))
  t.same(published.participants!.map((p) => p.userId), ['host'])
  const page = await rt.send(new ListParticipantsCommand({ stageArn, sessionId: host.sessionId, maxResults: 1 }))
  t.equal(page.participants!.length, 1)
  t.ok(page.nextToken)
  t.match(await failureOf(rt.send(new ListParticipantsCommand({ stageArn, sessionId: host.sessionId, filterByUserId: 'x', nextToken: page.nextToken }))),
    { name: 'ValidationException' }, 'a token is bound to its filters')

  const got = (await rt.send(new GetParticipantCommand({ stageArn, sessionId: host.sessionId, participantId: host.participantId }))).participant!
  t.match(got, { participantId: host.participantId, userId: 'host', state: 'CONNECTED', published: true, recordingState: 'DISABLED', replicationType: 'NONE' })

  await rt.send(new DisconnectParticipantCommand({ stageArn, participantId: host.participantId, reason: 'bye' }))
  t.match(await failureOf(rt.send(new DisconnectParticipantCommand({ stageArn, participantId: host.participantId }))), { name: 'ResourceNotFoundException' })
  const hostEvents = await rt.send(new ListParticipantEventsCommand({ stageArn, sessionId: host.sessionId, participantId: host.participantId }))
  t.same(hostEvents.events!.map((e) => e.name), ['LEFT', 'PUBLISH_STOPPED', 'PUBLISH_STARTED', 'JOINED'], 'most recent first')
  const viewerEvents = await rt.send(new ListParticipantEventsCommand({ stageArn, sessionId: host.sessionId, participantId: viewer.participantId }))
  t.match(viewerEvents.events![0], { name: 'PUBLISH_ERROR', errorCode: 'INSUFFICIENT_CAPABILITIES' })

  t.equal((await control(server, 'stages/leave', { stageArn, participantId: viewer.participantId })).status, 200)
  t.equal((await rt.send(new GetStageCommand({ arn: stageArn }))).stage!.activeSessionId, undefined, 'the last one out ends the session')
  const ended = (await rt.send(new GetStageSessionCommand({ stageArn, sessionId: host.sessionId }))).stageSession!
  t.ok(ended.endTime instanceof Date)

  const again = await join(server, { token: hostToken.token })
  t.not(again.sessionId, host.sessionId, 'a new session')
  const sessions = await rt.send(new ListStageSessionsCommand({ stageArn }))
  t.same(sessions.stageSessions!.map((s) => s.sessionId), [again.sessionId, host.sessionId], 'most recent first')

  t.match(await failureOf(rt.send(new GetParticipantCommand({ stageArn, sessionId: host.sessionId, participantId: 'nobody' }))), { name: 'ResourceNotFoundException' })
  t.match(await failureOf(rt.send(new GetStageSessionCommand({ stageArn, sessionId: 'st-0000000000000' }))), { name: 'ResourceNotFoundException' })

  const stageEvents = (await events(server)).filter((e) => e['detail-type'] === 'IVS Stage Update')
  t.same(stageEvents.slice(0, 4).map((e) => e.detail.event_name), ['Session Created', 'Participant Joined', 'Participant Published', 'Participant Joined'])
  t.match(stageEvents[1], { source: 'aws.ivs', resources: [stageArn], detail: { session_id: host.sessionId, participant_id: host.participantId, user_id: 'host' } })
  t.ok(stageEvents.some((e) => e.detail.event_name === 'Session Ended'))
  t.equal((await control(server, 'stages/join', { token: 'not.a.token' })).status, 400)
})

t.test('self-signed tokens with an imported P-384 public key; public key lifecycle', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const imported = (await rt.send(new ImportPublicKeyCommand({ publicKeyMaterial: pem, name: 'mine', tags: { k: 'v' } }))).publicKey!
  t.match(imported.arn, /^arn:aws:ivs:us-west-2:\d{12}:public-key\/[a-zA-Z0-9]{12}$/)
  t.match(imported.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/)
  t.equal(imported.publicKeyMaterial, pem)
  t.match(await failureOf(rt.send(new ImportPublicKeyCommand({ publicKeyMaterial: pem }))), { name: 'ConflictException', status: 409 })
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
  t.match(await failureOf(rt.send(new ImportPublicKeyCommand({ publicKeyMaterial: p256 }))), { name: 'ValidationException' }, 'P-256 refused')
  t.same((await rt.send(new GetPublicKeyCommand({ arn: imported.arn! }))).publicKey, imported)
  t.same((await rt.send(new ListPublicKeysCommand({}))).publicKeys, [{ arn: imported.arn, name: 'mine', tags: { k: 'v' } }])

  const { stage } = await rt.send(new CreateStageCommand({}))
  const stageArn = stage!.arn!
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const input = `${b64({ alg: 'ES384', typ: 'JWT', kid: imported.arn })}.${b64({
    exp: now + 600, iat: now, jti: 'selfsigned1', resource: stageArn, topic: stageArn.split('/')[1], user_id: 'own',
    capabilities: { allow_publish: true, allow_subscribe: true }, version: '1.0',
  })}`
  const token = `${input}.${sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
  const joined = await join(server, { token })
  t.equal(joined.participantId, 'selfsigned1', 'the jti is the participant id')
  await control(server, 'stages/leave', { stageArn, participantId: 'selfsigned1' })

  await rt.send(new DeletePublicKeyCommand({ arn: imported.arn! }))
  t.equal((await control(server, 'stages/join', { token })).status, 401, 'deleting the key invalidates its tokens')
  t.match(await failureOf(rt.send(new GetPublicKeyCommand({ arn: imported.arn! }))), { name: 'ResourceNotFoundException' })
  t.match(await failureOf(rt.send(new DeletePublicKeyCommand({ arn: imported.arn! }))), { name: 'ResourceNotFoundException' })
})

t.test('encoder and storage configurations; compositions to an ivs channel and S3; their lifecycle and events', async (t) => {
  const encoder = (await rt.send(new CreateEncoderConfigurationCommand({ name: 'ec' }))).encoderConfiguration!
  t.same(encoder.video, { width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 }, 'defaults (M)')
  t.same((await rt.send(new GetEncoderConfigurationCommand({ arn: encoder.arn! }))).encoderConfiguration, encoder)
  t.same((await rt.send(new ListEncoderConfigurationsCommand({}))).encoderConfigurations, [{ arn: encoder.arn, name: 'ec', tags: {} }])
  const storage = (await rt.send(new CreateStorageConfigurationCommand({ name: 'sc', s3: { bucketName: 'my-bucket' } }))).storageConfiguration!
  t.match(storage, { name: 'sc', s3: { bucketName: 'my-bucket' }, tags: {} })
  t.same((await rt.send(new GetStorageConfigurationCommand({ arn: storage.arn! }))).storageConfiguration, storage)
  t.same((await rt.send(new ListStorageConfigurationsCommand({}))).storageConfigurations, [storage])

  const { stage } = await rt.send(new CreateStageCommand({}))
  const stageArn = stage!.arn!
  const { channel } = await ivs.send(new CreateChannelCommand({ name: 'out' }))
  const missingChannel = channel!.arn!.replace(/[^/]+$/, 'zzzzzzzzzzzz')
  t.match(await failureOf(rt.send(new StartCompositionCommand({ stageArn, destinations: [{ channel: { channelArn: missingChannel } }] }))),
    { name: 'ResourceNotFoundException' }, 'the channel must exist in the ivs simulation')

  const started = (await rt.send(new StartCompositionCommand({
    stageArn, idempotencyToken: 'once', tags: { c: '1' },
    destinations: [
      { channel: { channelArn: channel!.arn!, encoderConfigurationArn: encoder.arn } },
      { s3: { storageConfigurationArn: storage.arn!, encoderConfigurationArns: [encoder.arn!] } },
    ],
  }))).composition!
  t.match(started.arn, /^arn:aws:ivs:us-west-2:\d{12}:composition\/[a-zA-Z0-9]{12}$/)
  t.equal(started.state, 'STARTING')
  t.same(started.destinations!.map((d) => d.state), ['STARTING', 'STARTING'])
  t.same(started.layout, { grid: { featuredParticipantAttribute: '', omitStoppedVideo: false, videoAspectRatio: 'VIDEO', gridGap: 2, participantOrderAttribute: '' } })
  t.match(started.destinations![1], { configuration: { s3: { recordingConfiguration: { format: 'HLS', hlsConfiguration: { targetSegmentDurationSeconds: 2 } } } }, detail: { s3: { recordingPrefix: /composite$/ } } })
  const again = (await rt.send(new StartCompositionCommand({ stageArn, idempotencyToken: 'once', destinations: [{ channel: { channelArn: channel!.arn! } }] }))).composition!
  t.equal(again.arn, started.arn, 'the idempotency token returns the same composition')

  const active = (await rt.send(new GetCompositionCommand({ arn: started.arn! }))).composition!
  t.equal(active.state, 'ACTIVE')
  t.same(active.destinations!.map((d) => d.state), ['ACTIVE', 'ACTIVE'])
  const listed = await rt.send(new ListCompositionsCommand({ filterByStageArn: stageArn }))
  t.same(listed.compositions!.map((c) => [c.arn, c.state]), [[started.arn, 'ACTIVE']])
  t.same((await rt.send(new ListCompositionsCommand({ filterByEncoderConfigurationArn: encoder.arn }))).compositions!.length, 1)

  t.match(await failureOf(rt.send(new DeleteEncoderConfigurationCommand({ arn: encoder.arn! }))), { name: 'ConflictException', status: 409 })
  t.match(await failureOf(rt.send(new DeleteStorageConfigurationCommand({ arn: storage.arn! }))), { name: 'ConflictException', status: 409 })
  await rt.send(new StopCompositionCommand({ arn: started.arn! }))
  const stopped = (await rt.send(new GetCompositionCommand({ arn: started.arn! }))).composition!
  t.equal(stopped.state, 'STOPPED')
  t.ok(stopped.endTime instanceof Date)
  await rt.send(new DeleteEncoderConfigurationCommand({ arn: encoder.arn! }))
  await rt.send(new DeleteStorageConfigurationCommand({ arn: storage.arn! }))
  t.match(await failureOf(rt.send(new GetEncoderConfigurationCommand({ arn: encoder.arn! }))), { name: 'ResourceNotFoundException' })
  t.match(await failureOf(rt.send(new GetStorageConfigurationCommand({ arn: storage.arn! }))), { name: 'ResourceNotFoundException' })
  t.match(await failureOf(rt.send(new StopCompositionCommand({ arn: started.arn!.replace(/[^/]+$/, 'zzzzzzzzzzzz') }))), { name: 'ResourceNotFoundException' })

  const names = (await events(server)).filter((e) => e['detail-type'] === 'IVS Composition State Change').map((e) => e.detail.event_name)
  t.same(names, ['Session Start', 'Destination Start', 'Destination Start', 'Destination End', 'Destination End', 'Session End'])
})

t.test('individual participant recording: recording state and its events', async (t) => {
  const storage = (await rt.send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'rec-bucket' } }))).storageConfiguration!
  t.match(await failureOf(rt.send(new CreateStageCommand({ autoParticipantRecordingConfiguration: { storageConfigurationArn: storage.arn!.replace(/[^/]+$/, 'zzzz') } }))),
    { name: 'ResourceNotFoundException' })
  const { stage, participantTokens } = await rt.send(new CreateStageCommand({
    autoParticipantRecordingConfiguration: { storageConfigurationArn: storage.arn! }, participantTokenConfigurations: [{}],
  }))
  const p = await join(server, { token: participantTokens![0].token })
  const got = (await rt.send(new GetParticipantCommand({ stageArn: stage!.arn!, sessionId: p.sessionId, participantId: p.participantId }))).participant!
  t.match(got, { recordingState: 'ACTIVE', recordingS3BucketName: 'rec-bucket' })
  t.match(got.recordingS3Prefix, new RegExp(`^${stage!.arn!.split('/')[1]}/${p.sessionId}/${p.participantId}/\\d+$`))
  const recording = await rt.send(new ListParticipantsCommand({ stageArn: stage!.arn!, sessionId: p.sessionId, filterByRecordingState: 'ACTIVE' }))
  t.equal(recording.participants!.length, 1)
  await control(server, 'stages/leave', { stageArn: stage!.arn, participantId: p.participantId })
  const rec = (await events(server)).filter((e) => e['detail-type'] === 'IVS Participant Recording State Change')
  t.same(rec.map((e) => e.detail.event_name), ['Recording Start', 'Recording End'])
  t.match(rec[0].detail, { session_id: p.sessionId, participant_id: p.participantId, recording_s3_bucket_name: 'rec-bucket' })
})

t.test('ingest configurations: stream keys, RTMP publishing through /_mock, update, delete with force', async (t) => {
  const { stage } = await rt.send(new CreateStageCommand({}))
  const stageArn = stage!.arn!
  const ic = (await rt.send(new CreateIngestConfigurationCommand({ name: 'enc', ingestProtocol: 'RTMPS', userId: 'obs', attributes: { a: 'b' } }))).ingestConfiguration!
  t.match(ic, { name: 'enc', ingestProtocol: 'RTMPS', stageArn: '', state: 'INACTIVE', userId: 'obs', attributes: { a: 'b' }, tags: {} })
  t.match(ic.streamKey, new RegExp(`^rt_\\d{12}_us-west-2_${ic.arn!.split('/')[1]}_[a-zA-Z0-9]{28}$`))
  t.equal((await control(server, 'stages/join', { streamKey: ic.streamKey })).status, 409, 'no stage yet')
  t.match(await failureOf(rt.send(new UpdateIngestConfigurationCommand({ arn: ic.arn!, stageArn: stageArn.replace(/[^/]+$/, 'zzzz') }))), { name: 'ResourceNotFoundException' })
  const moved = (await rt.send(new UpdateIngestConfigurationCommand({ arn: ic.arn!, stageArn }))).ingestConfiguration!
  t.equal(moved.stageArn, stageArn)
  const rtmp = (await rt.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMP', insecureIngest: true, stageArn }))).ingestConfiguration!

  const p = await join(server, { streamKey: ic.streamKey })
  t.equal(p.participantId, ic.participantId)
  t.equal((await rt.send(new GetIngestConfigurationCommand({ arn: ic.arn! }))).ingestConfiguration!.state, 'ACTIVE')
  const participant = (await rt.send(new GetParticipantCommand({ stageArn, sessionId: p.sessionId, participantId: p.participantId }))).participant!
  t.match(participant, { protocol: 'RTMPS', ingestConfigurationArn: ic.arn, userId: 'obs', published: true })
  t.same((await rt.send(new ListIngestConfigurationsCommand({ filterByState: 'ACTIVE' }))).ingestConfigurations!.map((c) => c.arn), [ic.arn])
  const byStage = await rt.send(new ListIngestConfigurationsCommand({ filterByStageArn: stageArn, maxResults: 1 }))
  t.equal(byStage.ingestConfigurations!.length, 1)
  t.ok(byStage.nextToken)
  t.equal((byStage.ingestConfigurations![0] as unknown as Record<string, unknown>).streamKey, undefined, 'summaries carry no stream key')
  t.match(await failureOf(rt.send(new UpdateIngestConfigurationCommand({ arn: ic.arn!, stageArn: '' }))), { name: 'ConflictException' })
  t.match(await failureOf(rt.send(new DeleteIngestConfigurationCommand({ arn: ic.arn! }))), { name: 'ConflictException', status: 409 })
  await rt.send(new DeleteIngestConfigurationCommand({ arn: ic.arn!, force: true }))
  const after = (await rt.send(new GetParticipantCommand({ stageArn, sessionId: p.sessionId, participantId: p.participantId }))).participant!
  t.equal(after.state, 'DISCONNECTED', 'force disconnects the publisher')
  t.match(await failureOf(rt.send(new GetIngestConfigurationCommand({ arn: ic.arn! }))), { name: 'ResourceNotFoundException' })
  await rt.send(new DeleteIngestConfigurationCommand({ arn: rtmp.arn! }))
})

t.test('participant replication between two stages', async (t) => {
  const a = await rt.send(new CreateStageCommand({ name: 'a', participantTokenConfigurations: [{ userId: 'star' }] }))
  const b = await rt.send(new CreateStageCommand({ name: 'b' }))
  const sourceArn = a.stage!.arn!
  const destArn = b.stage!.arn!
  const pid = a.participantTokens![0].participantId!
  t.match(await failureOf(rt.send(new StartParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: destArn, participantId: pid }))),
    { name: 'ResourceNotFoundException' }, 'not publishing yet')
  const p = await join(server, { token: a.participantTokens![0].token })
  await rt.send(new StartParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: destArn, participantId: pid }))
  t.match(await failureOf(rt.send(new StartParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: destArn, participantId: pid }))),
    { name: 'ConflictException' })
  t.match(await failureOf(rt.send(new StartParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: sourceArn, participantId: pid }))),
    { name: 'ValidationException' })
  const replicas = (await rt.send(new ListParticipantReplicasCommand({ sourceStageArn: sourceArn, participantId: pid }))).replicas!
  t.equal(replicas.length, 1)
  const destSession = (await rt.send(new GetStageCommand({ arn: destArn }))).stage!.activeSessionId!
  t.match(replicas[0], { sourceStageArn: sourceArn, participantId: pid, sourceSessionId: p.sessionId, destinationStageArn: destArn, destinationSessionId: destSession, replicationState: 'ACTIVE' })
  const copy = (await rt.send(new GetParticipantCommand({ stageArn: destArn, sessionId: destSession, participantId: pid }))).participant!
  t.match(copy, { replicationType: 'REPLICA', replicationState: 'ACTIVE', sourceStageArn: sourceArn, sourceSessionId: p.sessionId, userId: 'star' })
  t.match((await rt.send(new GetParticipantCommand({ stageArn: sourceArn, sessionId: p.sessionId, participantId: pid }))).participant!,
    { replicationType: 'SOURCE', replicationState: 'ACTIVE' })

  await rt.send(new StopParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: destArn, participantId: pid }))
  t.match(await failureOf(rt.send(new StopParticipantReplicationCommand({ sourceStageArn: sourceArn, destinationStageArn: destArn, participantId: pid }))),
    { name: 'ResourceNotFoundException' })
  t.equal((await rt.send(new ListParticipantReplicasCommand({ sourceStageArn: sourceArn, participantId: pid }))).replicas![0].replicationState, 'STOPPED')
  const names = (await rt.send(new ListParticipantEventsCommand({ stageArn: sourceArn, sessionId: p.sessionId, participantId: pid }))).events!.map((e) => e.name)
  t.same(names.slice(0, 2), ['REPLICATION_STOPPED', 'REPLICATION_STARTED'])
  t.equal((await rt.send(new GetStageCommand({ arn: destArn }))).stage!.activeSessionId, undefined, 'the replica left the destination')
})

t.test('tags on real-time resources through the shared /tags path, told apart from ivs by the ARN', async (t) => {
  const { stage } = await rt.send(new CreateStageCommand({ tags: { a: '1' } }))
  const arn = stage!.arn!
  await rt.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2' } }))
  t.same((await rt.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { a: '1', b: '2' })
  await rt.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'absent'] }))
  t.same((await rt.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { b: '2' })
  t.same((await rt.send(new ListStagesCommand({}))).stages![0].tags, { b: '2' })
  const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))
  t.match(await failureOf(rt.send(new TagResourceCommand({ resourceArn: arn, tags: tooMany }))), { name: 'ValidationException' })
  t.match(await failureOf(rt.send(new ListTagsForResourceCommand({ resourceArn: arn.replace(/[^/]+$/, 'zzzzzzzzzzzz') }))), { name: 'ResourceNotFoundException' })
  const ec = (await rt.send(new CreateEncoderConfigurationCommand({}))).encoderConfiguration!
  await rt.send(new TagResourceCommand({ resourceArn: ec.arn!, tags: { x: 'y' } }))
  t.same((await rt.send(new GetEncoderConfigurationCommand({ arn: ec.arn! }))).encoderConfiguration!.tags, { x: 'y' })
  // An ivs channel's tags still go to ivs on the same path.
  const { channel } = await ivs.send(new CreateChannelCommand({ tags: { ch: '1' } }))
  t.same((await rt.send(new ListTagsForResourceCommand({ resourceArn: channel!.arn! }))).tags, { ch: '1' })
})

t.test('DeleteStage disconnects participants, stops compositions, clears ingest configurations', async (t) => {
  const { stage, participantTokens } = await rt.send(new CreateStageCommand({ participantTokenConfigurations: [{}] }))
  const stageArn = stage!.arn!
  const p = await join(server, { token: participantTokens![0].token })
  const { channel } = await ivs.send(new CreateChannelCommand({}))
  const composition = (await rt.send(new StartCompositionCommand({ stageArn, destinations: [{ channel: { channelArn: channel!.arn! } }] }))).composition!
  const ic = (await rt.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMPS', stageArn }))).ingestConfiguration!
  await rt.send(new DeleteStageCommand({ arn: stageArn }))
  t.equal((await rt.send(new GetCompositionCommand({ arn: composition.arn! }))).composition!.state, 'STOPPED')
  t.equal((await rt.send(new GetIngestConfigurationCommand({ arn: ic.arn! }))).ingestConfiguration!.stageArn, '')
  const left = (await events(server)).filter((e) => e['detail-type'] === 'IVS Stage Update' && e.detail.participant_id === p.participantId)
  t.same(left.map((e) => e.detail.event_name), ['Participant Joined', 'Participant Published', 'Participant Unpublished', 'Participant Left'])
})

t.test('the state of each account and region is its own', async (t) => {
  const east = realtimeClientFor(server, 'us-east-1')
  const { stage } = await rt.send(new CreateStageCommand({}))
  t.match(await failureOf(east.send(new GetStageCommand({ arn: stage!.arn! }))), { name: 'ResourceNotFoundException' })
  t.same((await east.send(new ListStagesCommand({}))).stages, [])
})

t.test('--state keeps stages, sessions, participants and the token key across restarts', async (t) => {
  const state = path.join(t.testdir(), 'state.sqlite')
  const first = await start({ config: { state } })
  const a = realtimeClientFor(first)
  const { stage, participantTokens } = await a.send(new CreateStageCommand({ name: 'durable', participantTokenConfigurations: [{ userId: 'u' }, {}] }))
  const p = await join(first, { token: participantTokens![0].token })
  await first.close()

  const second = await start({ config: { state } })
  t.teardown(() => second.close())
  const b = realtimeClientFor(second)
  t.same((await b.send(new GetStageCommand({ arn: stage!.arn! }))).stage, { ...stage, activeSessionId: p.sessionId })
  const listed = await b.send(new ListParticipantsCommand({ stageArn: stage!.arn!, sessionId: p.sessionId }))
  t.same(listed.participants!.map((x) => [x.participantId, x.state]), [[p.participantId, 'CONNECTED']])
  const other = await join(second, { token: participantTokens![1].token })
  t.equal(other.sessionId, p.sessionId, 'a token issued before the restart still verifies')
})

// Async: the server answers from this same process, so a synchronous child would deadlock it.
const run = async (file: string, args: string[], env?: NodeJS.ProcessEnv) => (await promisify(execFile)(file, args, { encoding: 'utf8', env })).stdout
const boto3Missing = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status !== 0
const cliMissing = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status !== 0

t.test('boto3 drives the same stages', { skip: boto3Missing && 'boto3 is not installed (python3 -c "import boto3" failed)' }, async (t) => {
  const script = `
import boto3, json, sys
c = boto3.client('ivs-realtime', endpoint_url=sys.argv[1], region_name='us-west-2', aws_access_key_id='test', aws_secret_access_key='test')
s = c.create_stage(name='py', participantTokenConfigurations=[{'userId': 'u'}])
print(json.dumps({'arn': s['stage']['arn'], 'names': [x['name'] for x in c.list_stages()['stages']], 'token': s['participantTokens'][0]['token'][:3]}))
`
  const out = JSON.parse(await run('python3', ['-c', script, server.endpoint])) as { arn: string; names: string[]; token: string }
  t.match(out.arn, /:stage\//)
  t.same(out.names, ['py'])
  t.equal(out.token, 'eyJ', 'a JWT')
})

t.test('the AWS CLI reads AWS_ENDPOINT_URL_IVS_REALTIME', { skip: cliMissing && 'the AWS CLI is not installed (aws --version failed)' }, async (t) => {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL_IVS_REALTIME: server.endpoint, AWS_PAGER: '' }
  const created = JSON.parse(await run('aws', ['ivs-realtime', 'create-encoder-configuration', '--name', 'cli'], env)) as { encoderConfiguration: { arn: string } }
  const listed = JSON.parse(await run('aws', ['ivs-realtime', 'list-encoder-configurations'], env)) as { encoderConfigurations: { arn: string }[] }
  t.same(listed.encoderConfigurations.map((e) => e.arn), [created.encoderConfiguration.arn])
})
