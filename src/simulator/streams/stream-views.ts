// The model shapes a stream and its sessions are answered as: Stream (GetStream and the control API),
// StreamSummary (ListStreams), StreamSession (GetStreamSession), StreamSessionSummary
// (ListStreamSessions).
import type { Stream, StreamSession, StreamSessionSummary, StreamSummary } from '../../model/ivs/types.js'
import type { LiveStream, StreamSessionRecord } from './stream-state.js'

/** Nobody watches a simulated stream (docs/ivs-behavior.md §9 #17). */
const VIEWER_COUNT = 0

export function streamOf(stream: LiveStream): Stream {
  const { session } = stream
  return {
    channelArn: session.channelArn,
    streamId: session.streamId,
    playbackUrl: session.channel.playbackUrl,
    startTime: session.startTime,
    state: 'LIVE',
    health: stream.health,
    viewerCount: VIEWER_COUNT,
  }
}

export function streamSummaryOf(stream: LiveStream): StreamSummary {
  const { session } = stream
  return {
    channelArn: session.channelArn,
    streamId: session.streamId,
    state: 'LIVE',
    health: stream.health,
    viewerCount: VIEWER_COUNT,
    startTime: session.startTime,
  }
}

export function streamSessionOf(session: StreamSessionRecord): StreamSession {
  return {
    streamId: session.streamId,
    startTime: session.startTime,
    endTime: session.endTime,
    // Real GetStreamSession answers embed the channel without its tags (three public captures agree).
    channel: channelWithoutTags(session.channel),
    ingestConfiguration: session.ingestConfiguration,
    ingestConfigurations: session.ingestConfigurations,
    recordingConfiguration: session.recordingConfiguration,
    truncatedEvents: session.truncatedEvents,
  }
}

export function streamSessionSummaryOf(session: StreamSessionRecord): StreamSessionSummary {
  return {
    streamId: session.streamId,
    startTime: session.startTime,
    endTime: session.endTime,
    // Failure events (Stream Failure, Recording Start Failure, …) are what IVS calls error events.
    hasErrorEvent: session.truncatedEvents.some((e) => e.name?.endsWith('Failure') ?? false),
  }
}

function channelWithoutTags(channel: StreamSessionRecord['channel']): StreamSessionRecord['channel'] {
  const { tags: _tags, ...rest } = channel
  return rest
}
