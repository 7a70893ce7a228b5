// Where a channel's playbackUrl points: `/api/video/v1/<region>.<account>.channel.<id>.m3u8` on the
// account's playback host (UG "Getting Started"; the simulator builds the same URL in channels.ts).
// On ivs-replay's own port the host part is ignored: the path alone names the channel.
import { formatArn } from '../simulator/arn.js'

export const PLAYBACK_PREFIX = '/api/video/v1/'

export interface PlaybackTarget {
  readonly region: string
  readonly accountId: string
  readonly channelArn: string
}

const PATH = /^\/api\/video\/v1\/([a-z0-9-]+)\.(\d+)\.channel\.([a-zA-Z0-9-]+)\.m3u8$/

/** The channel a playback path names, or undefined for any other path under the prefix. */
export function parsePlaybackPath(path: string): PlaybackTarget | undefined {
  const m = PATH.exec(path)
  if (!m) return undefined
  const [, region, accountId, id] = m
  return { region, accountId, channelArn: formatArn(region, accountId, 'channel', id) }
}
