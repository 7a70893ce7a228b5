// Stream operations: GetStream, ListStreams, StopStream, GetStreamSession, ListStreamSessions,
// PutMetadata, InsertAdBreak (docs/ivs-behavior.md §6, §9 #12–#17). Going live is not an API call; the
// control API starts broadcasts (src/control/stream-routes.ts).
//
// Check order (docs/ivs-behavior.md §1): validation → existence (404) → conflict (409) → call rate (429) →
// ChannelNotBroadcasting.
import { channelNotBroadcasting, conflict, notFound, throttled, validationError } from '../ivs-errors.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { requireChannel } from '../resources/require-channel.js'
import { stopBroadcast } from './broadcast.js'
import type { RateLimit } from './sliding-window-limiter.js'
import type { LiveStream } from './stream-state.js'
import { streamOf, streamSessionOf, streamSessionSummaryOf, streamSummaryOf } from './stream-views.js'

/** "Maximum: 1 KB per request" (M), counted in UTF-8 bytes (docs/ivs-behavior.md §9 #13). */
export const MAX_METADATA_BYTES = 1024
/** PutMetadata calls per sliding second (UG-Q). */
export const PUT_METADATA_TPS_PER_CHANNEL = 5
export const PUT_METADATA_TPS_PER_ACCOUNT = 155
const DEFAULT_MAX_RESULTS = 100

/** The channel's live stream; RNF when the channel does not exist, ChannelNotBroadcasting when offline. */
function requireLive(ctx: SimContext, channelArn: string): LiveStream {
  requireChannel(ctx.state, channelArn)
  const stream = ctx.state.streams.live(channelArn)
  if (!stream) throw channelNotBroadcasting(channelArn)
  return stream
}

function putMetadataLimits(ctx: SimContext, channelArn: string): RateLimit[] {
  return [
    { key: channelArn, limit: PUT_METADATA_TPS_PER_CHANNEL },
    { key: `account:${ctx.state.accountId}`, limit: PUT_METADATA_TPS_PER_ACCOUNT },
  ]
}

export const streamHandlers = {
  GetStream(input, ctx) {
    return { stream: streamOf(requireLive(ctx, input.channelArn)) }
  },

  ListStreams(input, ctx) {
    const health = input.filterBy?.health
    const matching = [...ctx.state.streams.liveStreams()]
      .filter((s) => health === undefined || s.health === health)
      .map((s) => ({ seq: s.session.seq, stream: s }))
    const page = paginate(matching, input, DEFAULT_MAX_RESULTS, { health })
    return { streams: page.items.map((i) => streamSummaryOf(i.stream)), nextToken: page.nextToken }
  },

  StopStream(input, ctx) {
    requireLive(ctx, input.channelArn)
    stopBroadcast(ctx, input.channelArn)
    return {}
  },

  GetStreamSession(input, ctx) {
    requireChannel(ctx.state, input.channelArn)
    const sessions = ctx.state.streams.sessionsOf(input.channelArn)
    const session = input.streamId === undefined ? sessions[0] : sessions.find((s) => s.streamId === input.streamId)
    if (!session) {
      throw notFound(
        input.streamId === undefined
          ? `Channel ${input.channelArn} has no stream sessions`
          : `Stream session not found: ${input.streamId} on channel ${input.channelArn}`,
      )
    }
    return { streamSession: streamSessionOf(session) }
  },

  ListStreamSessions(input, ctx) {
    requireChannel(ctx.state, input.channelArn)
    const page = paginate(ctx.state.streams.sessionsOf(input.channelArn), input, DEFAULT_MAX_RESULTS, input.channelArn, 'desc')
    return { streamSessions: page.items.map(streamSessionSummaryOf), nextToken: page.nextToken }
  },

  PutMetadata(input, ctx) {
    if (Buffer.byteLength(input.metadata, 'utf8') > MAX_METADATA_BYTES) {
      throw validationError('Metadata size exceeds payload limit')
    }
    requireChannel(ctx.state, input.channelArn)
    const limits = putMetadataLimits(ctx, input.channelArn)
    const limiter = ctx.state.streams.putMetadataLimiter
    const now = ctx.clock.now().getTime()
    const refused = limiter.refusal(limits, now)
    if (refused) {
      const on = refused.key === input.channelArn ? `resource: ${input.channelArn}` : `account: ${ctx.state.accountId}`
      throw throttled(`Operation: ivs:PutMetadata exceeded call rate: ${refused.limit} for ${on}`)
    }
    requireLive(ctx, input.channelArn)
    // Counted only once accepted: refused calls do not use up the window (docs/ivs-behavior.md §9 #13).
    limiter.record(limits, now)
  },

  InsertAdBreak(input, ctx) {
    const channel = requireChannel(ctx.state, input.channelArn)
    if (!channel.adConfigurationArn) {
      throw conflict(`Channel ${channel.arn} has no ad configuration; attach one with UpdateChannel adConfigurationArn`)
    }
    requireLive(ctx, input.channelArn)
    return { adBreakId: ctx.ids.alnum(12) }
  },
} satisfies HandlerTable
