// Whether a viewer may fetch a channel's multivariant playlist: the playback token of a private
// channel (`authorized: true`) and the channel's playback restriction policy, checked as IVS's
// edge checks them (UG "Setting Up Private Channels", "Generate and Sign IVS Playback Tokens",
// "Undesired Content and Viewers"; docs/ivs-behavior.md §12). Only state the simulator already keeps is
// read: the channel, the region's imported key pairs, revocations, policies and used single-use ids.
import type { ChannelRecord, RegionState } from '../simulator/region-state.js'
import { singleUseTokensOf } from '../simulator/resources/single-use-tokens.js'
import { decodeJws, ECDSA_VERIFICATION_ERROR, goDuration, publicKeyOf, TokenRefusal, verifiesEs384 } from './compact-jws.js'
import { MAXIMUM_HEIGHT, type MaximumResolution } from './multivariant-playlist.js'
import { originAllowed, splitOriginList } from './origin-match.js'

export interface Viewer {
  /** `?token=` of the request, if any. */
  readonly token?: string
  /** The request's Origin header: browsers send it, other clients usually do not. */
  readonly origin?: string
  /** ISO 3166-1 alpha-2, uppercase; undefined when the test did not say (country rules then pass). */
  readonly country?: string
  readonly nowMs: number
}

export interface Refusal {
  readonly allowed: false
  readonly error: string
  readonly errorCode: string
}

export interface Grant {
  readonly allowed: true
  readonly maximumResolution?: MaximumResolution
  /** Call when the playlist is actually served: a single-use token is spent then, not before. */
  commit(): void
}

export const INVALID_TOKEN = 'invalid_playback_auth_token'
/** ivs-replay's code for a policy refusal: IVS's own has not been seen in public captures. */
export const RESTRICTED = 'playback_restricted'

/** UG: with aws:single-use-uuid or aws:viewer-id, exp may be at most 10 minutes ahead. */
const SHORT_LIVED_MAX_SECONDS = 600
/** UG: with strict origin enforcement a token may name at most 5 origins. */
const STRICT_MAX_ORIGINS = 5
const VIEWER_ID_MAX = 40

function refuse(error: string, errorCode = INVALID_TOKEN): Refusal {
  return { allowed: false, error, errorCode }
}

type Claims = Readonly<Record<string, unknown>>

function optionalString(claims: Claims, name: string): string | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TokenRefusal(`${name} must be a string`)
  return value
}

/** The token's verdict for this channel; the grant's parts the edge needs if it passes. */
function checkToken(state: RegionState, channel: ChannelRecord, viewer: Viewer): Refusal | { maximumResolution?: MaximumResolution; singleUse?: { uuid: string; expMs: number } } {
  // No token parses as zero segments: IVS answers a missing token with the same text (docs/ivs-behavior.md §12).
  const jws = decodeJws(viewer.token ?? '')
  const alg = jws.header.alg
  if (typeof alg !== 'string' || alg === '') throw new TokenRefusal('signing method (alg) is unavailable.')
  if (alg !== 'ES384') throw new TokenRefusal(`unexpected signing method: ${alg} (IVS playback tokens are ES384)`)
  // A key pair known only from a replayed summary has no key: nothing to verify with.
  const keys = [...state.playbackKeyPairs.values()].filter((k) => k.publicKeyDer).map((k) => publicKeyOf(k.publicKeyDer))
  if (!verifiesEs384(jws, keys)) throw new TokenRefusal(ECDSA_VERIFICATION_ERROR)

  const { claims } = jws
  const nowSeconds = Math.floor(viewer.nowMs / 1000)
  const exp = claims.exp
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenRefusal('exp is required: a Unix time in seconds')
  if (nowSeconds > exp) throw new TokenRefusal(`token is expired by ${goDuration(nowSeconds - exp)}`)
  if (typeof claims.iat === 'number' && nowSeconds < claims.iat) throw new TokenRefusal('Token used before issued')
  if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf) throw new TokenRefusal('token is not valid yet')

  const channelArn = optionalString(claims, 'aws:channel-arn')
  if (channelArn === undefined) throw new TokenRefusal('aws:channel-arn is required')
  if (channelArn !== channel.arn) throw new TokenRefusal(`aws:channel-arn ${channelArn} does not match the channel ${channel.arn}`)

  const singleUse = optionalString(claims, 'aws:single-use-uuid')
  const viewerId = optionalString(claims, 'aws:viewer-id')
  if (viewerId !== undefined && viewerId.length > VIEWER_ID_MAX) {
    throw new TokenRefusal(`aws:viewer-id must be at most ${VIEWER_ID_MAX} characters`)
  }
  if ((singleUse !== undefined || viewerId !== undefined) && exp - nowSeconds > SHORT_LIVED_MAX_SECONDS) {
    // The classic bug: exp in milliseconds, or a day-long token, for a tracked viewer.
    throw new TokenRefusal('exp must be at most 10 minutes in the future when aws:single-use-uuid or aws:viewer-id is set')
  }
  const version = claims['aws:viewer-session-version'] ?? 0
  if (!Number.isSafeInteger(version) || (version as number) < 0) {
    throw new TokenRefusal('aws:viewer-session-version must be a non-negative integer')
  }
  const maximum = optionalString(claims, 'aws:maximum-resolution')
  if (maximum !== undefined && !Object.hasOwn(MAXIMUM_HEIGHT, maximum)) {
    throw new TokenRefusal('aws:maximum-resolution must be SD, HD or FULL_HD')
  }

  const strict = claims['aws:strict-origin-enforcement'] ?? false
  if (typeof strict !== 'boolean') throw new TokenRefusal('aws:strict-origin-enforcement must be a boolean')
  const allowOrigin = optionalString(claims, 'aws:access-control-allow-origin')
  if (allowOrigin !== undefined) {
    const origins = splitOriginList(allowOrigin)
    if (strict && origins.length > STRICT_MAX_ORIGINS) {
      throw new TokenRefusal(`aws:access-control-allow-origin may name at most ${STRICT_MAX_ORIGINS} origins with aws:strict-origin-enforcement`)
    }
    const refused = originRefusal(viewer.origin, origins, strict, 'the token')
    if (refused) throw new TokenRefusal(refused)
  }

  if (viewerId !== undefined) {
    const revoked = state.viewerSessionRevocations.get(channel.arn, viewerId)
    if (revoked && (version as number) <= revoked.versionsLessThanOrEqualTo) {
      throw new TokenRefusal(`the viewer session of ${viewerId} (version ${String(version)}) was revoked`)
    }
  }
  if (singleUse !== undefined && singleUseTokensOf(state).has(singleUse)) {
    throw new TokenRefusal(`single-use token ${singleUse} was already used`)
  }
  return {
    maximumResolution: maximum as MaximumResolution | undefined,
    singleUse: singleUse === undefined ? undefined : { uuid: singleUse, expMs: exp * 1000 },
  }
}

