// The EventBridge events IVS emits (docs/ivs-behavior.md §7), in the documented envelope. Only the
// detail-types the simulation can produce are modeled: a channel's stream state, stream health and
// recording state changes, and IVS Real-Time's (realtime-event-details.ts).
import { formatTimestamp } from '../../protocol/serialize.js'
import type { IdGenerator } from '../ids.js'
import type { RealtimeDetailByType } from './realtime-event-details.js'

export type StreamStateEventName =
  | 'Session Created' | 'Stream Start' | 'Stream End' | 'Session Ended' | 'Stream Takeover' | 'Stream Takeover Failure'
export type StreamHealthEventName = 'Starvation Start' | 'Starvation End'
export type RecordingStatus = 'Recording Start' | 'Recording End'

export interface StreamStateChangeDetail {
  readonly event_name: StreamStateEventName
  readonly channel_name: string
  readonly stream_id: string
  /** Only on Stream Takeover Failure (and multitrack Session Ended): why. */
  readonly code?: string
}

export interface StreamHealthChangeDetail {
  readonly event_name: StreamHealthEventName
  readonly channel_name: string
  readonly stream_id: string
}

export interface RecordingStateChangeDetail {
  readonly channel_name: string
  readonly stream_id: string
  readonly recording_status: RecordingStatus
  readonly recording_status_reason: string
  readonly recording_s3_bucket_name: string
  readonly recording_s3_key_prefix: string
  readonly recording_duration_ms: number
  readonly recording_session_id: string
  /** Only on Recording End. */
  readonly recording_session_stream_ids?: readonly string[]
}

interface DetailByType extends RealtimeDetailByType {
  'IVS Stream State Change': StreamStateChangeDetail
  'IVS Stream Health Change': StreamHealthChangeDetail
  'IVS Recording State Change': RecordingStateChangeDetail
}

export type IvsDetailType = keyof DetailByType

/** Field names are EventBridge's, hence the quoted `detail-type`. */
export interface IvsEvent<T extends IvsDetailType = IvsDetailType> {
  readonly version: '0'
  readonly id: string
  readonly 'detail-type': T
  readonly source: 'aws.ivs'
  readonly account: string
  readonly time: string
  readonly region: string
  readonly resources: readonly string[]
  readonly detail: DetailByType[T]
}

export interface EventOrigin {
  readonly ids: IdGenerator
  readonly accountId: string
  readonly region: string
}

export function ivsEvent<T extends IvsDetailType>(
  origin: EventOrigin,
  time: Date,
  detailType: T,
  resourceArn: string,
  detail: DetailByType[T],
): IvsEvent<T> {
  return {
    version: '0',
    id: origin.ids.uuid(),
    'detail-type': detailType,
    source: 'aws.ivs',
    account: origin.accountId,
    time: formatTimestamp(time),
    region: origin.region,
    resources: [resourceArn],
    detail,
  }
}
