// The library's `playbackUrl(channel)`: a channel's playbackUrl (an https URL on the account's
// playback host) mapped to the same path on this ivs-replay, where the playback edge answers it.

/** Anything with a playbackUrl (a Channel from the SDK), or the URL itself. */
export type HasPlaybackUrl = string | { readonly playbackUrl?: string }

export function localPlaybackUrl(endpoint: string, channel: HasPlaybackUrl): string {
  const url = typeof channel === 'string' ? channel : channel.playbackUrl
  if (!url) throw new TypeError('playbackUrl: the channel has no playbackUrl')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(`playbackUrl: not a URL: ${url}`)
  }
  return `${endpoint}${parsed.pathname}${parsed.search}`
}
