// Viewer-session revocation: StartViewerSessionRevocation and its batch form. The single form names
// an unknown channel with 404; the batch form reports it per pair in `errors`, with the HTTP status
// as the code as in CLI:batch-start-viewer-session-revocation, and never fails the request
// (docs/ivs-behavior.md §6, §9 #8).
import type { BatchStartViewerSessionRevocationError } from '../../model/ivs/types.js'
import type { HandlerTable } from '../handler.js'
import { channelNotFound, requireChannel } from './require-channel.js'

export const viewerSessionHandlers = {
  StartViewerSessionRevocation(input, ctx) {
    requireChannel(ctx.state, input.channelArn)
    ctx.state.viewerSessionRevocations.record({
      channelArn: input.channelArn,
      viewerId: input.viewerId,
      versionsLessThanOrEqualTo: input.viewerSessionVersionsLessThanOrEqualTo ?? 0,
      requestedAt: ctx.clock.now(),
    })
    return {}
  },

  BatchStartViewerSessionRevocation(input, ctx) {
    const revocations = ctx.state.viewerSessionRevocations
    const errors: BatchStartViewerSessionRevocationError[] = []
    for (const session of input.viewerSessions) {
      const { channelArn, viewerId } = session
      if (!ctx.state.channels.has(channelArn)) {
        errors.push({ channelArn, viewerId, code: '404', message: channelNotFound(channelArn).message })
        continue
      }
      revocations.record({
        channelArn,
        viewerId,
        versionsLessThanOrEqualTo: session.viewerSessionVersionsLessThanOrEqualTo ?? 0,
        requestedAt: ctx.clock.now(),
      })
    }
    return { errors }
  },
} satisfies HandlerTable
