// SendEvent, DeleteMessage, DisconnectUser: what an application does to the clients of a room
// through the control plane (each replicates a Chat Messaging API action, M). No client is
// connected to a simulated room, so each is recorded on the room for GET /_mock/chat/events.
import type { Operations } from '../../model/ivschat/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { HandlerTable } from '../handler.js'
import { checkAttributes } from './chat-attributes.js'
import { requireRoom } from './rooms.js'

export const roomMessagingHandlers = {
  SendEvent(input, ctx) {
    const room = requireRoom(ctx, input.roomIdentifier)
    const attributes = checkAttributes(input.attributes)
    const id = ctx.ids.alnum(12)
    ctx.state.chat.record(room.arn, { type: 'SendEvent', id, eventName: input.eventName, attributes, time: formatTimestamp(ctx.clock.now()) })
    return { id }
  },

  DeleteMessage(input, ctx) {
    const room = requireRoom(ctx, input.roomIdentifier)
    // The answer's id is the operation's own, not the message's ("Operation identifier", M): the
    // event clients receive (aws:DELETE_MESSAGE) carries it.
    const id = ctx.ids.alnum(12)
    ctx.state.chat.record(room.arn, {
      type: 'DeleteMessage', id, messageId: input.id, reason: input.reason, time: formatTimestamp(ctx.clock.now()),
    })
    return { id }
  },

  DisconnectUser(input, ctx) {
    const room = requireRoom(ctx, input.roomIdentifier)
    ctx.state.chat.record(room.arn, { type: 'DisconnectUser', userId: input.userId, reason: input.reason, time: formatTimestamp(ctx.clock.now()) })
    return {}
  },
} satisfies HandlerTable<Operations>
