// Stage sessions and their participants: GetStageSession, ListStageSessions, ListParticipants,
// GetParticipant, ListParticipantEvents, DisconnectParticipant. Sessions and participants come from
// participants joining (participants.ts); the API only reads them, or disconnects one.
import type { Operations, Participant, ParticipantSummary, StageSession } from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { connectedParticipant, leaveStage } from './participants.js'
import { notFound } from './realtime-errors.js'
import type { ParticipantRecord, StageSessionRecord } from './realtime-state.js'
import { requireStage } from './require-stage.js'

function requireSession(ctx: SimContext, stageArn: string, sessionId: string): StageSessionRecord {
  requireStage(ctx, stageArn)
  const session = ctx.state.realtime.sessions.get(sessionId)
  if (!session || session.stageArn !== stageArn) throw notFound(`Stage session not found: ${sessionId} of ${stageArn}`)
  return session
}

function requireParticipant(ctx: SimContext, stageArn: string, sessionId: string, participantId: string): ParticipantRecord {
  requireSession(ctx, stageArn, sessionId)
  const p = ctx.state.realtime.participant(sessionId, participantId)
  if (!p) throw notFound(`Participant not found: ${participantId} in session ${sessionId}`)
  return p
}

const toSession = (s: StageSessionRecord): StageSession => ({ sessionId: s.sessionId, startTime: s.startTime, endTime: s.endTime })

function toSummary(p: ParticipantRecord): ParticipantSummary {
  return {
    participantId: p.participantId,
    userId: p.userId,
    state: p.state,
    firstJoinTime: p.firstJoinTime,
    published: p.published,
    recordingState: p.recordingState,
    replicationType: p.replicationType,
    replicationState: p.replicationState,
    sourceStageArn: p.sourceStageArn,
    sourceSessionId: p.sourceSessionId,
    redundantIngest: p.ingestConfigurationArn ? false : undefined,
    ingestConfigurationArn: p.ingestConfigurationArn,
  }
}

function toParticipant(p: ParticipantRecord): Participant {
  return {
    ...toSummary(p),
    attributes: { ...p.attributes },
    // What the broadcast SDK reports about the client; a simulated join has none (empty, as IVS
    // answers for an RTMP publisher).
    ispName: '', osName: '', osVersion: '', browserName: '', browserVersion: '', sdkVersion: '',
    recordingS3BucketName: p.recordingS3BucketName,
    recordingS3Prefix: p.recordingS3Prefix,
    protocol: p.protocol,
  }
}

/** Most recent first, as the session lists of IVS are. */
function newestFirst<T extends { seq: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => b.seq - a.seq)
}

export const stageSessionHandlers = {
  GetStageSession(input, ctx) {
    return { stageSession: toSession(requireSession(ctx, input.stageArn, input.sessionId)) }
  },

  ListStageSessions(input, ctx) {
    requireStage(ctx, input.stageArn)
    const sessions = newestFirst([...ctx.state.realtime.sessions.values()].filter((s) => s.stageArn === input.stageArn))
    const page = paginate(sessions, input, 50, ['ListStageSessions', input.stageArn], 'desc')
    return { stageSessions: page.items.map(toSession), nextToken: page.nextToken }
  },

  ListParticipants(input, ctx) {
    requireSession(ctx, input.stageArn, input.sessionId)
    const matches = [...ctx.state.realtime.participants.values()].filter((p) =>
      p.sessionId === input.sessionId &&
      (input.filterByUserId === undefined || p.userId === input.filterByUserId) &&
      (input.filterByPublished === undefined || p.published === input.filterByPublished) &&
      (input.filterByState === undefined || p.state === input.filterByState) &&
      (input.filterByRecordingState === undefined || p.recordingState === input.filterByRecordingState))
    const { nextToken: _n, maxResults: _m, ...filters } = input
    const page = paginate(matches, input, 50, ['ListParticipants', filters])
    return { participants: page.items.map(toSummary), nextToken: page.nextToken }
  },

  GetParticipant(input, ctx) {
    return { participant: toParticipant(requireParticipant(ctx, input.stageArn, input.sessionId, input.participantId)) }
  },

  ListParticipantEvents(input, ctx) {
    const p = requireParticipant(ctx, input.stageArn, input.sessionId, input.participantId)
    const page = paginate(newestFirst(p.events), input, 50, ['ListParticipantEvents', input.stageArn, input.sessionId, input.participantId], 'desc')
    return { events: page.items.map(({ seq: _seq, ...event }) => event), nextToken: page.nextToken }
  },

  DisconnectParticipant(input, ctx) {
    const stage = requireStage(ctx, input.stageArn)
    const participant = connectedParticipant(ctx, stage, input.participantId)
    if (!participant) throw notFound(`No connected participant ${input.participantId} on stage ${input.stageArn}`)
    const ingest = participant.ingestConfigurationArn ? ctx.state.realtime.ingestConfigurations.get(participant.ingestConfigurationArn) : undefined
    leaveStage(ctx, stage, participant)
    // "If the participant is publishing using an IngestConfiguration, DisconnectParticipant also
    // updates the stageArn in the IngestConfiguration to be an empty string" (M).
    if (ingest) ingest.stageArn = ''
    return {}
  },
} satisfies HandlerTable<Operations>
