// Participant replication: StartParticipantReplication copies a publishing participant of one
// stage into another stage of the same account and region (a REPLICA there, the SOURCE here);
// StopParticipantReplication ends it; ListParticipantReplicas lists a participant's replicas.
import type { Operations } from '../../model/ivs-realtime/types.js'
import type { HandlerTable } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkAttributes } from './participant-tokens.js'
import { connectedParticipant, joinStage, logReplicationStarted, stopReplica } from './participants.js'
import { conflict, notFound, validationError } from './realtime-errors.js'
import type { ReplicaRecord } from './realtime-state.js'
import { requireStage } from './require-stage.js'

export const replicationHandlers = {
  StartParticipantReplication(input, ctx) {
    if (input.sourceStageArn === input.destinationStageArn) throw validationError('sourceStageArn and destinationStageArn must be different stages')
    checkAttributes(input.attributes)
    const source = requireStage(ctx, input.sourceStageArn)
    const destination = requireStage(ctx, input.destinationStageArn)
    const participant = connectedParticipant(ctx, source, input.participantId)
    if (!participant?.publishing) throw notFound(`No publishing participant ${input.participantId} on stage ${input.sourceStageArn}`)
    const realtime = ctx.state.realtime
    const already = realtime.replicas.find((r) => r.replicationState === 'ACTIVE' && r.sourceSessionId === participant.sessionId &&
      r.participantId === participant.participantId && r.destinationStageArn === destination.arn)
    if (already) throw conflict(`Participant ${input.participantId} is already replicated to ${input.destinationStageArn}`)
    const copy = joinStage(ctx, destination, {
      participantId: participant.participantId,
      userId: participant.userId,
      attributes: input.attributes ?? participant.attributes,
      capabilities: ['PUBLISH'],
      protocol: participant.protocol,
      publish: true,
      replicaOf: { stageArn: source.arn, sessionId: participant.sessionId },
    })
    const replica: ReplicaRecord = {
      sourceStageArn: source.arn,
      participantId: participant.participantId,
      sourceSessionId: participant.sessionId,
      destinationStageArn: destination.arn,
      destinationSessionId: copy.sessionId,
      replicationState: 'ACTIVE',
      seq: ctx.state.nextSeq(),
    }
    realtime.replicas.push(replica)
    participant.replicationType = 'SOURCE'
    participant.replicationState = 'ACTIVE'
    logReplicationStarted(ctx, participant, destination.arn, copy.sessionId)
    return {}
  },

  StopParticipantReplication(input, ctx) {
    requireStage(ctx, input.sourceStageArn)
    requireStage(ctx, input.destinationStageArn)
    const replica = ctx.state.realtime.replicas.find((r) => r.replicationState === 'ACTIVE' && r.sourceStageArn === input.sourceStageArn &&
      r.destinationStageArn === input.destinationStageArn && r.participantId === input.participantId)
    if (!replica) throw notFound(`Participant ${input.participantId} is not being replicated from ${input.sourceStageArn} to ${input.destinationStageArn}`)
    stopReplica(ctx, replica)
    return {}
  },

  ListParticipantReplicas(input, ctx) {
    requireStage(ctx, input.sourceStageArn)
    const replicas = ctx.state.realtime.replicas.filter((r) => r.sourceStageArn === input.sourceStageArn && r.participantId === input.participantId)
    const page = paginate(replicas, input, 50, ['ListParticipantReplicas', input.sourceStageArn, input.participantId])
    return { replicas: page.items.map(({ seq: _seq, ...r }) => r), nextToken: page.nextToken }
  },
} satisfies HandlerTable<Operations>
