// A simulated broadcast: what happens when an encoder connects to a channel, changes health and
// disconnects. Each step updates the stream state, the session's truncatedEvents and the EventBridge
// event log together, in the order docs/ivs-behavior.md §6–§7 and §9 #12 give: Session Created, Stream Start
// (Recording Start) at go-live; Stream End, Session Ended (Recording End) at the end.
import type { Channel, IngestConfiguration, RecordingConfiguration, StreamHealth } from '../../model/ivs/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import { parseArn } from '../arn.js'
import { ivsEvent, type RecordingStateChangeDetail, type StreamStateEventName } from '../events/ivs-event.js'
import type { SimContext } from '../handler.js'
import type { ChannelRecord } from '../region-state.js'
import { ingestConfigurationOf, ingestConfigurationsOf } from './ingest-configuration.js'
import { MAX_TRUNCATED_EVENTS, type LiveStream, type RecordingRun, type StreamSessionRecord } from './stream-state.js'

const STREAM_STATE = 'IVS Stream State Change'
const RECORDING_STATE = 'IVS Recording State Change'

function origin(ctx: SimContext) {
  return { ids: ctx.ids, accountId: ctx.state.accountId, region: ctx.state.region }
}

/** Keeps truncatedEvents most recent first and bounded. */
function remember(session: StreamSessionRecord, name: string, type: string, time: Date, code?: string): void {
  session.truncatedEvents.unshift({ name, type, eventTime: formatTimestamp(time), ...(code !== undefined && { code }) })
  if (session.truncatedEvents.length > MAX_TRUNCATED_EVENTS) session.truncatedEvents.length = MAX_TRUNCATED_EVENTS
}

function streamStateChange(ctx: SimContext, session: StreamSessionRecord, name: StreamStateEventName, time: Date, code?: string): void {
  remember(session, name, STREAM_STATE, time, code)
  ctx.events.append(
    ivsEvent(origin(ctx), time, STREAM_STATE, session.channelArn, {
      event_name: name,
      channel_name: session.channel.name ?? '',
      stream_id: session.streamId,
      ...(code !== undefined && { code }),
    }),
  )
}

function recordingStateChange(
  ctx: SimContext,
  session: StreamSessionRecord,
  recording: RecordingRun,
  time: Date,
  end: boolean,
): void {
  const status = end ? 'Recording End' : 'Recording Start'
  remember(session, status, RECORDING_STATE, time)
  const detail: RecordingStateChangeDetail = {
    channel_name: session.channel.name ?? '',
    stream_id: session.streamId,
    recording_status: status,
    recording_status_reason: '',
    recording_s3_bucket_name: recording.bucketName,
    recording_s3_key_prefix: recording.s3KeyPrefix,
    recording_duration_ms: end ? time.getTime() - session.startedAtMs : 0,
    recording_session_id: recording.recordingSessionId,
    ...(end && { recording_session_stream_ids: [session.streamId] }),
  }
  ctx.events.append(ivsEvent(origin(ctx), time, RECORDING_STATE, session.channelArn, detail))
}

/** `ivs/v1/<account>/<channelId>/<yyyy>/<m>/<d>/<h>/<mm>/<recordingId>`, UTC, numbers unpadded (UG). */
function s3KeyPrefix(ctx: SimContext, channelArn: string, time: Date, recordingId: string): string {
  const channelId = parseArn(channelArn)?.id ?? ''
  const parts = [time.getUTCFullYear(), time.getUTCMonth() + 1, time.getUTCDate(), time.getUTCHours(), time.getUTCMinutes()]
  return ['ivs', 'v1', ctx.state.accountId, channelId, ...parts, recordingId].join('/')
}

/** A plain copy of a stored record, without the simulator's bookkeeping. */
function snapshot<T extends { seq: number }>(record: T): Omit<T, 'seq'> {
  const { seq: _seq, ...copy } = structuredClone(record)
  return copy
}

