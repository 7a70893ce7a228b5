// What a resource learnt from a replayed or proxied answer lacks, filled with the same defaults the
// simulator gives the resources it creates, so it can serve a full Get for something it only saw in a
// List summary.
import type { IdGenerator } from './ids.js'
import type { RegionState } from './region-state.js'
import { channelWithDefaults } from './resources/channels.js'
import { settleRenditions, settleThumbnails } from './resources/recording-configurations.js'

export function completeResource(
  type: string,
  seen: Record<string, unknown>,
  state: RegionState,
  ids: IdGenerator,
): Record<string, unknown> {
  const arn = String(seen.arn)
  const id = arn.slice(arn.lastIndexOf('/') + 1)
  const common = { arn, name: '', tags: {} }
  switch (type) {
    case 'channel':
      return { ...channelWithDefaults({ state, ids }, id, {}), arn }
    case 'stream-key':
      return { arn, tags: {}, channelArn: '', value: `sk_${state.region}_${id}_${ids.alnum(30)}` }
    case 'playback-restriction-policy':
      return { ...common, allowedCountries: [], allowedOrigins: [], enableStrictOriginEnforcement: false }
    case 'recording-configuration':
      return {
        ...common, state: 'ACTIVE', recordingReconnectWindowSeconds: 0,
        thumbnailConfiguration: settleThumbnails(undefined), renditionConfiguration: settleRenditions(undefined),
      }
    case 'playback-key':
      return { ...common, fingerprint: '' }
    default:
      return common
  }
}
