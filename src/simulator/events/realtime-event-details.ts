// The EventBridge detail types IVS Real-Time emits (docs/ivs-behavior.md §15): stage
// updates (participants joining, leaving, publishing), composition state changes and individual
// participant recording state changes. Their envelope is ivs-event.ts's; source is `aws.ivs`.

export type StageUpdateEventName =
  | 'Session Created'
  | 'Session Ended'
  | 'Participant Joined'
  | 'Participant Left'
  | 'Participant Published'
  | 'Participant Unpublished'

export interface StageUpdateDetail {
  readonly session_id: string
  readonly event_name: StageUpdateEventName
  readonly user_id?: string
  readonly participant_id?: string
}

export type CompositionEventName = 'Session Start' | 'Session End' | 'Destination Start' | 'Destination End'

export interface CompositionStateChangeDetail {
  readonly event_name: CompositionEventName
  readonly stage_arn: string
  /** The destination's id, on Destination events. */
  readonly id?: string
}

export type ParticipantRecordingEventName = 'Recording Start' | 'Recording End'

export interface ParticipantRecordingStateChangeDetail {
  readonly session_id: string
  readonly event_name: ParticipantRecordingEventName
  readonly participant_id: string
  readonly recording_s3_bucket_name: string
  readonly recording_s3_key_prefix: string
}

export interface RealtimeDetailByType {
  'IVS Stage Update': StageUpdateDetail
  'IVS Composition State Change': CompositionStateChangeDetail
  'IVS Participant Recording State Change': ParticipantRecordingStateChangeDetail
}
