// What a resource learnt from a replayed or proxied answer lacks, filled with IVS's defaults, so the
// simulator can serve a full Get for something it only saw in a List summary.
import type { RegionState } from './region-state.js'
import type { IdGenerator } from './ids.js'

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
    case 'channel': {
      const { hostPrefix, region, accountId } = state
      return {
        ...common,
        latencyMode: 'LOW', type: 'STANDARD', recordingConfigurationArn: '', authorized: false, insecureIngest: false,
        ingestEndpoint: `${hostPrefix}.global-contribute.live-video.net`,
        playbackUrl: `https://${hostPrefix}.${region}.playback.live-video.net/api/video/v1/${region}.${accountId}.channel.${id}.m3u8`,
        preset: '', srt: { endpoint: `${hostPrefix}.srt.live-video.net`, passphrase: ids.alnum(79) },
        playbackRestrictionPolicyArn: '', multitrackInputConfiguration: { enabled: false, maximumResolution: 'FULL_HD', policy: 'ALLOW' },
        containerFormat: 'TS', adConfigurationArn: '',
      }
    }
    case 'stream-key': {
      const { arn: _arn, name: _name, ...rest } = common
      return { ...rest, arn, channelArn: '', value: `sk_${state.region}_${id}_${ids.alnum(30)}` }
    }
    case 'playback-restriction-policy':
      return { ...common, allowedCountries: [], allowedOrigins: [], enableStrictOriginEnforcement: false }
    case 'recording-configuration':
      return {
        ...common, state: 'ACTIVE', recordingReconnectWindowSeconds: 0,
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 60, storage: ['SEQUENTIAL'] },
        renditionConfiguration: { renditionSelection: 'ALL', renditions: [] },
      }
    case 'playback-key':
      return { ...common, fingerprint: '' }
    default:
      return common
  }
}
