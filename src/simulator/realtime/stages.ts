// Stages: CreateStage (with its participant tokens), GetStage, UpdateStage, DeleteStage,
// ListStages, and CreateParticipantToken, which issues a token for a stage.
import type {
  AutoParticipantRecordingConfiguration, Operations, Stage, StageSummary,
} from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { stopComposition } from './compositions.js'
import { issueToken } from './participant-tokens.js'
import { endSession, leaveStage } from './participants.js'
import { realtimeArn } from './realtime-arn.js'
import { requireStage } from './require-stage.js'
import { notFound } from './realtime-errors.js'
import type { StageRecord } from './realtime-state.js'

/** The defaults IVS answers with (M; the CLI's create-stage example shows them all). */
function recordingConfiguration(
  ctx: SimContext,
  given: AutoParticipantRecordingConfiguration | undefined,
): Required<AutoParticipantRecordingConfiguration> {
  const storageConfigurationArn = given?.storageConfigurationArn ?? ''
  if (storageConfigurationArn !== '' && !ctx.state.realtime.storageConfigurations.has(storageConfigurationArn)) {
    throw notFound(`Storage configuration not found: ${storageConfigurationArn}`)
  }
  const thumbnail = given?.thumbnailConfiguration
  return {
    storageConfigurationArn,
    mediaTypes: given?.mediaTypes ?? ['AUDIO_VIDEO'],
    thumbnailConfiguration: {
      targetIntervalSeconds: thumbnail?.targetIntervalSeconds ?? 60,
      storage: thumbnail?.storage ?? ['SEQUENTIAL'],
      recordingMode: thumbnail?.recordingMode ?? 'DISABLED',
    },
    recordingReconnectWindowSeconds: given?.recordingReconnectWindowSeconds ?? 0,
    hlsConfiguration: { targetSegmentDurationSeconds: given?.hlsConfiguration?.targetSegmentDurationSeconds ?? 6 },
    recordParticipantReplicas: given?.recordParticipantReplicas ?? true,
  }
}

function toStage(record: StageRecord): Stage {
  return {
    arn: record.arn,
    name: record.name,
    activeSessionId: record.activeSessionId,
    tags: { ...record.tags },
    autoParticipantRecordingConfiguration: record.autoParticipantRecordingConfiguration,
    endpoints: record.endpoints,
  }
}

function toSummary(record: StageRecord): StageSummary {
  return { arn: record.arn, name: record.name, activeSessionId: record.activeSessionId, tags: { ...record.tags } }
}

export const stageHandlers = {
  CreateStage(input, ctx) {
    const { state, ids } = ctx
    checkTagKeys(input.tags)
    const host = state.hostPrefix
    const record: StageRecord = {
      arn: realtimeArn(state.region, state.accountId, 'stage', ids.alnum(12)),
      name: input.name ?? '',
      tags: { ...input.tags },
      autoParticipantRecordingConfiguration: recordingConfiguration(ctx, input.autoParticipantRecordingConfiguration),
      endpoints: {
        events: 'wss://global.events.live-video.net',
        whip: `https://${host}.global-bm.whip.live-video.net`,
        rtmp: `rtmp://${host}.global-contribute.live-video.net/app/`,
        rtmps: `rtmps://${host}.global-contribute.live-video.net:443/app/`,
      },
      seq: state.nextSeq(),
    }
    // Tokens are checked before the stage is stored: a bad configuration creates nothing.
    const participantTokens = (input.participantTokenConfigurations ?? []).map((config) => issueToken(ctx, record, config))
    state.realtime.stages.put(record)
    return { stage: toStage(record), participantTokens }
  },

  GetStage(input, ctx) {
    return { stage: toStage(requireStage(ctx, input.arn)) }
  },

  UpdateStage(input, ctx) {
    const stage = requireStage(ctx, input.arn)
    if (input.name !== undefined) stage.name = input.name
    if (input.autoParticipantRecordingConfiguration !== undefined) {
      stage.autoParticipantRecordingConfiguration = recordingConfiguration(ctx, input.autoParticipantRecordingConfiguration)
    }
    return { stage: toStage(stage) }
  },

  DeleteStage(input, ctx) {
    const stage = requireStage(ctx, input.arn)
    const realtime = ctx.state.realtime
    // "Shuts down and deletes the specified stage (disconnecting all participants). This operation
    // also removes the stageArn from the associated IngestConfiguration" (M).
    for (const p of realtime.participants.values()) {
      if (p.stageArn === stage.arn && p.state === 'CONNECTED') leaveStage(ctx, stage, p)
    }
    if (stage.activeSessionId) endSession(ctx, stage)
    for (const c of realtime.compositions.values()) if (c.stageArn === stage.arn) stopComposition(ctx, c)
    for (const ic of realtime.ingestConfigurations.values()) if (ic.stageArn === stage.arn) ic.stageArn = ''
    realtime.stages.delete(stage.arn)
    return {}
  },

  ListStages(input, ctx) {
    const page = paginate(ctx.state.realtime.stages.values(), input, 50, 'ListStages')
    return { stages: page.items.map(toSummary), nextToken: page.nextToken }
  },

  CreateParticipantToken(input, ctx) {
    const stage = requireStage(ctx, input.stageArn)
    return { participantToken: issueToken(ctx, stage, input) }
  },
} satisfies HandlerTable<Operations>
