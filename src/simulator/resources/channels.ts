// Channels: CreateChannel (with its stream key), GetChannel, BatchGetChannel, ListChannels,
// UpdateChannel, DeleteChannel. Defaults and cross-field rules per docs/ivs-behavior.md §4–§5.
import type {
  Channel, ChannelType, ContainerFormat, CreateChannelRequest, MultitrackInputConfiguration, UpdateChannelRequest,
} from '../../model/ivs/types.js'
import { conflict, notFound, validationError } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import type { ChannelRecord, RegionState } from '../region-state.js'
import { requireChannel } from './require-channel.js'
import { createStreamKey } from './stream-keys.js'
import { checkTagKeys } from './tags.js'

/** SRT passphrases are 79 alphanumerics in real answers, the SRT maximum. */
const SRT_PASSPHRASE_LENGTH = 79

/** The record as the model's Channel (the record's wider `preset` type is IVS's real `""`). */
export function toChannel(record: ChannelRecord): Channel {
  return record as Channel
}

function defaultPreset(type: ChannelType): ChannelRecord['preset'] {
  return type === 'ADVANCED_HD' || type === 'ADVANCED_SD' ? 'HIGHER_BANDWIDTH_DELIVERY' : ''
}

const defaultMultitrack: Required<MultitrackInputConfiguration> = {
  enabled: false,
  maximumResolution: 'FULL_HD',
  policy: 'ALLOW',
}

/** Resources a channel may reference must exist in the caller's account and region ("" detaches). */
function checkReferences(ctx: SimContext, input: CreateChannelRequest | UpdateChannelRequest): void {
  const refs: [string | undefined, string, { has(arn: string): boolean }][] = [
    [input.recordingConfigurationArn, 'Recording configuration', ctx.state.recordingConfigurations],
    [input.playbackRestrictionPolicyArn, 'Playback restriction policy', ctx.state.playbackRestrictionPolicies],
    [input.adConfigurationArn, 'Ad configuration', ctx.state.adConfigurations],
  ]
  for (const [arn, what, table] of refs) {
    if (arn && !table.has(arn)) throw notFound(`${what} not found: ${arn}`)
  }
}

/** The cross-field rules the model states in prose; the result is the channel's settled settings. */
function settle(channel: ChannelRecord, input: CreateChannelRequest | UpdateChannelRequest): void {
  const typeChanged = input.type !== undefined && input.type !== channel.type
  if (input.type !== undefined) channel.type = input.type
  if (input.preset !== undefined) {
    if (channel.type !== 'ADVANCED_HD' && channel.type !== 'ADVANCED_SD') {
      throw validationError(`preset is selectable only for ADVANCED_HD and ADVANCED_SD channels, not ${channel.type}`)
    }
    channel.preset = input.preset
  } else if (typeChanged) {
    channel.preset = defaultPreset(channel.type)
  }
  if (input.containerFormat !== undefined) channel.containerFormat = input.containerFormat
  if (input.multitrackInputConfiguration !== undefined) {
    // Members not given keep their value: `{enabled: false}` keeps maximumResolution and policy.
    channel.multitrackInputConfiguration = { ...channel.multitrackInputConfiguration, ...input.multitrackInputConfiguration }
  }
  const multitrack = channel.multitrackInputConfiguration
  if (multitrack.enabled) {
    if (channel.type !== 'STANDARD') {
      throw validationError(`multitrackInputConfiguration can be enabled only for STANDARD channels, not ${channel.type}`)
    }
    const format: ContainerFormat = channel.containerFormat
    if (format !== 'FRAGMENTED_MP4') {
      throw validationError('containerFormat must be FRAGMENTED_MP4 when multitrackInputConfiguration is enabled')
    }
  }
}

export function newChannel(ctx: SimContext, input: CreateChannelRequest): ChannelRecord {
  return channelWithDefaults(ctx, ctx.ids.alnum(12), input)
}

/** A channel with this id: the input's settings, IVS's defaults for the rest (also how a channel known
 * only from a replayed summary is completed). */
