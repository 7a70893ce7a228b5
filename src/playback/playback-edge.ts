// The viewer side of IVS on ivs-replay's own port: a GET of a channel's playbackUrl path answers
// what IVS's playback edge would — the multivariant playlist when the channel is live and playback
// is allowed, the edge's JSON error array otherwise. Players do not sign, so this runs before
// SigV4; it reads the simulator's view of the channel (in hybrid and replay modes that view holds
// what the cassette has replayed, once the dispatcher has settled).
import type { IncomingHttpHeaders } from 'node:http'
import type { Logger } from '../log/logger.js'
import type { HttpAnswer } from '../backend/backend.js'
import type { Simulator } from '../simulator/simulator.js'
import { authorizePlayback } from './playback-authorization.js'
import { multivariantPlaylist } from './multivariant-playlist.js'
import { parsePlaybackPath } from './playback-path.js'

export { PLAYBACK_PREFIX } from './playback-path.js'

export interface PlaybackRequest {
  readonly method: string
  /** The request-target as received (path and query): the edge echoes it in its errors. */
  readonly url: string
  readonly path: string
  readonly rawQuery: string
  readonly headers: IncomingHttpHeaders
}

export interface PlaybackEdgeDeps {
  readonly simulator: Simulator
  /** Brings the simulator up to date with what has been replayed (the control API's `before`). */
  readonly settle: () => Promise<void>
  readonly logger: Logger
}

/** A test names the viewer's country with this header (IVS geolocates the viewer's address). */
export const VIEWER_COUNTRY_HEADER = 'x-ivs-replay-viewer-country'

/**
 * Go's encoding/json escapes <, > and & (and U+2028/9) in strings; the captured refusal shows
 * `\u0026` in its url, so the body is written the same way.
 */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export class PlaybackEdge {
  readonly #deps: PlaybackEdgeDeps

  constructor(deps: PlaybackEdgeDeps) {
    this.#deps = deps
  }

  async handle(req: PlaybackRequest): Promise<HttpAnswer> {
    const origin = header(req.headers, 'origin')
    const cors = { 'Access-Control-Allow-Origin': origin ?? '*' }
    const error = (status: number, message: string, code: string, extra: Record<string, string> = {}): HttpAnswer => {
      this.#deps.logger.debug('playback refused', { url: req.path, status, error: message })
      const body = [{ url: req.url, error: message, error_code: code, type: 'error' }]
      return { status, headers: { 'Content-Type': 'application/json', ...cors, ...extra }, body: Buffer.from(goJson(body)) }
    }
    if (req.method === 'OPTIONS') {
      // A browser's CORS preflight (a page setting the country header, say): allowed, bodiless.
      const requested = header(req.headers, 'access-control-request-headers')
      return {
        status: 204,
        headers: { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD', ...(requested && { 'Access-Control-Allow-Headers': requested }) },
        body: Buffer.alloc(0),
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return error(405, `method ${req.method} is not allowed`, 'method_not_allowed', { Allow: 'GET, HEAD, OPTIONS' })
    }
    // A channel that does not exist looks like one that is not broadcasting. Decided here, as no
    // public capture of IVS's offline answer was found: the edge's refusals are in the error format
    // of Twitch's playback service (its lineage), which answers an offline channel 404 "Can not
    // find channel" / transcode_does_not_exist; a public Kick relay's tests model IVS the same way.
    const offline = () => error(404, 'Can not find channel', 'transcode_does_not_exist')
    const target = parsePlaybackPath(req.path)
    if (!target) return offline()
    await this.#deps.settle()
    const { simulator } = this.#deps
    const state = simulator.find(target.accountId, target.region)
    const channel = state?.channels.get(target.channelArn)
    if (!state || !channel) return offline()

    const country = header(req.headers, VIEWER_COUNTRY_HEADER)?.trim().toUpperCase()
    const token = new URLSearchParams(req.rawQuery).get('token') ?? undefined
    const verdict = authorizePlayback(state, channel, { token, origin, country: country || undefined, nowMs: simulator.clock.now().getTime() })
    if (!verdict.allowed) return error(403, verdict.error, verdict.errorCode)
    const live = state.streams.live(channel.arn)
    if (!live) return offline()

    verdict.commit()
    const id = target.channelArn.slice(target.channelArn.lastIndexOf('/') + 1)
    const playlist = multivariantPlaylist(id, channel.type, live.session.ingestConfiguration.video, verdict.maximumResolution)
    // For HEAD node sends the headers (Content-Length included) and drops the body itself.
    return {
      status: 200,
      headers: { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'max-age=1', ...cors },
      body: Buffer.from(playlist),
    }
  }
}
