// Compositions: StartComposition mixes a stage's participants into one output sent to up to two
// destinations (an IVS channel of this same simulated account and region, and/or S3 through a
// storage configuration); GetComposition, ListCompositions, StopComposition. State machine
// STARTING → ACTIVE → STOPPING → STOPPED (docs/ivs-behavior.md §15): StartComposition answers
// STARTING and the composition is ACTIVE at once after; StopComposition takes it through STOPPING
// to STOPPED. Each step emits "IVS Composition State Change".
import type {
  Composition, CompositionSummary, Destination, DestinationConfiguration, LayoutConfiguration, Operations,
} from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import { requireEncoderConfiguration, requireStorageConfiguration } from './encoder-configurations.js'
import { emitRealtimeEvent } from './realtime-events.js'
import { arnId, realtimeArn } from './realtime-arn.js'
import { notFound, validationError } from './realtime-errors.js'
import type { CompositionRecord } from './realtime-state.js'
import { requireStage } from './require-stage.js'

function requireComposition(ctx: SimContext, arn: string): CompositionRecord {
  const record = ctx.state.realtime.compositions.get(arn)
  if (!record) throw notFound(`Composition not found: ${arn}`)
  return record
}

/** The defaults IVS fills in (M, GridConfiguration and PipConfiguration; the CLI's start-composition example). */
function layoutOf(given: LayoutConfiguration | undefined): LayoutConfiguration {
  if (given?.grid && given.pip) throw validationError('layout takes one of grid or pip, not both')
  if (given?.pip) {
    const p = given.pip
    return {
      pip: {
        featuredParticipantAttribute: p.featuredParticipantAttribute ?? '',
        omitStoppedVideo: p.omitStoppedVideo ?? false,
        videoFillMode: p.videoFillMode ?? 'COVER',
        gridGap: p.gridGap ?? 0,
        pipParticipantAttribute: p.pipParticipantAttribute ?? '',
        pipBehavior: p.pipBehavior ?? 'STATIC',
        pipOffset: p.pipOffset ?? 0,
        pipPosition: p.pipPosition ?? 'BOTTOM_RIGHT',
        pipWidth: p.pipWidth,
        pipHeight: p.pipHeight,
        participantOrderAttribute: p.participantOrderAttribute ?? '',
      },
    }
  }
  const g = given?.grid
  return {
    grid: {
      featuredParticipantAttribute: g?.featuredParticipantAttribute ?? '',
      omitStoppedVideo: g?.omitStoppedVideo ?? false,
      videoAspectRatio: g?.videoAspectRatio ?? 'VIDEO',
      // The example answers "" when it is not set: COVER/CONTAIN then depend on the slot (M).
      videoFillMode: g?.videoFillMode,
      gridGap: g?.gridGap ?? 2,
      participantOrderAttribute: g?.participantOrderAttribute ?? '',
    },
  }
}

function destinationOf(ctx: SimContext, config: DestinationConfiguration, compositionId: string, stageId: string): Destination {
  if ((config.channel === undefined) === (config.s3 === undefined)) {
    throw validationError('each destination takes exactly one of channel or s3')
  }
  const id = ctx.ids.alnum(12)
  if (config.channel) {
    // The channel must be one of this account+region's ivs channels (the same server simulates both).
    if (!ctx.state.channels.has(config.channel.channelArn)) throw notFound(`Channel not found: ${config.channel.channelArn}`)
    if (config.channel.encoderConfigurationArn) requireEncoderConfiguration(ctx, config.channel.encoderConfigurationArn)
    return { id, state: 'STARTING', configuration: { name: config.name ?? '', channel: { ...config.channel } } }
  }
  const s3 = config.s3!
  requireStorageConfiguration(ctx, s3.storageConfigurationArn)
  if (s3.encoderConfigurationArns.length === 0) throw validationError('an s3 destination needs at least one encoderConfigurationArn')
  for (const arn of s3.encoderConfigurationArns) requireEncoderConfiguration(ctx, arn)
  return {
    id,
    state: 'STARTING',
    configuration: {
      name: config.name ?? '',
      s3: {
        ...s3,
        recordingConfiguration: {
          format: s3.recordingConfiguration?.format ?? 'HLS',
          hlsConfiguration: { targetSegmentDurationSeconds: s3.recordingConfiguration?.hlsConfiguration?.targetSegmentDurationSeconds ?? 2 },
        },
      },
    },
    detail: { s3: { recordingPrefix: `${stageId}/${compositionId}/${id}/composite` } },
  }
}