export function channelWithDefaults(ctx: Pick<SimContext, 'state' | 'ids'>, id: string, input: CreateChannelRequest): ChannelRecord {
  const { state, ids } = ctx
  const type = input.type ?? 'STANDARD'
  const channel: ChannelRecord = {
    arn: formatArn(state.region, state.accountId, 'channel', id),
    name: input.name ?? '',
    latencyMode: input.latencyMode ?? 'LOW',
    type,
    recordingConfigurationArn: input.recordingConfigurationArn ?? '',
    ingestEndpoint: `${state.hostPrefix}.global-contribute.live-video.net`,
    playbackUrl:
      `https://${state.hostPrefix}.${state.region}.playback.live-video.net/api/video/v1/` +
      `${state.region}.${state.accountId}.channel.${id}.m3u8`,
    authorized: input.authorized ?? false,
    tags: { ...input.tags },
    insecureIngest: input.insecureIngest ?? false,
    preset: defaultPreset(type),
    srt: { endpoint: `${state.hostPrefix}.srt.live-video.net`, passphrase: ids.alnum(SRT_PASSPHRASE_LENGTH) },
    playbackRestrictionPolicyArn: input.playbackRestrictionPolicyArn ?? '',
    multitrackInputConfiguration: { ...defaultMultitrack },
    containerFormat: 'TS',
    adConfigurationArn: input.adConfigurationArn ?? '',
    seq: 0,
  }
  settle(channel, { ...input, type: undefined })
  return channel
}

export const channelHandlers = {
  CreateChannel(input, ctx) {
    checkTagKeys(input.tags)
    checkReferences(ctx, input)
    const channel = newChannel(ctx, input)
    channel.seq = ctx.state.nextSeq()
    ctx.state.channels.put(channel)
    const streamKey = createStreamKey(ctx, channel.arn)
    return { channel: toChannel(channel), streamKey }
  },

  GetChannel(input, ctx) {
    return { channel: toChannel(requireChannel(ctx.state, input.arn)) }
  },

  BatchGetChannel(input, ctx) {
    const channels: Channel[] = []
    const errors = []
    for (const arn of new Set(input.arns)) {
      const channel = ctx.state.channels.get(arn)
      if (channel) channels.push(toChannel(channel))
      else errors.push({ arn, code: 'ResourceNotFoundException', message: `Channel not found: ${arn}` })
    }
    return { channels, errors }
  },

  ListChannels(input, ctx) {
    // "" is the same as no filter; two filters at once are refused (409, as IVS documents).
    const filters = {
      name: input.filterByName || undefined,
      recordingConfigurationArn: input.filterByRecordingConfigurationArn || undefined,
      playbackRestrictionPolicyArn: input.filterByPlaybackRestrictionPolicyArn || undefined,
      adConfigurationArn: input.filterByAdConfigurationArn || undefined,
    }
    const given = Object.entries(filters).filter(([, v]) => v !== undefined)
    if (given.length > 1) {
      throw conflict(`Only one filter may be given at a time; got ${given.map(([k]) => k).join(' and ')}`)
    }
    const matching = given.length === 0 ? ctx.state.channels.values() : filter(ctx.state, given[0][0], given[0][1]!)
    const page = paginate(matching, input, 100, filters)
    return { channels: page.items.map(toChannel), nextToken: page.nextToken }
  },

  UpdateChannel(input, ctx) {
    const current = requireChannel(ctx.state, input.arn)
    // A live channel refuses updates and deletes (409); the region's stream state knows which are live.
    if (ctx.state.streams.isLive(current.arn)) throw conflict(`Channel ${current.arn} is live; live channels cannot be updated`)
    checkReferences(ctx, input)
    // Work on a copy so that a refused update changes nothing.
    const next: ChannelRecord = structuredClone(current)
    const { arn: _arn, type: _type, preset: _preset, multitrackInputConfiguration: _m, containerFormat: _c, ...plain } = input
    Object.assign(next, Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined)))
    settle(next, input)
    ctx.state.channels.put(next)
    return { channel: toChannel(next) }
  },

  DeleteChannel(input, ctx) {
    const channel = requireChannel(ctx.state, input.arn)
    if (ctx.state.streams.isLive(channel.arn)) {
      throw conflict(`Channel ${channel.arn} is live; call StopStream and wait for the Stream End event before deleting it`)
    }
    for (const key of [...ctx.state.streamKeys.values()]) {
      if (key.channelArn === channel.arn) ctx.state.streamKeys.delete(key.arn)
    }
    ctx.state.channels.delete(channel.arn)
  },
} satisfies HandlerTable

function* filter(state: RegionState, field: string, value: string): Generator<ChannelRecord> {
  for (const channel of state.channels.values()) {
    if ((channel as unknown as Record<string, unknown>)[field] === value) yield channel
  }
}
