// Recording configurations: Create, Get, List, Delete (there is no update). Defaults and cross-field
// rules per docs/ivs-behavior.md §4; a configuration referenced by a channel cannot be deleted (§5).
import type {
  CreateRecordingConfigurationRequest, RecordingConfiguration, RecordingConfigurationSummary, RenditionConfiguration,
  ThumbnailConfiguration,
} from '../../model/ivs/types.js'
import { notFound, validationError } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import type { RecordingConfigurationRecord, RegionState } from '../region-state.js'
import { refuseDeleteWhileReferenced } from './channel-references.js'
import { checkTagKeys } from './tags.js'

const DEFAULT_THUMBNAIL_INTERVAL_SECONDS = 60

function requireRecordingConfiguration(state: RegionState, arn: string): RecordingConfigurationRecord {
  const config = state.recordingConfigurations.get(arn)
  if (!config) throw notFound(`Recording configuration not found: ${arn}`)
  return config
}

/**
 * Defaults filled and the interval rule applied: `targetIntervalSeconds` is "configurable (and
 * required) only if recordingMode is INTERVAL" (M), so it is refused with DISABLED and absent there.
 * No `resolution` unless given: its default is null, "source resolution" (M).
 */
export function settleThumbnails(given: ThumbnailConfiguration | undefined): ThumbnailConfiguration {
  const recordingMode = given?.recordingMode ?? 'INTERVAL'
  if (recordingMode !== 'INTERVAL' && given?.targetIntervalSeconds !== undefined) {
    throw validationError(
      `thumbnailConfiguration.targetIntervalSeconds can be set only when recordingMode is INTERVAL, not ${recordingMode}`,
    )
  }
  const settled: ThumbnailConfiguration = { recordingMode, storage: [...(given?.storage ?? ['SEQUENTIAL'])] }
  if (recordingMode === 'INTERVAL') {
    settled.targetIntervalSeconds = given?.targetIntervalSeconds ?? DEFAULT_THUMBNAIL_INTERVAL_SECONDS
  }
  if (given?.resolution !== undefined) settled.resolution = given.resolution
  return settled
}

/** CUSTOM "must" name its renditions (M); with ALL or NONE the list is irrelevant and kept as given. */
export function settleRenditions(given: RenditionConfiguration | undefined): RenditionConfiguration {
  const renditionSelection = given?.renditionSelection ?? 'ALL'
  const renditions = [...(given?.renditions ?? [])]
  if (renditionSelection === 'CUSTOM' && renditions.length === 0) {
    throw validationError('renditionConfiguration.renditions must name at least one rendition when renditionSelection is CUSTOM')
  }
  return { renditionSelection, renditions }
}

function newRecordingConfiguration(ctx: SimContext, input: CreateRecordingConfigurationRequest): RecordingConfigurationRecord {
  const { state, ids } = ctx
  // "For recording, you define one and only one type of destination configuration" (M); S3 is the
  // only type the model has, so it is the one.
  const s3 = input.destinationConfiguration.s3
  if (!s3) {
    throw validationError('destinationConfiguration must define exactly one destination; s3 is the only supported type')
  }
  const thumbnailConfiguration = settleThumbnails(input.thumbnailConfiguration)
  const renditionConfiguration = settleRenditions(input.renditionConfiguration)
  // The id is drawn only once the input is accepted, so a refused call leaves a seeded run's ids as they were.
  return {
    arn: formatArn(state.region, state.accountId, 'recording-configuration', ids.alnum(12)),
    name: input.name ?? '',
    destinationConfiguration: { s3: { bucketName: s3.bucketName } },
    // S3 is out of reach, so creation always succeeds: ACTIVE from the first read on (docs/ivs-behavior.md §9 #4).
    state: 'ACTIVE',
    tags: { ...input.tags },
    thumbnailConfiguration,
    recordingReconnectWindowSeconds: input.recordingReconnectWindowSeconds ?? 0,
    renditionConfiguration,
    seq: 0,
  }
}

/** A deep copy, so an answer never aliases stored state. */
export function toRecordingConfiguration(record: RecordingConfigurationRecord): RecordingConfiguration {
  const { seq: _seq, ...config } = structuredClone(record)
  return config
}

function toSummary(record: RecordingConfigurationRecord): RecordingConfigurationSummary {
  return {
    arn: record.arn,
    name: record.name,
    destinationConfiguration: structuredClone(record.destinationConfiguration),
    state: record.state,
    tags: { ...record.tags },
  }
}

export const recordingConfigurationHandlers = {
  CreateRecordingConfiguration(input, ctx) {
    checkTagKeys(input.tags)
    const record = newRecordingConfiguration(ctx, input)
    record.seq = ctx.state.nextSeq()
    ctx.state.recordingConfigurations.put(record)
    // The create answer shows the configuration still being set up (CLI:create-recording-configuration).
    return { recordingConfiguration: { ...toRecordingConfiguration(record), state: 'CREATING' } }
  },

  GetRecordingConfiguration(input, ctx) {
    return { recordingConfiguration: toRecordingConfiguration(requireRecordingConfiguration(ctx.state, input.arn)) }
  },

  ListRecordingConfigurations(input, ctx) {
    const page = paginate(ctx.state.recordingConfigurations.values(), input, 100, 'ListRecordingConfigurations')
    return { recordingConfigurations: page.items.map(toSummary), nextToken: page.nextToken }
  },

  DeleteRecordingConfiguration(input, ctx) {
    const config = requireRecordingConfiguration(ctx.state, input.arn)
    refuseDeleteWhileReferenced(ctx.state, 'recordingConfigurationArn', config.arn, 'Recording configuration')
    ctx.state.recordingConfigurations.delete(config.arn)
  },
} satisfies HandlerTable
