// IVS Chat (ivschat) end to end: a real server (SigV4 on), the real @aws-sdk/client-ivschat for all
// 17 operations, @aws-sdk/client-ivs for the shared /tags path, plain fetch for the /_mock/ control
// routes; boto3 and the AWS CLI for a smoke flow where installed.
import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { CreateChannelCommand, ListTagsForResourceCommand as IvsListTagsForResourceCommand } from '@aws-sdk/client-ivs'
import {
  CreateChatTokenCommand, CreateLoggingConfigurationCommand, CreateRoomCommand, DeleteLoggingConfigurationCommand,
  DeleteMessageCommand, DeleteRoomCommand, DisconnectUserCommand, GetLoggingConfigurationCommand, GetRoomCommand,
  IvschatClient, ListLoggingConfigurationsCommand, ListRoomsCommand, ListTagsForResourceCommand, SendEventCommand,
  TagResourceCommand, UntagResourceCommand, UpdateLoggingConfigurationCommand, UpdateRoomCommand,
} from '@aws-sdk/client-ivschat'
import { start, type RunningServer } from '../src/index.js'
import { Simulator } from '../src/simulator/simulator.js'
import { clientFor } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

const REGION = 'us-west-2'
const ROOM_ARN = /^arn:aws:ivschat:us-west-2:\d{12}:room\/([a-zA-Z0-9]{12})$/
const LOGGING_ARN = /^arn:aws:ivschat:us-west-2:\d{12}:logging-configuration\/([a-zA-Z0-9]{12})$/

function chatClientFor(server: RunningServer, o: { region?: string; secretAccessKey?: string } = {}): IvschatClient {
  return new IvschatClient({
    endpoint: server.endpoint,
    region: o.region ?? REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: o.secretAccessKey ?? 'test' },
    maxAttempts: 1,
  })
}

/** What the SDK made of a chat error: its name, status and the modeled members chat errors carry. */
interface ChatFailure {
  name: string
  message: string
  status: number | undefined
  reason?: string
  fieldList?: { name: string; message: string }[]
  resourceId?: string
  resourceType?: string
  limit?: number
}

async function chatFailure(promise: Promise<unknown>): Promise<ChatFailure> {
  try {
    await promise
  } catch (err) {
    const e = err as ChatFailure & { $metadata?: { httpStatusCode?: number } }
    return {
      name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, reason: e.reason, fieldList: e.fieldList,
      resourceId: e.resourceId, resourceType: e.resourceType, limit: e.limit,
    }
  }
  throw new Error('expected the call to fail, but it succeeded')
}

interface ControlAnswer {
  readonly status: number
  readonly json: Record<string, unknown>
}

