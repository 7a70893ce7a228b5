// Rooms: CreateRoom, GetRoom, UpdateRoom, DeleteRoom, ListRooms. Defaults, limits and the rules on
// logging configurations and message review handlers per docs/ivs-behavior.md §14.
import type {
  CreateRoomResponse, MessageReviewHandler, Operations, RoomSummary,
} from '../../model/ivschat/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { chatArn, idOf } from './chat-arn.js'
import { fieldInvalid, notFound, quotaExceeded, validationOther } from './chat-errors.js'
import type { RoomRecord } from './chat-state.js'

/** Rooms per account and region (docs/ivs-behavior.md §14, quotas). */
export const MAX_ROOMS = 50_000
const DEFAULT_MAX_MESSAGE_RATE_PER_SECOND = 10
const DEFAULT_MAX_MESSAGE_LENGTH = 500

export function requireRoom(ctx: SimContext, identifier: string): RoomRecord {
  const room = ctx.state.chat.rooms.get(identifier)
  if (!room) throw notFound('ROOM', idOf(identifier), `Room not found: ${identifier}`)
  return room
}

/** Every identifier must name a logging configuration of this account and region (M: CreateRoom's 404). */
function loggingConfigurations(ctx: SimContext, identifiers: readonly string[]): string[] {
  for (const identifier of identifiers) {
    if (!ctx.state.chat.loggingConfigurations.has(identifier)) {
      throw notFound('LOGGING_CONFIGURATION', idOf(identifier), `Logging configuration not found: ${identifier}`)
    }
  }
  return [...identifiers]
}

/**
 * A handler with a Lambda ARN, its fallback ALLOW unless given; none for an absent handler or an
 * empty uri ("Specify an empty uri string to disassociate", M).
 */
function reviewHandler(given: MessageReviewHandler | undefined): RoomRecord['messageReviewHandler'] {
  if (!given?.uri) return undefined
  return { uri: given.uri, fallbackResult: given.fallbackResult ?? 'ALLOW' }
}

function toRoom(record: RoomRecord): CreateRoomResponse {
  return {
    arn: record.arn,
    id: record.id,
    name: record.name,
    createTime: record.createTime,
    updateTime: record.updateTime,
    maximumMessageRatePerSecond: record.maximumMessageRatePerSecond,
    maximumMessageLength: record.maximumMessageLength,
    messageReviewHandler: record.messageReviewHandler && { ...record.messageReviewHandler },
    tags: { ...record.tags },
    loggingConfigurationIdentifiers: [...record.loggingConfigurationIdentifiers],
  }
}

function toSummary(record: RoomRecord): RoomSummary {
  return {
    arn: record.arn,
    id: record.id,
    name: record.name,
    messageReviewHandler: record.messageReviewHandler && { ...record.messageReviewHandler },
    createTime: record.createTime,
    updateTime: record.updateTime,
    tags: { ...record.tags },
    loggingConfigurationIdentifiers: [...record.loggingConfigurationIdentifiers],
  }
}

const tagRefusal = (message: string) => fieldInvalid('tags', message)

export const roomHandlers = {
  CreateRoom(input, ctx) {
    const { state, ids, clock } = ctx
    checkTagKeys(input.tags, tagRefusal)
    const loggingConfigurationIdentifiers = loggingConfigurations(ctx, input.loggingConfigurationIdentifiers ?? [])
    if (state.chat.rooms.size >= MAX_ROOMS) {
      throw quotaExceeded('ROOM', 'room', MAX_ROOMS, `You have reached the limit of ${MAX_ROOMS} rooms in ${state.region}`)
    }
    // The id is drawn only once the input is accepted, so a refused call leaves a seeded run's ids as they were.
    const id = ids.alnum(12)
    const now = formatTimestamp(clock.now())
    const seq = state.nextSeq()
    const handler = reviewHandler(input.messageReviewHandler)
    const record: RoomRecord = {
      arn: chatArn(state.region, state.accountId, 'room', id),
      id,
      name: input.name ?? '',
      createTime: now,
      updateTime: now,
      maximumMessageRatePerSecond: input.maximumMessageRatePerSecond ?? DEFAULT_MAX_MESSAGE_RATE_PER_SECOND,
      maximumMessageLength: input.maximumMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH,
      ...(handler && { messageReviewHandler: handler }),
      loggingConfigurationIdentifiers,
      tags: { ...input.tags },
      seq,
      updateSeq: seq,
    }
    state.chat.rooms.put(record)
    return toRoom(record)
  },

  GetRoom(input, ctx) {
    return toRoom(requireRoom(ctx, input.identifier))
  },

  UpdateRoom(input, ctx) {
    const room = requireRoom(ctx, input.identifier)
    // Checked before anything changes: a refused update leaves the room as it was.
    const logging = input.loggingConfigurationIdentifiers && loggingConfigurations(ctx, input.loggingConfigurationIdentifiers)
    if (input.name !== undefined) room.name = input.name
    if (input.maximumMessageRatePerSecond !== undefined) room.maximumMessageRatePerSecond = input.maximumMessageRatePerSecond
    if (input.maximumMessageLength !== undefined) room.maximumMessageLength = input.maximumMessageLength
    if (input.messageReviewHandler !== undefined) {
      const handler = reviewHandler(input.messageReviewHandler)
      if (handler) room.messageReviewHandler = handler
      else delete room.messageReviewHandler
    }
    if (logging) room.loggingConfigurationIdentifiers = logging
    room.updateTime = formatTimestamp(ctx.clock.now())
    room.updateSeq = ctx.state.nextSeq()
    return toRoom(room)
  },

  DeleteRoom(input, ctx) {
    const room = requireRoom(ctx, input.identifier)
    ctx.state.chat.rooms.delete(room.arn)
    ctx.state.chat.forget(room.arn)
  },

  ListRooms(input, ctx) {
    const { name, messageReviewHandlerUri, loggingConfigurationIdentifier } = input
    if (loggingConfigurationIdentifier !== undefined) loggingConfigurations(ctx, [loggingConfigurationIdentifier])
    const matching = [...ctx.state.chat.rooms.values()].filter((r) =>
      (name === undefined || r.name === name) &&
      (messageReviewHandlerUri === undefined || (r.messageReviewHandler?.uri ?? '') === messageReviewHandlerUri) &&
      (loggingConfigurationIdentifier === undefined || r.loggingConfigurationIdentifiers.includes(loggingConfigurationIdentifier)))
    // "Results are sorted in descending order of updateTime" (M): each update moves a room's
    // updateSeq, which the page token then points at.
    const byUpdate = matching.map((room) => ({ seq: room.updateSeq, room })).sort((a, b) => b.seq - a.seq)
    const filters = { operation: 'ListRooms', name, messageReviewHandlerUri, loggingConfigurationIdentifier }
    const page = paginate(byUpdate, input, 50, filters, 'desc', validationOther)
    return { rooms: page.items.map((i) => toSummary(i.room)), nextToken: page.nextToken }
  },
} satisfies HandlerTable<Operations>
