// CreateChatToken: a token a chat client connects to one room with. The token is opaque
// ("encrypted", M); it is valid for one minute, the session it opens for sessionDurationInMinutes
// (default 60) (docs/ivs-behavior.md §14).
import type { Operations } from '../../model/ivschat/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { HandlerTable } from '../handler.js'
import { checkAttributes } from './chat-attributes.js'
import { requireRoom } from './rooms.js'

export const TOKEN_VALIDITY_MS = 60_000
const DEFAULT_SESSION_DURATION_MINUTES = 60
/** Bytes of opaque ciphertext in a token (its base64 form is 344 characters; D). */
const TOKEN_BYTES = 256

export const chatTokenHandlers = {
  CreateChatToken(input, ctx) {
    const room = requireRoom(ctx, input.roomIdentifier)
    const attributes = checkAttributes(input.attributes)
    const now = ctx.clock.now().getTime()
    const sessionDurationInMinutes = input.sessionDurationInMinutes ?? DEFAULT_SESSION_DURATION_MINUTES
    const tokenExpirationTime = formatTimestamp(new Date(now + TOKEN_VALIDITY_MS))
    const sessionExpirationTime = formatTimestamp(new Date(now + sessionDurationInMinutes * 60_000))
    ctx.state.chat.record(room.arn, {
      type: 'CreateChatToken',
      userId: input.userId,
      // "Default: None (the capability to view messages is implicitly included)" (M).
      capabilities: [...(input.capabilities ?? [])],
      attributes,
      sessionDurationInMinutes,
      tokenExpirationTime,
      sessionExpirationTime,
      time: formatTimestamp(new Date(now)),
    })
    const token = Buffer.from(ctx.ids.hex(TOKEN_BYTES * 2), 'hex').toString('base64')
    return { token, tokenExpirationTime, sessionExpirationTime }
  },
} satisfies HandlerTable<Operations>
