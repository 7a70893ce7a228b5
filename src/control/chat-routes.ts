// A control route that shows what the app did to a chat room through the API (no chat client is
// connected to a simulated room, so this is where a test reads it back, docs/ivs-behavior.md §14):
//   GET /_mock/chat/events?roomArn=<arn:aws:ivschat:…:room/…>
//     → {roomArn, events: [{type: SendEvent|DeleteMessage|DisconnectUser|CreateChatToken, …}]}, oldest first
// Chat tokens themselves are not kept: the route shows who a token was for, never the token.
import { parseChatArn } from '../simulator/ivschat/chat-arn.js'
import type { Simulator } from '../simulator/simulator.js'
import { acceptOnlyQuery, ControlError, type ControlApi } from './control-api.js'

export interface ChatRouteDeps {
  readonly simulator: Simulator
}

export function addChatRoutes(api: ControlApi, deps: ChatRouteDeps): ControlApi {
  return api.on('GET', 'chat/events', (req) => {
    acceptOnlyQuery(req.query, 'roomArn', 'roomArn=<room ARN>')
    const roomArn = req.query.roomArn?.at(-1)
    const parsed = roomArn === undefined ? undefined : parseChatArn(roomArn)
    if (!roomArn || parsed?.resourceType !== 'room') {
      throw new ControlError(400, `roomArn must be a room ARN (arn:aws:ivschat:<region>:<account>:room/<id>), got ${JSON.stringify(roomArn ?? null)}`)
    }
    // find(), not state(): reading must not create an account's state.
    const state = deps.simulator.find(parsed.accountId, parsed.region)
    if (!state?.chat.rooms.has(roomArn)) throw new ControlError(404, `Room not found: ${roomArn}`)
    return { roomArn, events: state.chat.actions(roomArn) }
  })
}