function toComposition(r: CompositionRecord): Composition {
  return {
    arn: r.arn, stageArn: r.stageArn, state: r.state, layout: r.layout, destinations: r.destinations.map((d) => ({ ...d })),
    tags: { ...r.tags }, startTime: r.startTime, endTime: r.endTime,
  }
}

function toSummary(r: CompositionRecord): CompositionSummary {
  return {
    arn: r.arn, stageArn: r.stageArn, state: r.state, tags: { ...r.tags }, startTime: r.startTime, endTime: r.endTime,
    destinations: r.destinations.map(({ id, state, startTime, endTime }) => ({ id, state, startTime, endTime })),
  }
}

function compositionEvent(ctx: SimContext, c: CompositionRecord, name: 'Session Start' | 'Session End' | 'Destination Start' | 'Destination End', id?: string): void {
  emitRealtimeEvent(ctx, 'IVS Composition State Change', c.arn, { event_name: name, stage_arn: c.stageArn, id })
}

/** STOPPING → STOPPED, destinations first. Shared with DeleteStage. */
export function stopComposition(ctx: SimContext, c: CompositionRecord): void {
  if (c.state === 'STOPPED' || c.state === 'FAILED') return
  const time = formatTimestamp(ctx.clock.now())
  c.state = 'STOPPING'
  for (const d of c.destinations) {
    d.state = 'STOPPED'
    d.endTime = time
    compositionEvent(ctx, c, 'Destination End', d.id)
  }
  c.state = 'STOPPED'
  c.endTime = time
  compositionEvent(ctx, c, 'Session End')
}

export const compositionHandlers = {
  StartComposition(input, ctx) {
    checkTagKeys(input.tags)
    const stage = requireStage(ctx, input.stageArn)
    const realtime = ctx.state.realtime
    if (input.idempotencyToken !== undefined) {
      const same = [...realtime.compositions.values()].find((c) => c.idempotencyToken === input.idempotencyToken && c.stageArn === stage.arn)
      if (same) return { composition: toComposition(same) }
    }
    const id = ctx.ids.alnum(12)
    const layout = layoutOf(input.layout)
    const destinations = input.destinations.map((d) => destinationOf(ctx, d, id, arnId(stage.arn)))
    const time = formatTimestamp(ctx.clock.now())
    const record: CompositionRecord = {
      arn: realtimeArn(ctx.state.region, ctx.state.accountId, 'composition', id),
      stageArn: stage.arn,
      state: 'STARTING',
      layout,
      destinations,
      startTime: time,
      idempotencyToken: input.idempotencyToken,
      tags: { ...input.tags },
      seq: ctx.state.nextSeq(),
    }
    realtime.compositions.put(record)
    const answer = toComposition(record)
    // Then at once ACTIVE: nothing in a simulation makes the media pipeline take time.
    record.state = 'ACTIVE'
    compositionEvent(ctx, record, 'Session Start')
    for (const d of record.destinations) {
      d.state = 'ACTIVE'
      d.startTime = time
      compositionEvent(ctx, record, 'Destination Start', d.id)
    }
    return { composition: answer }
  },

  GetComposition(input, ctx) {
    return { composition: toComposition(requireComposition(ctx, input.arn)) }
  },

  ListCompositions(input, ctx) {
    const matches = [...ctx.state.realtime.compositions.values()].filter((c) =>
      (input.filterByStageArn === undefined || c.stageArn === input.filterByStageArn) &&
      (input.filterByEncoderConfigurationArn === undefined || c.destinations.some((d) =>
        d.configuration.channel?.encoderConfigurationArn === input.filterByEncoderConfigurationArn ||
        d.configuration.s3?.encoderConfigurationArns.includes(input.filterByEncoderConfigurationArn!))))
    const page = paginate(matches, input, 100, ['ListCompositions', input.filterByStageArn, input.filterByEncoderConfigurationArn])
    return { compositions: page.items.map(toSummary), nextToken: page.nextToken }
  },

  StopComposition(input, ctx) {
    stopComposition(ctx, requireComposition(ctx, input.arn))
    return {}
  },
} satisfies HandlerTable<Operations>