/** The channel goes live with a new stream session. The caller checks it is not live already. */
export function startBroadcast(ctx: SimContext, channel: ChannelRecord, ingest?: IngestConfiguration): LiveStream {
  const { state, ids } = ctx
  const now = ctx.clock.now()
  state.streams.forgetChannelsExcept((arn) => state.channels.has(arn))

  const attached = channel.recordingConfigurationArn ? state.recordingConfigurations.get(channel.recordingConfigurationArn) : undefined
  const recordingConfiguration: RecordingConfiguration | undefined = attached && snapshot(attached)
  const ingestConfiguration = ingestConfigurationOf(ingest)
  const streamId = `st-${ids.alnum(23)}`
  const recording: RecordingRun | undefined = recordingConfiguration && {
    recordingSessionId: ids.alnum(16),
    bucketName: recordingConfiguration.destinationConfiguration.s3?.bucketName ?? '',
    s3KeyPrefix: s3KeyPrefix(ctx, channel.arn, now, ids.alnum(12)),
  }
  const session: StreamSessionRecord = {
    seq: state.nextSeq(),
    channelArn: channel.arn,
    streamId,
    startTime: formatTimestamp(now),
    startedAtMs: now.getTime(),
    // The model's Channel; ChannelRecord only widens `preset` to IVS's real "".
    channel: snapshot(channel) as Channel,
    recordingConfiguration,
    recording,
    ingestConfiguration,
    ingestConfigurations: ingestConfigurationsOf(ingestConfiguration),
    truncatedEvents: [],
  }
  const stream: LiveStream = { session, health: 'HEALTHY', starving: false }
  state.streams.begin(stream)

  streamStateChange(ctx, session, 'Session Created', now)
  streamStateChange(ctx, session, 'Stream Start', now)
  if (recording) recordingStateChange(ctx, session, recording, now, false)
  return stream
}

/** The encoder disconnects: the session ends at once (docs/ivs-behavior.md §9 #17). Undefined when not live. */
export function stopBroadcast(ctx: SimContext, channelArn: string): StreamSessionRecord | undefined {
  const stream = ctx.state.streams.end(channelArn)
  if (!stream) return undefined
  const now = ctx.clock.now()
  const { session } = stream
  session.endTime = formatTimestamp(now)
  streamStateChange(ctx, session, 'Stream End', now)
  streamStateChange(ctx, session, 'Session Ended', now)
  if (session.recording) recordingStateChange(ctx, session, session.recording, now, true)
  return session
}

/**
 * Sets a live stream's health. Entering STARVING emits Starvation Start; HEALTHY after a starvation
 * emits Starvation End. UNKNOWN says nothing either way, so it emits nothing.
 */
export function changeStreamHealth(ctx: SimContext, stream: LiveStream, health: StreamHealth): void {
  stream.health = health
  const event =
    health === 'STARVING' && !stream.starving ? 'Starvation Start'
    : health === 'HEALTHY' && stream.starving ? 'Starvation End'
    : undefined
  if (!event) return
  stream.starving = event === 'Starvation Start'
  const { session } = stream
  ctx.events.append(
    ivsEvent(origin(ctx), ctx.clock.now(), 'IVS Stream Health Change', session.channelArn, {
      event_name: event,
      channel_name: session.channel.name ?? '',
      stream_id: session.streamId,
    }),
  )
}

/** Why IVS refuses a takeover (the `code` of Stream Takeover Failure, API StreamEvent). */
export const TAKEOVER_FAILURES = ['StreamTakeoverMediaMismatch', 'StreamTakeoverInvalidPriority', 'StreamTakeoverLimitBreached'] as const
export type TakeoverFailure = (typeof TAKEOVER_FAILURES)[number]

/**
 * A second encoder takes over a live stream (a higher priority on the same key): the stream and
 * its session go on, with a Stream Takeover event; a refused attempt leaves the stream as it was
 * and says why in a Stream Takeover Failure event.
 */
export function takeOverBroadcast(ctx: SimContext, stream: LiveStream, failure?: TakeoverFailure): void {
  const now = ctx.clock.now()
  if (failure) streamStateChange(ctx, stream.session, 'Stream Takeover Failure', now, failure)
  else streamStateChange(ctx, stream.session, 'Stream Takeover', now)
}