/**
 * Without strict enforcement only browsers are held to the list (UG: "this restricts only the
 * browser client"): no Origin passes. With it, every request must carry a matching Origin.
 */
function originRefusal(origin: string | undefined, allowed: readonly string[], strict: boolean, whose: string): string | undefined {
  if (origin === undefined) return strict ? `an Origin header is required by ${whose}'s strict origin enforcement` : undefined
  // An empty list allows every origin (M: "Default: All origins (an empty array)").
  if (allowed.length === 0) return undefined
  return originAllowed(origin, allowed) ? undefined : `origin ${origin} is not allowed by ${whose}`
}

function checkPolicy(state: RegionState, channel: ChannelRecord, viewer: Viewer): Refusal | undefined {
  if (!channel.playbackRestrictionPolicyArn) return undefined
  const policy = state.playbackRestrictionPolicies.get(channel.playbackRestrictionPolicyArn)
  if (!policy) return undefined
  // Empty lists mean "all" (M: "Default: All countries (an empty array)").
  if (policy.allowedCountries.length > 0 && viewer.country !== undefined && !policy.allowedCountries.includes(viewer.country)) {
    return refuse(`viewer country ${viewer.country} is not allowed by the channel's playback restriction policy`, RESTRICTED)
  }
  if (policy.allowedOrigins.length > 0 || policy.enableStrictOriginEnforcement) {
    const refused = originRefusal(viewer.origin, policy.allowedOrigins, policy.enableStrictOriginEnforcement, "the channel's playback restriction policy")
    if (refused) return refuse(refused, RESTRICTED)
  }
  return undefined
}

export function authorizePlayback(state: RegionState, channel: ChannelRecord, viewer: Viewer): Refusal | Grant {
  let maximumResolution: MaximumResolution | undefined
  let singleUse: { uuid: string; expMs: number } | undefined
  if (channel.authorized) {
    try {
      const verdict = checkToken(state, channel, viewer)
      if ('allowed' in verdict) return verdict
      ;({ maximumResolution, singleUse } = verdict)
    } catch (err) {
      if (err instanceof TokenRefusal) return refuse(err.message)
      throw err
    }
  }
  const restricted = checkPolicy(state, channel, viewer)
  if (restricted) return restricted
  return {
    allowed: true,
    maximumResolution,
    commit: () => {
      if (singleUse) singleUseTokensOf(state).use(singleUse.uuid, singleUse.expMs, viewer.nowMs)
    },
  }
}
