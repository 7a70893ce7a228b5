// Looking a channel up: the one place the channel, stream-key, viewer-session and stream handlers
// share, so none of them imports another's handlers to find a channel.
import { notFound } from '../ivs-errors.js'
import type { ChannelRecord, RegionState } from '../region-state.js'

export function channelNotFound(arn: string) {
  return notFound(`Channel not found: ${arn}`)
}

export function requireChannel(state: RegionState, arn: string): ChannelRecord {
  const channel = state.channels.get(arn)
  if (!channel) throw channelNotFound(arn)
  return channel
}
