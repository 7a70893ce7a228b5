// The multivariant (master) HLS playlist the edge answers for a live channel: one variant per
// rendition IVS transcodes for the channel type (UG "Channel Types": BASIC passes the input through;
// STANDARD transcodes up to 1080p; ADVANCED_HD up to 720p, ADVANCED_SD up to 480p), cut to the
// token's `aws:maximum-resolution` (SD ≤ 480p, HD ≤ 720p, FULL_HD ≤ 1080p). The variant URIs are
// not served: ivs-replay stands in for authorization, not for video.
import type { ChannelType, VideoConfiguration } from '../model/ivs/types.js'

export type MaximumResolution = 'SD' | 'HD' | 'FULL_HD'

export const MAXIMUM_HEIGHT: Readonly<Record<MaximumResolution, number>> = { SD: 480, HD: 720, FULL_HD: 1080 }

interface Rendition {
  readonly name: string
  readonly width: number
  readonly height: number
  readonly fps: number
  readonly bandwidth: number
}

const ladder: readonly Rendition[] = [
  { name: '1080p60', width: 1920, height: 1080, fps: 60, bandwidth: 8_500_000 },
  { name: '720p60', width: 1280, height: 720, fps: 60, bandwidth: 3_500_000 },
  { name: '480p30', width: 852, height: 480, fps: 30, bandwidth: 1_500_000 },
  { name: '360p30', width: 640, height: 360, fps: 30, bandwidth: 700_000 },
  { name: '160p30', width: 284, height: 160, fps: 30, bandwidth: 300_000 },
]

const TOP_HEIGHT: Readonly<Record<ChannelType, number>> = { BASIC: 1080, STANDARD: 1080, ADVANCED_HD: 720, ADVANCED_SD: 480 }

function renditionsFor(type: ChannelType, source: VideoConfiguration): Rendition[] {
  if (type === 'BASIC') {
    // Passed through as sent: one variant, the encoder's own resolution and frame rate.
    const height = source.videoHeight ?? 1080
    return [{
      name: 'source',
      width: source.videoWidth ?? Math.round((height * 16) / 9),
      height,
      fps: source.targetFramerate ?? 30,
      bandwidth: source.targetBitrate ?? 3_500_000,
    }]
  }
  return ladder.filter((r) => r.height <= TOP_HEIGHT[type])
}

export function multivariantPlaylist(channelId: string, type: ChannelType, source: VideoConfiguration, maximum?: MaximumResolution): string {
  const all = renditionsFor(type, source)
  const capped = maximum ? all.filter((r) => r.height <= MAXIMUM_HEIGHT[maximum]) : all
  // A passed-through source above the cap cannot be scaled down; the smallest stays so that the
  // playlist is still playable.
  const renditions = capped.length > 0 ? capped : all.slice(-1)
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS']
  renditions.forEach((r, i) => {
    lines.push(
      `#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="${r.name}",NAME="${r.name}",AUTOSELECT=YES,DEFAULT=${i === 0 ? 'YES' : 'NO'}`,
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},CODECS="avc1.64002A,mp4a.40.2",RESOLUTION=${r.width}x${r.height},VIDEO="${r.name}",FRAME-RATE=${r.fps.toFixed(3)}`,
      `${channelId}/${r.name}.m3u8`,
    )
  })
  return `${lines.join('\n')}\n`
}
