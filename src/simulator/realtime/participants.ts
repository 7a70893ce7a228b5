// Participants joining and leaving a stage: what the /_mock stage routes (standing in for the
// broadcast SDK and RTMP encoders, which the API cannot drive) and DisconnectParticipant,
// DeleteStage and replication do. The first participant to join an idle stage starts a session;
// the last to leave ends it (docs/ivs-behavior.md §15).
import type { Event, ParticipantProtocol, ParticipantTokenCapability } from '../../model/ivs-realtime/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { SimContext } from '../handler.js'
import { emitRealtimeEvent } from './realtime-events.js'
import { arnId } from './realtime-arn.js'
import type { ParticipantRecord, ReplicaRecord, StageRecord, StageSessionRecord } from './realtime-state.js'

export interface JoinRequest {
  readonly participantId: string
  readonly userId: string
  readonly attributes: Record<string, string>
  readonly capabilities: readonly ParticipantTokenCapability[]
  readonly protocol: ParticipantProtocol
  /** Start publishing on joining (needs the PUBLISH capability). */
  readonly publish: boolean
  readonly ingestConfigurationArn?: string
  readonly replicaOf?: { readonly stageArn: string; readonly sessionId: string }
}

const now = (ctx: SimContext) => formatTimestamp(ctx.clock.now())

function addEvent(ctx: SimContext, participant: ParticipantRecord, event: Omit<Event, 'participantId' | 'eventTime'>): void {
  participant.events.push({ ...event, participantId: participant.participantId, eventTime: now(ctx), seq: ctx.state.nextSeq() })
}

/** The stage's session under way, started if the stage is idle. */
export function activeSession(ctx: SimContext, stage: StageRecord): StageSessionRecord {
  const sessions = ctx.state.realtime.sessions
  const current = stage.activeSessionId ? sessions.get(stage.activeSessionId) : undefined
  if (current) return current
  const session: StageSessionRecord = { stageArn: stage.arn, sessionId: `st-${ctx.ids.alnum(13)}`, startTime: now(ctx), seq: ctx.state.nextSeq() }
  sessions.set(session.sessionId, session)
  stage.activeSessionId = session.sessionId
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, { session_id: session.sessionId, event_name: 'Session Created' })
  return session
}

export function endSession(ctx: SimContext, stage: StageRecord): void {
  const session = stage.activeSessionId ? ctx.state.realtime.sessions.get(stage.activeSessionId) : undefined
  stage.activeSessionId = undefined
  if (!session) return
  session.endTime = now(ctx)
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, { session_id: session.sessionId, event_name: 'Session Ended' })
}

/** The connected participant with this id in the stage's active session. */
export function connectedParticipant(ctx: SimContext, stage: StageRecord, participantId: string): ParticipantRecord | undefined {
  if (!stage.activeSessionId) return undefined
  const p = ctx.state.realtime.participant(stage.activeSessionId, participantId)
  return p?.state === 'CONNECTED' ? p : undefined
}

export function joinStage(ctx: SimContext, stage: StageRecord, request: JoinRequest): ParticipantRecord {
  const session = activeSession(ctx, stage)
  const recording = stage.autoParticipantRecordingConfiguration
  const storage = recording.storageConfigurationArn ? ctx.state.realtime.storageConfigurations.get(recording.storageConfigurationArn) : undefined
  const recorded = storage !== undefined && !recording.mediaTypes.includes('NONE') &&
    (request.replicaOf === undefined || recording.recordParticipantReplicas)
  const joinTime = now(ctx)
  const participant: ParticipantRecord = {
    stageArn: stage.arn,
    sessionId: session.sessionId,
    participantId: request.participantId,
    userId: request.userId,
    attributes: { ...request.attributes },
    capabilities: [...request.capabilities],
    firstJoinTime: joinTime,
    protocol: request.protocol,
    seq: ctx.state.nextSeq(),
    state: 'CONNECTED',
    published: false,
    publishing: false,
    recordingState: 'DISABLED',
    recordingS3BucketName: recorded ? storage.s3.bucketName : '',
    recordingS3Prefix: recorded ? `${arnId(stage.arn)}/${session.sessionId}/${request.participantId}/${ctx.clock.now().getTime()}` : '',
    replicationType: request.replicaOf ? 'REPLICA' : 'NONE',
    replicationState: request.replicaOf ? 'ACTIVE' : undefined,
    sourceStageArn: request.replicaOf?.stageArn,
    sourceSessionId: request.replicaOf?.sessionId,
    ingestConfigurationArn: request.ingestConfigurationArn,
    events: [],
  }
  ctx.state.realtime.addParticipant(participant)
  addEvent(ctx, participant, { name: 'JOINED' })
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, {
    session_id: session.sessionId, event_name: 'Participant Joined', user_id: participant.userId, participant_id: participant.participantId,
  })
  if (request.publish) startPublishing(ctx, stage, participant)
  return participant
}

