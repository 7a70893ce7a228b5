// Ingest configurations: a stream key an RTMP(S) encoder publishes into a stage with, as one
// participant (CreateIngestConfiguration, Get, List, Update, Delete). RTMP needs insecureIngest
// (M); the key is `rt_<account>_<region>_<id>_<secret>` (CLI example) and sensitive (M). ACTIVE
// while its participant publishes (/_mock/stages/join with the stream key); a configuration in use
// is not deleted unless `force` (M), nor moved to another stage.
import type { IngestConfiguration, IngestConfigurationSummary, Operations } from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { checkAttributes } from './participant-tokens.js'
import { connectedParticipant, leaveStage } from './participants.js'
import { realtimeArn } from './realtime-arn.js'
import { conflict, notFound, validationError } from './realtime-errors.js'
import type { IngestConfigurationRecord } from './realtime-state.js'
import { requireStage } from './require-stage.js'

function requireIngest(ctx: SimContext, arn: string): IngestConfigurationRecord {
  const record = ctx.state.realtime.ingestConfigurations.get(arn)
  if (!record) throw notFound(`Ingest configuration not found: ${arn}`)
  return record
}

function toSummary(r: IngestConfigurationRecord): IngestConfigurationSummary {
  return {
    name: r.name, arn: r.arn, ingestProtocol: r.ingestProtocol, stageArn: r.stageArn, participantId: r.participantId,
    state: r.state, userId: r.userId, redundantIngest: r.redundantIngest,
  }
}

function toIngest(r: IngestConfigurationRecord): IngestConfiguration {
  return { ...toSummary(r), streamKey: r.streamKey, attributes: { ...r.attributes }, tags: { ...r.tags } }
}

/** Disconnects the configuration's publishing participant, if any. */
function disconnect(ctx: SimContext, r: IngestConfigurationRecord): void {
  const stage = r.stageArn ? ctx.state.realtime.stages.get(r.stageArn) : undefined
  const participant = stage && connectedParticipant(ctx, stage, r.participantId)
  if (stage && participant) leaveStage(ctx, stage, participant)
}

export const ingestConfigurationHandlers = {
  CreateIngestConfiguration(input, ctx) {
    checkTagKeys(input.tags)
    checkAttributes(input.attributes)
    const insecureIngest = input.insecureIngest ?? false
    if (input.ingestProtocol === 'RTMP' && !insecureIngest) {
      throw validationError('ingestProtocol RTMP requires insecureIngest to be true')
    }
    const stageArn = input.stageArn ?? ''
    if (stageArn !== '') requireStage(ctx, stageArn)
    const { state, ids } = ctx
    const id = ids.alnum(12)
    const record: IngestConfigurationRecord = {
      arn: realtimeArn(state.region, state.accountId, 'ingest-configuration', id),
      name: input.name ?? '',
      ingestProtocol: input.ingestProtocol,
      streamKey: `rt_${state.accountId}_${state.region}_${id}_${ids.alnum(28)}`,
      stageArn,
      participantId: ids.alnum(12),
      state: 'INACTIVE',
      userId: input.userId ?? '',
      attributes: { ...input.attributes },
      insecureIngest,
      redundantIngest: input.redundantIngest ?? false,
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.realtime.ingestConfigurations.put(record)
    return { ingestConfiguration: toIngest(record) }
  },

  GetIngestConfiguration(input, ctx) {
    return { ingestConfiguration: toIngest(requireIngest(ctx, input.arn)) }
  },

  ListIngestConfigurations(input, ctx) {
    const matches = [...ctx.state.realtime.ingestConfigurations.values()].filter((r) =>
      (input.filterByStageArn === undefined || r.stageArn === input.filterByStageArn) &&
      (input.filterByState === undefined || r.state === input.filterByState))
    const page = paginate(matches, input, 50, ['ListIngestConfigurations', input.filterByStageArn, input.filterByState])
    return { ingestConfigurations: page.items.map(toSummary), nextToken: page.nextToken }
  },

  UpdateIngestConfiguration(input, ctx) {
    const record = requireIngest(ctx, input.arn)
    if (input.stageArn !== undefined && input.stageArn !== record.stageArn) {
      if (record.state === 'ACTIVE') throw conflict(`Ingest configuration ${record.arn} is publishing to ${record.stageArn}; stop it before moving it`)
      if (input.stageArn !== '') requireStage(ctx, input.stageArn)
      record.stageArn = input.stageArn
    }
    if (input.redundantIngest !== undefined) record.redundantIngest = input.redundantIngest
    return { ingestConfiguration: toIngest(record) }
  },

  DeleteIngestConfiguration(input, ctx) {
    const record = requireIngest(ctx, input.arn)
    if (record.state === 'ACTIVE') {
      if (!input.force) throw conflict(`Ingest configuration ${record.arn} is publishing; stop it or delete with force`)
      disconnect(ctx, record)
    }
    ctx.state.realtime.ingestConfigurations.delete(record.arn)
    return {}
  },
} satisfies HandlerTable<Operations>