async function control(server: RunningServer, route: string, body?: unknown): Promise<ControlAnswer> {
  const res = await fetch(`${server.endpoint}/_mock/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

async function roomEvents(server: RunningServer, roomArn: string): Promise<Record<string, unknown>[]> {
  const { status, json } = await control(server, `chat/events?roomArn=${encodeURIComponent(roomArn)}`)
  if (status !== 200) throw new Error(`chat/events failed: ${status} ${JSON.stringify(json)}`)
  return json.events as Record<string, unknown>[]
}

const server = await start({ config: { regions: [REGION, 'us-east-1'] } })
t.teardown(() => server.close())
const chat = chatClientFor(server)

t.beforeEach(async () => {
  await control(server, 'reset', {})
})

t.test('rooms: create with defaults, get, update, delete, not found', async (t) => {
  const room = await chat.send(new CreateRoomCommand({ name: 'lobby' }))
  const [, id] = ROOM_ARN.exec(room.arn!) ?? []
  t.ok(id, `a room ARN: ${room.arn}`)
  t.equal(room.id, id, 'the id is the ARN\'s last part')
  t.equal(room.name, 'lobby')
  t.equal(room.maximumMessageLength, 500, 'default maximumMessageLength')
  t.equal(room.maximumMessageRatePerSecond, 10, 'default maximumMessageRatePerSecond')
  t.same(room.tags, {})
  t.same(room.loggingConfigurationIdentifiers, [])
  t.equal(room.messageReviewHandler, undefined, 'no handler unless given')
  t.ok(room.createTime instanceof Date && room.updateTime instanceof Date)
  t.same(room.createTime, room.updateTime)

  const got = await chat.send(new GetRoomCommand({ identifier: room.arn! }))
  const { $metadata: _a, ...createdBody } = room
  const { $metadata: _b, ...gotBody } = got
  t.same(gotBody, createdBody, 'GetRoom answers what CreateRoom did')

  const lambda = 'arn:aws:lambda:us-west-2:123456789012:function:review'
  const updated = await chat.send(new UpdateRoomCommand({
    identifier: room.arn!, name: 'renamed', maximumMessageLength: 100, maximumMessageRatePerSecond: 100,
    messageReviewHandler: { uri: lambda },
  }))
  t.match(updated, { name: 'renamed', maximumMessageLength: 100, maximumMessageRatePerSecond: 100 })
  t.same(updated.messageReviewHandler, { uri: lambda, fallbackResult: 'ALLOW' }, 'fallbackResult defaults to ALLOW')
  const deny = await chat.send(new UpdateRoomCommand({ identifier: room.arn!, messageReviewHandler: { uri: lambda, fallbackResult: 'DENY' } }))
  t.equal(deny.messageReviewHandler!.fallbackResult, 'DENY')
  t.equal(deny.name, 'renamed', 'members not given are kept')
  const cleared = await chat.send(new UpdateRoomCommand({ identifier: room.arn!, messageReviewHandler: { uri: '' } }))
  t.equal(cleared.messageReviewHandler, undefined, 'an empty uri disassociates the handler')

  await chat.send(new DeleteRoomCommand({ identifier: room.arn! }))
  const gone = await chatFailure(chat.send(new GetRoomCommand({ identifier: room.arn! })))
  t.match(gone, { name: 'ResourceNotFoundException', status: 404, resourceId: id, resourceType: 'ROOM' })
  t.match(await chatFailure(chat.send(new DeleteRoomCommand({ identifier: room.arn! }))), { name: 'ResourceNotFoundException' })
  t.match(await chatFailure(chat.send(new UpdateRoomCommand({ identifier: room.arn!, name: 'x' }))), { name: 'ResourceNotFoundException' })
})

t.test('ListRooms: most recently updated first, filters, pages, a bad token', async (t) => {
  const lambda = 'arn:aws:lambda:us-west-2:123456789012:function:review'
  const { arn: logging } = await chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: 'logs' } } }))
  const arns: string[] = []
  for (let i = 0; i < 5; i++) {
    const room = await chat.send(new CreateRoomCommand({
      name: i % 2 === 0 ? 'even' : 'odd',
      ...(i === 1 && { messageReviewHandler: { uri: lambda } }),
      ...(i === 3 && { loggingConfigurationIdentifiers: [logging!] }),
    }))
    arns.push(room.arn!)
  }
  await chat.send(new UpdateRoomCommand({ identifier: arns[0], maximumMessageLength: 42 }))
  const all = await chat.send(new ListRoomsCommand({}))
  t.same(all.rooms!.map((r) => r.arn), [arns[0], arns[4], arns[3], arns[2], arns[1]], 'descending order of updateTime')
  t.equal(all.nextToken, undefined)
  t.equal((all.rooms![0] as Record<string, unknown>).maximumMessageLength, undefined, 'summaries carry no limits')

  const seen: string[] = []
  let nextToken: string | undefined
  let pages = 0
  do {
    const page = await chat.send(new ListRoomsCommand({ maxResults: 2, nextToken }))
    t.ok(page.rooms!.length <= 2)
    seen.push(...page.rooms!.map((r) => r.arn!))
    nextToken = page.nextToken
    pages++
  } while (nextToken)
  t.equal(pages, 3)
  t.same(seen, all.rooms!.map((r) => r.arn), 'pages give every room once, in order')

  t.same((await chat.send(new ListRoomsCommand({ name: 'odd' }))).rooms!.map((r) => r.arn), [arns[3], arns[1]])
  t.same((await chat.send(new ListRoomsCommand({ messageReviewHandlerUri: lambda }))).rooms!.map((r) => r.arn), [arns[1]])
  t.same((await chat.send(new ListRoomsCommand({ loggingConfigurationIdentifier: logging }))).rooms!.map((r) => r.arn), [arns[3]])
  const missing = logging!.replace(/[^/]+$/, 'AAAAAAAAAAAA')
  t.match(await chatFailure(chat.send(new ListRoomsCommand({ loggingConfigurationIdentifier: missing }))),
    { name: 'ResourceNotFoundException', resourceId: 'AAAAAAAAAAAA' })

  const first = await chat.send(new ListRoomsCommand({ maxResults: 1 }))
  t.match(await chatFailure(chat.send(new ListRoomsCommand({ maxResults: 1, name: 'odd', nextToken: first.nextToken }))),
    { name: 'ValidationException', status: 400, reason: 'OTHER' }, 'a token is tied to the filters it was issued for')
  t.match(await chatFailure(chat.send(new ListRoomsCommand({ nextToken: 'garbage' }))), { name: 'ValidationException', reason: 'OTHER' })
})

t.test('validation from the model: reason FIELD_VALIDATION_FAILED and the fields in fieldList', async (t) => {
  const tooLong = await chatFailure(chat.send(new CreateRoomCommand({ maximumMessageLength: 501, maximumMessageRatePerSecond: 0 })))
  t.match(tooLong, { name: 'ValidationException', status: 400, reason: 'FIELD_VALIDATION_FAILED' })
  t.same(tooLong.fieldList!.map((f) => f.name).sort(), ['maximumMessageLength', 'maximumMessageRatePerSecond'])
  t.match(tooLong.message, /^2 validation errors detected: /)
  const badName = await chatFailure(chat.send(new CreateRoomCommand({ name: 'no spaces!' })))
  t.match(badName.fieldList, [{ name: 'name', message: /regular expression pattern/ }])
  t.match(await chatFailure(chat.send(new CreateRoomCommand({ messageReviewHandler: { uri: 'arn:aws:sqs:us-west-2:123456789012:q' } }))),
    { name: 'ValidationException', fieldList: [{ name: 'messageReviewHandler.uri' }] })
  t.match(await chatFailure(chat.send(new GetRoomCommand({ identifier: 'g1H2I3j4k5L6' }))),
    { name: 'ValidationException', fieldList: [{ name: 'identifier' }] }, 'identifiers must be ARNs')
  t.match(await chatFailure(chat.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: Array(4).fill('arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AAAAAAAAAAAA') }))),
    { name: 'ValidationException', fieldList: [{ name: 'loggingConfigurationIdentifiers' }] }, 'at most 3 logging configurations')
  t.match(await chatFailure(chat.send(new CreateLoggingConfigurationCommand({
    destinationConfiguration: { s3: { bucketName: 'logs' }, firehose: { deliveryStreamName: 'f' } } as never,
  }))), { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED' }, 'a destination is exactly one of three')
  t.match(await chatFailure(chat.send(new CreateRoomCommand({ tags: { 'aws:reserved': 'x' } }))),
    { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'tags' }] })
  t.match(await chatFailure(chat.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: ['arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AAAAAAAAAAAA'] }))),
    { name: 'ResourceNotFoundException', status: 404, resourceId: 'AAAAAAAAAAAA' }, 'logging configurations must exist')
  t.same((await chat.send(new ListRoomsCommand({}))).rooms, [], 'nothing refused was created')
})

t.test('logging configurations: three destinations, ACTIVE, update, list, in use by a room, quota', async (t) => {
  const s3 = await chat.send(new CreateLoggingConfigurationCommand({ name: 'to-s3', destinationConfiguration: { s3: { bucketName: 'chat-logs' } }, tags: { k: 'v' } }))
  const [, id] = LOGGING_ARN.exec(s3.arn!) ?? []
  t.ok(id, `a logging configuration ARN: ${s3.arn}`)
  t.match(s3, { id, name: 'to-s3', state: 'ACTIVE', destinationConfiguration: { s3: { bucketName: 'chat-logs' } }, tags: { k: 'v' } })
  t.ok(s3.createTime instanceof Date)
  const cwl = await chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } } }))
  const firehose = await chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { firehose: { deliveryStreamName: 'chat-stream' } } }))
  t.equal(cwl.name, '')
  t.same(firehose.destinationConfiguration, { firehose: { deliveryStreamName: 'chat-stream' } })

  const got = await chat.send(new GetLoggingConfigurationCommand({ identifier: s3.arn! }))
  t.match(got, { arn: s3.arn, state: 'ACTIVE', name: 'to-s3', tags: { k: 'v' } })
  const updated = await chat.send(new UpdateLoggingConfigurationCommand({ identifier: s3.arn!, name: 'moved', destinationConfiguration: { cloudWatchLogs: { logGroupName: 'g' } } }))
  t.match(updated, { name: 'moved', state: 'ACTIVE', tags: { k: 'v' } })
  t.same(updated.destinationConfiguration, { cloudWatchLogs: { logGroupName: 'g' } }, 'the new destination replaces the old')

  const first = await chat.send(new ListLoggingConfigurationsCommand({ maxResults: 2 }))
  t.same(first.loggingConfigurations!.map((c) => c.arn), [s3.arn, cwl.arn])
  const second = await chat.send(new ListLoggingConfigurationsCommand({ maxResults: 2, nextToken: first.nextToken }))
  t.same(second.loggingConfigurations!.map((c) => c.arn), [firehose.arn])
  t.equal(second.nextToken, undefined)

  const room = await chat.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [s3.arn!, cwl.arn!] }))
  t.same(room.loggingConfigurationIdentifiers, [s3.arn, cwl.arn])
  const inUse = await chatFailure(chat.send(new DeleteLoggingConfigurationCommand({ identifier: s3.arn! })))
  t.match(inUse, { name: 'ConflictException', status: 409, resourceType: 'ROOM', resourceId: room.id }, 'refused while a room logs to it')
  await chat.send(new UpdateRoomCommand({ identifier: room.arn!, loggingConfigurationIdentifiers: [cwl.arn!] }))
  await chat.send(new DeleteLoggingConfigurationCommand({ identifier: s3.arn! }))
  t.match(await chatFailure(chat.send(new GetLoggingConfigurationCommand({ identifier: s3.arn! }))),
    { name: 'ResourceNotFoundException', status: 404, resourceId: id })
  t.match(await chatFailure(chat.send(new UpdateLoggingConfigurationCommand({ identifier: s3.arn!, name: 'x' }))), { name: 'ResourceNotFoundException' })

  for (let i = 0; i < 8; i++) await chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: `bucket-${i}` } } }))
  const quota = await chatFailure(chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: 'one-too-many' } } })))
  t.match(quota, { name: 'ServiceQuotaExceededException', status: 402, limit: 10 })
})

t.test('CreateChatToken: an opaque token, one minute to connect, the session its duration', async (t) => {
  const room = await chat.send(new CreateRoomCommand({}))
  const before = Date.now()
  const out = await chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'viewer-1' }))
  t.match(out.token, /^[A-Za-z0-9+/]{300,}={0,2}$/, 'an opaque base64 token')
  t.not(out.token, (await chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'viewer-1' }))).token, 'a new token every time')
  const token = out.tokenExpirationTime!.getTime()
  const session = out.sessionExpirationTime!.getTime()
  // Second-precision timestamps: compare at that precision.
  t.ok(token >= Math.floor(before / 1000) * 1000 + 60_000 && token <= Date.now() + 60_000, 'the token expires a minute after issue')
  t.equal(session - token, 59 * 60_000, 'the session lasts 60 minutes by default')

  const mod = await chat.send(new CreateChatTokenCommand({
    roomIdentifier: room.arn!, userId: 'mod', capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
    sessionDurationInMinutes: 180, attributes: { displayName: 'Mod' },
  }))
  t.equal(mod.sessionExpirationTime!.getTime() - mod.tokenExpirationTime!.getTime(), 179 * 60_000)

  const tokens = (await roomEvents(server, room.arn!)).filter((e) => e.type === 'CreateChatToken')
  t.equal(tokens.length, 3)
  t.match(tokens[0], { userId: 'viewer-1', capabilities: [], sessionDurationInMinutes: 60, attributes: {} })
  t.match(tokens[2], { userId: 'mod', capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'], sessionDurationInMinutes: 180, attributes: { displayName: 'Mod' } })
  t.notOk(JSON.stringify(tokens).includes(mod.token!), 'the control route never shows a token')

  t.match(await chatFailure(chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'u', sessionDurationInMinutes: 181 }))),
    { name: 'ValidationException', fieldList: [{ name: 'sessionDurationInMinutes' }] })
  const blank = await chatFailure(chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: '' })))
  t.match(blank, { name: 'ValidationException', fieldList: [{ name: 'userId', message: /Sensitive Data Redacted/ }] }, 'userId is sensitive (M): never echoed')
  t.match(await chatFailure(chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'x'.repeat(129) }))), { name: 'ValidationException' })
  t.match(await chatFailure(chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'u', attributes: { big: 'é'.repeat(511) } }))),
    { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'attributes' }] }, 'attributes at most 1 KB (UTF-8 bytes)')
  await chat.send(new CreateChatTokenCommand({ roomIdentifier: room.arn!, userId: 'u', attributes: { a: 'x'.repeat(1023) } }))
  t.pass('exactly 1 KB is accepted')
  const other = room.arn!.replace(/[^/]+$/, 'ZZZZZZZZZZZZ')
  t.match(await chatFailure(chat.send(new CreateChatTokenCommand({ roomIdentifier: other, userId: 'u' }))),
    { name: 'ResourceNotFoundException', resourceId: 'ZZZZZZZZZZZZ', resourceType: 'ROOM' })
})

t.test('SendEvent, DeleteMessage, DisconnectUser: answered as IVS does, visible on /_mock/chat/events', async (t) => {
  const room = await chat.send(new CreateRoomCommand({}))
  const sent = await chat.send(new SendEventCommand({ roomIdentifier: room.arn!, eventName: 'SystemMessage', attributes: { msgType: 'notice' } }))
  t.match(sent.id, /^[a-zA-Z0-9]{12}$/)
  const deleted = await chat.send(new DeleteMessageCommand({ roomIdentifier: room.arn!, id: 'ABC123def456', reason: 'profanity' }))
  t.match(deleted.id, /^[a-zA-Z0-9]{12}$/)
  t.not(deleted.id, 'ABC123def456', 'the answer is the operation\'s id')
  const disconnected = await chat.send(new DisconnectUserCommand({ roomIdentifier: room.arn!, userId: 'troll', reason: 'terms' }))
  t.same(Object.keys(disconnected).filter((k) => k !== '$metadata'), [])

  const events = await roomEvents(server, room.arn!)
  t.match(events, [
    { type: 'SendEvent', id: sent.id, eventName: 'SystemMessage', attributes: { msgType: 'notice' } },
    { type: 'DeleteMessage', id: deleted.id, messageId: 'ABC123def456', reason: 'profanity' },
    { type: 'DisconnectUser', userId: 'troll', reason: 'terms' },
  ])
  t.equal(events.length, 3)
  t.match(events[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

  t.match(await chatFailure(chat.send(new DeleteMessageCommand({ roomIdentifier: room.arn!, id: 'short' }))),
    { name: 'ValidationException', fieldList: [{ name: 'id' }] }, 'message ids are 12 characters')
  t.match(await chatFailure(chat.send(new SendEventCommand({ roomIdentifier: room.arn!, eventName: '' }))), { name: 'ValidationException' })
  t.match(await chatFailure(chat.send(new SendEventCommand({ roomIdentifier: room.arn!, eventName: 'e', attributes: { a: 'x'.repeat(1024) } }))),
    { name: 'ValidationException', fieldList: [{ name: 'attributes' }] })
  const missing = room.arn!.replace(/[^/]+$/, 'ZZZZZZZZZZZZ')
  for (const call of [
    chat.send(new SendEventCommand({ roomIdentifier: missing, eventName: 'e' })),
    chat.send(new DeleteMessageCommand({ roomIdentifier: missing, id: 'ABC123def456' })),
    chat.send(new DisconnectUserCommand({ roomIdentifier: missing, userId: 'u' })),
  ]) t.match(await chatFailure(call), { name: 'ResourceNotFoundException', resourceType: 'ROOM' })
  t.equal((await roomEvents(server, room.arn!)).length, 3, 'refused calls leave no trace')

  t.equal((await control(server, 'chat/events')).status, 400, 'roomArn is required')
  t.equal((await control(server, `chat/events?roomArn=${encodeURIComponent(missing)}`)).status, 404)
  t.equal((await control(server, `chat/events?roomArn=${encodeURIComponent(room.arn!)}&x=1`)).status, 400)
  await chat.send(new DeleteRoomCommand({ identifier: room.arn! }))
  t.equal((await control(server, `chat/events?roomArn=${encodeURIComponent(room.arn!)}`)).status, 404, 'a deleted room\'s history goes with it')
})

t.test('tags on chat resources through the shared /tags path, told apart from ivs by the ARN', async (t) => {
  const room = await chat.send(new CreateRoomCommand({ tags: { a: '1' } }))
  await chat.send(new TagResourceCommand({ resourceArn: room.arn!, tags: { b: '2' } }))
  t.same((await chat.send(new ListTagsForResourceCommand({ resourceArn: room.arn! }))).tags, { a: '1', b: '2' })
  await chat.send(new UntagResourceCommand({ resourceArn: room.arn!, tagKeys: ['a', 'absent'] }))
  t.same((await chat.send(new ListTagsForResourceCommand({ resourceArn: room.arn! }))).tags, { b: '2' })
  t.same((await chat.send(new GetRoomCommand({ identifier: room.arn! }))).tags, { b: '2' })
  t.same((await chat.send(new ListRoomsCommand({}))).rooms![0].tags, { b: '2' })

  const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))
  t.match(await chatFailure(chat.send(new TagResourceCommand({ resourceArn: room.arn!, tags: tooMany }))),
    { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED' }, 'at most 50 tags after the merge')
  t.match(await chatFailure(chat.send(new TagResourceCommand({ resourceArn: room.arn!, tags: { 'AWS:x': '1' } }))), { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED' })
  t.match(await chatFailure(chat.send(new ListTagsForResourceCommand({ resourceArn: room.arn!.replace(/[^/]+$/, 'zzzzzzzzzzzz') }))),
    { name: 'ResourceNotFoundException', status: 404, resourceId: 'zzzzzzzzzzzz' })

  const logging = await chat.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: 'b-1' } } }))
  await chat.send(new TagResourceCommand({ resourceArn: logging.arn!, tags: { x: 'y' } }))
  t.same((await chat.send(new GetLoggingConfigurationCommand({ identifier: logging.arn! }))).tags, { x: 'y' })

  // The same path on the same port: the signing name sends each client to its own service, which
  // refuses the other's ARNs as its real endpoint would (its ResourceArn pattern names its service).
  const ivs = clientFor(server)
  const { channel } = await ivs.send(new CreateChannelCommand({ tags: { ch: '1' } }))
  t.same((await ivs.send(new IvsListTagsForResourceCommand({ resourceArn: channel!.arn! }))).tags, { ch: '1' })
  t.match(await chatFailure(chat.send(new ListTagsForResourceCommand({ resourceArn: channel!.arn! }))),
    { name: 'ValidationException', reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'resourceArn' }] })
  t.match(await chatFailure(ivs.send(new IvsListTagsForResourceCommand({ resourceArn: room.arn! }))), { name: 'ValidationException', status: 400 })
  t.same((await chat.send(new ListTagsForResourceCommand({ resourceArn: room.arn! }))).tags, { b: '2' }, 'the room kept its tags')
})

t.test('requests signed for ivschat are verified with that signing name', async (t) => {
  const wrong = chatClientFor(server, { secretAccessKey: 'wrong' })
  const refused = await chatFailure(wrong.send(new ListRoomsCommand({})))
  t.match(refused, { name: 'InvalidSignatureException', status: 403 })
  // A raw unsigned request to a chat path is refused too, not answered.
  const unsigned = await fetch(`${server.endpoint}/ListRooms`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
  t.equal(unsigned.status, 403)
  t.ok(unsigned.headers.get('x-amzn-errortype'), 'an AWS-shaped refusal')
})

t.test('on the wire: chat errors carry message and their modeled members, never exceptionMessage', async (t) => {
  const missing = 'arn:aws:ivschat:us-west-2:123456789012:room/ZZZZZZZZZZZZ'
  const notFound = await signedRequest(server.endpoint, { service: 'ivschat', path: '/GetRoom', body: JSON.stringify({ identifier: missing }) })
  t.equal(notFound.status, 404)
  t.equal(notFound.headers.get('x-amzn-errortype'), 'ResourceNotFoundException')
  t.same(notFound.json, { resourceId: 'ZZZZZZZZZZZZ', resourceType: 'ROOM', message: `Room not found: ${missing}` })
  const invalid = await signedRequest(server.endpoint, { service: 'ivschat', path: '/CreateRoom', body: JSON.stringify({ maximumMessageLength: 0 }) })
  t.equal(invalid.status, 400)
  t.equal(invalid.headers.get('x-amzn-errortype'), 'ValidationException')
  t.same(Object.keys(invalid.json).sort(), ['fieldList', 'message', 'reason'])
  t.same(invalid.json.fieldList, [{ name: 'maximumMessageLength', message: "Value '0' at 'maximumMessageLength' failed to satisfy constraint: Member must have value greater than or equal to 1" }])
  const deleted = await signedRequest(server.endpoint, { service: 'ivschat', path: '/DeleteRoom', body: JSON.stringify({ identifier: (await chat.send(new CreateRoomCommand({}))).arn }) })
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '', 'DeleteRoom answers 204 with no body')
  const malformed = await signedRequest(server.endpoint, { service: 'ivschat', path: '/CreateRoom', body: '{"name":' })
  t.equal(malformed.status, 400, 'malformed JSON is refused, not a crash')
  t.ok(malformed.headers.get('x-amzn-errortype'))
  const unknown = await signedRequest(server.endpoint, { service: 'ivschat', path: '/CreateChannel' })
  t.equal(unknown.status, 404, 'an ivs path signed for chat is not a chat operation')
  t.ok(unknown.headers.get('x-amzn-errortype'))
})

t.test('the state of each account and region is its own', async (t) => {
  const east = chatClientFor(server, { region: 'us-east-1' })
  const room = await chat.send(new CreateRoomCommand({}))
  t.match(await chatFailure(east.send(new GetRoomCommand({ identifier: room.arn! }))), { name: 'ResourceNotFoundException' })
  t.same((await east.send(new ListRoomsCommand({}))).rooms, [])
  t.match((await east.send(new CreateRoomCommand({}))).arn, /^arn:aws:ivschat:us-east-1:/)
})

t.test('the SDK finds the server through AWS_ENDPOINT_URL_IVSCHAT', async (t) => {
  const saved = process.env.AWS_ENDPOINT_URL_IVSCHAT
  process.env.AWS_ENDPOINT_URL_IVSCHAT = server.endpoint
  t.teardown(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IVSCHAT
    else process.env.AWS_ENDPOINT_URL_IVSCHAT = saved
  })
  const fromEnv = new IvschatClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const room = await fromEnv.send(new CreateRoomCommand({ name: 'env' }))
  t.equal((await chat.send(new GetRoomCommand({ identifier: room.arn! }))).name, 'env')
})

t.test('--state keeps rooms, logging configurations and room history across restarts', async (t) => {
  const state = path.join(t.testdir(), 'state.sqlite')
  const first = await start({ config: { state } })
  const a = chatClientFor(first)
  const logging = await a.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { firehose: { deliveryStreamName: 'f' } } }))
  const room = await a.send(new CreateRoomCommand({ name: 'durable', tags: { t: '1' }, loggingConfigurationIdentifiers: [logging.arn!] }))
  await a.send(new SendEventCommand({ roomIdentifier: room.arn!, eventName: 'kept' }))
  await first.close()

  const second = await start({ config: { state } })
  t.teardown(() => second.close())
  const b = chatClientFor(second)
  const { $metadata: _a, ...before } = room
  const { $metadata: _b, ...after } = await b.send(new GetRoomCommand({ identifier: room.arn! }))
  t.same(after, before)
  t.same((await b.send(new ListLoggingConfigurationsCommand({}))).loggingConfigurations!.map((c) => c.arn), [logging.arn])
  t.match(await roomEvents(second, room.arn!), [{ type: 'SendEvent', eventName: 'kept' }])
  t.match(await chatFailure(b.send(new DeleteLoggingConfigurationCommand({ identifier: logging.arn! }))), { name: 'ConflictException' }, 'the room still logs to it')
})

t.test('a state written before chat was simulated still restores', async (t) => {
  const older = new Simulator({ seed: 1 })
  older.state('123456789012', REGION).channels.put({
    arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD1234', tags: {}, seq: 1,
  } as never)
  const snapshot = older.snapshot()
  const withoutChat = { ...snapshot, states: snapshot.states.map(({ chat: _chat, ...rest }) => rest) }
  t.notOk(JSON.stringify(withoutChat).includes('"chat"'), 'the snapshot has no chat member, as files before chat')
  const restored = new Simulator()
  restored.restore(JSON.parse(JSON.stringify(withoutChat)))
  const region = restored.find('123456789012', REGION)!
  t.equal(region.channels.size, 1, 'ivs state restored')
  t.equal(region.chat.rooms.size, 0, 'chat starts empty')
  t.equal(restored.snapshot().states[0].chat!.tables.room.length, 0, 'and is saved from then on')
})

// Async: the server answers from this same process, so a synchronous child would deadlock it.
const run = async (file: string, args: string[], env?: NodeJS.ProcessEnv) => (await promisify(execFile)(file, args, { encoding: 'utf8', env })).stdout
const boto3Missing = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status !== 0
const cliMissing = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status !== 0

t.test('boto3 drives the same rooms', { skip: boto3Missing && 'boto3 is not installed (python3 -c "import boto3" failed)' }, async (t) => {
  const script = `
import boto3, json, sys
c = boto3.client('ivschat', endpoint_url=sys.argv[1], region_name='us-west-2', aws_access_key_id='test', aws_secret_access_key='test')
r = c.create_room(name='py')
tok = c.create_chat_token(roomIdentifier=r['arn'], userId='u', capabilities=['SEND_MESSAGE'])
try:
    c.get_room(identifier=r['arn'][:-12] + 'ZZZZZZZZZZZZ')
    err = None
except c.exceptions.ResourceNotFoundException as e:
    err = [e.response['Error']['Code'], e.response.get('resourceType')]
print(json.dumps({'arn': r['arn'], 'names': [x['name'] for x in c.list_rooms()['rooms']], 'token': len(tok['token']), 'err': err}))
`
  const out = JSON.parse(await run('python3', ['-c', script, server.endpoint])) as { arn: string; names: string[]; token: number; err: unknown[] }
  t.match(out.arn, ROOM_ARN)
  t.same(out.names, ['py'])
  t.ok(out.token > 300)
  t.same(out.err, ['ResourceNotFoundException', 'ROOM'], 'botocore reads the modeled members')
})

t.test('the AWS CLI reads AWS_ENDPOINT_URL_IVSCHAT', { skip: cliMissing && 'the AWS CLI is not installed (aws --version failed)' }, async (t) => {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL_IVSCHAT: server.endpoint, AWS_PAGER: '' }
  const created = JSON.parse(await run('aws', ['ivschat', 'create-logging-configuration', '--name', 'cli', '--destination-configuration', 's3={bucketName=demo-logging-bucket}'], env)) as { arn: string; state: string }
  t.equal(created.state, 'ACTIVE')
  const room = JSON.parse(await run('aws', ['ivschat', 'create-room', '--name', 'cli-room', '--logging-configuration-identifiers', created.arn], env)) as { arn: string }
  const listed = JSON.parse(await run('aws', ['ivschat', 'list-rooms', '--logging-configuration-identifier', created.arn], env)) as { rooms: { arn: string }[] }
  t.same(listed.rooms.map((r) => r.arn), [room.arn])
})
