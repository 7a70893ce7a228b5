// Encoder configurations (a composition's output video settings) and storage configurations (the
// S3 bucket compositions and participant recordings write to): create, get, list, delete. Neither
// can be deleted while a composition that is not STOPPED uses it (409, M).
import type {
  EncoderConfiguration, EncoderConfigurationSummary, Operations, StorageConfiguration,
} from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { realtimeArn } from './realtime-arn.js'
import { conflict, notFound, validationError } from './realtime-errors.js'
import type { CompositionRecord, EncoderConfigurationRecord, StorageConfigurationRecord } from './realtime-state.js'

/** "the maximum total pixels is 2073600 (1920x1080 or 1080x1920)"; width and height even (M, Video). */
const MAX_PIXELS = 2_073_600

export function requireEncoderConfiguration(ctx: SimContext, arn: string): EncoderConfigurationRecord {
  const record = ctx.state.realtime.encoderConfigurations.get(arn)
  if (!record) throw notFound(`Encoder configuration not found: ${arn}`)
  return record
}

export function requireStorageConfiguration(ctx: SimContext, arn: string): StorageConfigurationRecord {
  const record = ctx.state.realtime.storageConfigurations.get(arn)
  if (!record) throw notFound(`Storage configuration not found: ${arn}`)
  return record
}

const running = (c: CompositionRecord) => c.state !== 'STOPPED' && c.state !== 'FAILED'

function usingComposition(ctx: SimContext, uses: (c: CompositionRecord) => boolean): CompositionRecord | undefined {
  return [...ctx.state.realtime.compositions.values()].find((c) => running(c) && uses(c))
}

const toEncoder = (r: EncoderConfigurationRecord): EncoderConfiguration => ({ arn: r.arn, name: r.name, video: r.video, tags: { ...r.tags } })
const toEncoderSummary = (r: EncoderConfigurationRecord): EncoderConfigurationSummary => ({ arn: r.arn, name: r.name, tags: { ...r.tags } })
const toStorage = (r: StorageConfigurationRecord): StorageConfiguration => ({ arn: r.arn, name: r.name, s3: { ...r.s3 }, tags: { ...r.tags } })

export const encoderConfigurationHandlers = {
  CreateEncoderConfiguration(input, ctx) {
    checkTagKeys(input.tags)
    const video = {
      width: input.video?.width ?? 1280,
      height: input.video?.height ?? 720,
      framerate: input.video?.framerate ?? 30,
      bitrate: input.video?.bitrate ?? 2_500_000,
    }
    if (video.width % 2 !== 0 || video.height % 2 !== 0) throw validationError('video width and height must be even numbers')
    if (video.width * video.height > MAX_PIXELS) {
      throw validationError(`video width times height may be at most ${MAX_PIXELS} pixels (1920x1080 or 1080x1920); got ${video.width}x${video.height}`)
    }
    const { state, ids } = ctx
    const record: EncoderConfigurationRecord = {
      arn: realtimeArn(state.region, state.accountId, 'encoder-configuration', ids.alnum(12)),
      name: input.name ?? '',
      video,
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.realtime.encoderConfigurations.put(record)
    return { encoderConfiguration: toEncoder(record) }
  },

  GetEncoderConfiguration(input, ctx) {
    return { encoderConfiguration: toEncoder(requireEncoderConfiguration(ctx, input.arn)) }
  },

  ListEncoderConfigurations(input, ctx) {
    const page = paginate(ctx.state.realtime.encoderConfigurations.values(), input, 100, 'ListEncoderConfigurations')
    return { encoderConfigurations: page.items.map(toEncoderSummary), nextToken: page.nextToken }
  },

  DeleteEncoderConfiguration(input, ctx) {
    const record = requireEncoderConfiguration(ctx, input.arn)
    const user = usingComposition(ctx, (c) => c.destinations.some((d) =>
      d.configuration.channel?.encoderConfigurationArn === record.arn || d.configuration.s3?.encoderConfigurationArns.includes(record.arn)))
    if (user) throw conflict(`Encoder configuration ${record.arn} is used by composition ${user.arn}; stop it first`)
    ctx.state.realtime.encoderConfigurations.delete(record.arn)
    return {}
  },

  CreateStorageConfiguration(input, ctx) {
    checkTagKeys(input.tags)
    const { state, ids } = ctx
    const record: StorageConfigurationRecord = {
      arn: realtimeArn(state.region, state.accountId, 'storage-configuration', ids.alnum(12)),
      name: input.name ?? '',
      s3: { bucketName: input.s3.bucketName },
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.realtime.storageConfigurations.put(record)
    return { storageConfiguration: toStorage(record) }
  },

  GetStorageConfiguration(input, ctx) {
    return { storageConfiguration: toStorage(requireStorageConfiguration(ctx, input.arn)) }
  },

  ListStorageConfigurations(input, ctx) {
    const page = paginate(ctx.state.realtime.storageConfigurations.values(), input, 100, 'ListStorageConfigurations')
    return { storageConfigurations: page.items.map(toStorage), nextToken: page.nextToken }
  },

  DeleteStorageConfiguration(input, ctx) {
    const record = requireStorageConfiguration(ctx, input.arn)
    const user = usingComposition(ctx, (c) => c.destinations.some((d) => d.configuration.s3?.storageConfigurationArn === record.arn))
    if (user) throw conflict(`Storage configuration ${record.arn} is used by composition ${user.arn}; stop it first`)
    ctx.state.realtime.storageConfigurations.delete(record.arn)
    return {}
  },
} satisfies HandlerTable<Operations>
