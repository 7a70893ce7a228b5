// The streams of one account in one region: which channels are live now, every channel's stream
// sessions (current and past), and the PutMetadata call-rate window. It lives in RegionState, so a
// reset forgets it with everything else.
import type {
  Channel, IngestConfiguration, IngestConfigurations, RecordingConfiguration, StreamEvent, StreamHealth,
} from '../../model/ivs/types.js'
import { SlidingWindowLimiter } from './sliding-window-limiter.js'

/** A recording in progress or done: what its Recording End event repeats from its start. */
export interface RecordingRun {
  readonly recordingSessionId: string
  readonly bucketName: string
  readonly s3KeyPrefix: string
}

export interface StreamSessionRecord {
  /** Region-wide creation order; pagination tokens point at it. */
  readonly seq: number
  readonly channelArn: string
  readonly streamId: string
  readonly startTime: string
  readonly startedAtMs: number
  endTime?: string
  /** The channel as it was at go-live. */
  readonly channel: Channel
  readonly recordingConfiguration?: RecordingConfiguration
  readonly recording?: RecordingRun
  readonly ingestConfiguration: Required<IngestConfiguration>
  readonly ingestConfigurations: IngestConfigurations
  /** Most recent first, at most MAX_TRUNCATED_EVENTS. */
  readonly truncatedEvents: StreamEvent[]
}

export interface LiveStream {
  readonly session: StreamSessionRecord
  health: StreamHealth
  /** A Starvation Start was emitted and its Starvation End not yet. */
  starving: boolean
}

/** GetStreamSession's `truncatedEvents` holds at most this many (M). */
export const MAX_TRUNCATED_EVENTS = 500

/** The JSON form of a StreamState, for `--state` files. */
export interface StreamStateSnapshot {
  readonly sessions: StreamSessionRecord[]
  readonly live: { channelArn: string; health: StreamHealth; starving: boolean }[]
}

export class StreamState {
  readonly #live = new Map<string, LiveStream>()
  /** Per channel ARN, oldest first. */
  readonly #sessions = new Map<string, StreamSessionRecord[]>()
  readonly putMetadataLimiter = new SlidingWindowLimiter(1000)

  isLive(channelArn: string): boolean {
    return this.#live.has(channelArn)
  }

  live(channelArn: string): LiveStream | undefined {
    return this.#live.get(channelArn)
  }

  /** In go-live order (a stream is removed when it ends and re-added at its next go-live). */
  liveStreams(): IterableIterator<LiveStream> {
    return this.#live.values()
  }

  begin(stream: LiveStream): void {
    const arn = stream.session.channelArn
    this.#live.set(arn, stream)
    const sessions = this.#sessions.get(arn)
    if (sessions) sessions.push(stream.session)
    else this.#sessions.set(arn, [stream.session])
  }

  /** Takes the channel off the air; its session stays in the history. */
  end(channelArn: string): LiveStream | undefined {
    const stream = this.#live.get(channelArn)
    this.#live.delete(channelArn)
    return stream
  }

  /** Most recent first. */
  sessionsOf(channelArn: string): StreamSessionRecord[] {
    return [...(this.#sessions.get(channelArn) ?? [])].reverse()
  }

  /**
   * Drops the history of channels that no longer exist. Nothing can read it (every stream operation
   * requires the channel), so it is pruned lazily rather than hooked into DeleteChannel.
   */
  forgetChannelsExcept(exists: (channelArn: string) => boolean): void {
    for (const arn of this.#sessions.keys()) if (!this.#live.has(arn) && !exists(arn)) this.#sessions.delete(arn)
  }

  snapshot(): StreamStateSnapshot {
    return {
      sessions: [...this.#sessions.values()].flat(),
      live: [...this.#live.values()].map((l) => ({ channelArn: l.session.channelArn, health: l.health, starving: l.starving })),
    }
  }

  /** Loads a snapshot into an empty state; a live stream is bound to its channel's latest session. */
  restore(snapshot: StreamStateSnapshot): void {
    for (const session of snapshot.sessions) {
      const list = this.#sessions.get(session.channelArn)
      if (list) list.push(session)
      else this.#sessions.set(session.channelArn, [session])
    }
    for (const live of snapshot.live) {
      const sessions = this.#sessions.get(live.channelArn)
      const session = sessions?.[sessions.length - 1]
      if (session) this.#live.set(live.channelArn, { session, health: live.health, starving: live.starving })
    }
  }
}