/** Publishing needs the PUBLISH capability; without it IVS logs a PUBLISH_ERROR (M, EventErrorCode). */
export function startPublishing(ctx: SimContext, stage: StageRecord, participant: ParticipantRecord): boolean {
  if (participant.publishing) return true
  if (!participant.capabilities.includes('PUBLISH')) {
    addEvent(ctx, participant, { name: 'PUBLISH_ERROR', errorCode: 'INSUFFICIENT_CAPABILITIES' })
    return false
  }
  participant.publishing = true
  participant.published = true
  addEvent(ctx, participant, { name: 'PUBLISH_STARTED' })
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, {
    session_id: participant.sessionId, event_name: 'Participant Published', user_id: participant.userId, participant_id: participant.participantId,
  })
  if (participant.recordingS3BucketName && participant.recordingState !== 'ACTIVE') {
    participant.recordingState = 'ACTIVE'
    recordingEvent(ctx, stage, participant, 'Recording Start')
  }
  return true
}

export function stopPublishing(ctx: SimContext, stage: StageRecord, participant: ParticipantRecord): void {
  if (!participant.publishing) return
  participant.publishing = false
  addEvent(ctx, participant, { name: 'PUBLISH_STOPPED' })
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, {
    session_id: participant.sessionId, event_name: 'Participant Unpublished', user_id: participant.userId, participant_id: participant.participantId,
  })
  if (participant.recordingState === 'ACTIVE') {
    participant.recordingState = 'STOPPED'
    recordingEvent(ctx, stage, participant, 'Recording End')
  }
}

function recordingEvent(ctx: SimContext, stage: StageRecord, p: ParticipantRecord, name: 'Recording Start' | 'Recording End'): void {
  emitRealtimeEvent(ctx, 'IVS Participant Recording State Change', stage.arn, {
    session_id: p.sessionId, event_name: name, participant_id: p.participantId,
    recording_s3_bucket_name: p.recordingS3BucketName, recording_s3_key_prefix: p.recordingS3Prefix,
  })
}

/** Disconnects a participant; the last one out ends the session. Replication from it stops. */
export function leaveStage(ctx: SimContext, stage: StageRecord, participant: ParticipantRecord): void {
  if (participant.state !== 'CONNECTED') return
  const realtime = ctx.state.realtime
  for (const replica of realtime.replicas) {
    if (replica.replicationState === 'ACTIVE' && replica.sourceStageArn === stage.arn && replica.participantId === participant.participantId) {
      stopReplica(ctx, replica)
    }
  }
  stopPublishing(ctx, stage, participant)
  participant.state = 'DISCONNECTED'
  addEvent(ctx, participant, { name: 'LEFT' })
  emitRealtimeEvent(ctx, 'IVS Stage Update', stage.arn, {
    session_id: participant.sessionId, event_name: 'Participant Left', user_id: participant.userId, participant_id: participant.participantId,
  })
  const ingest = participant.ingestConfigurationArn ? realtime.ingestConfigurations.get(participant.ingestConfigurationArn) : undefined
  if (ingest) ingest.state = 'INACTIVE'
  const anyoneLeft = [...realtime.participants.values()].some((p) => p.sessionId === participant.sessionId && p.state === 'CONNECTED')
  if (!anyoneLeft) endSession(ctx, stage)
}

/** Stops one replication: the replica leaves the destination stage; both sides log it. */
export function stopReplica(ctx: SimContext, replica: ReplicaRecord): void {
  const realtime = ctx.state.realtime
  replica.replicationState = 'STOPPED'
  const source = realtime.participant(replica.sourceSessionId, replica.participantId)
  if (source) {
    addEvent(ctx, source, {
      name: 'REPLICATION_STOPPED', destinationStageArn: replica.destinationStageArn, destinationSessionId: replica.destinationSessionId,
    })
    const stillReplicated = realtime.replicas.some((r) => r !== replica && r.replicationState === 'ACTIVE' && r.sourceSessionId === source.sessionId && r.participantId === source.participantId)
    if (!stillReplicated) source.replicationState = 'STOPPED'
  }
  const destination = realtime.stages.get(replica.destinationStageArn)
  const copy = realtime.participant(replica.destinationSessionId, replica.participantId)
  if (copy) copy.replicationState = 'STOPPED'
  if (destination && copy) leaveStage(ctx, destination, copy)
}

export function logReplicationStarted(ctx: SimContext, source: ParticipantRecord, destinationStageArn: string, destinationSessionId: string): void {
  addEvent(ctx, source, { name: 'REPLICATION_STARTED', destinationStageArn, destinationSessionId })
}
