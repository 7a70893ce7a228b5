// Participant tokens: what CreateParticipantToken and CreateStage issue, and what a participant
// presents to join a stage. A token is a JWT signed ES384 (docs/ivs-behavior.md §15): by IVS with
// the account+region's own key (kid: its id), or self-signed by the customer with the private half
// of a public key imported with ImportPublicKey (kid: that key's ARN).
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import type { ParticipantToken, ParticipantTokenCapability, ParticipantTokenConfiguration } from '../../model/ivs-realtime/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { SimContext } from '../handler.js'
import { arnId } from './realtime-arn.js'
import type { StageRecord } from './realtime-state.js'
import { validationError } from './realtime-errors.js'

/** "Default: 720 (12 hours)"; "Default: PUBLISH, SUBSCRIBE" (M). */
export const DEFAULT_TOKEN_MINUTES = 720
export const DEFAULT_CAPABILITIES: readonly ParticipantTokenCapability[] = ['PUBLISH', 'SUBSCRIBE']
/** "The maximum length of this field is 1 KB total" (M, attributes). */
export const MAX_ATTRIBUTES_BYTES = 1024

/** The claims of a participant token, as the user guide names them for self-signed ones. */
export interface TokenClaims {
  readonly exp: number
  readonly iat: number
  readonly jti: string
  readonly resource: string
  readonly topic: string
  readonly events_url: string
  readonly whip_url: string
  readonly user_id?: string
  readonly attributes?: Record<string, string>
  readonly capabilities: { readonly allow_publish?: boolean; readonly allow_subscribe?: boolean }
  readonly version: string
}

export function checkAttributes(attributes: Record<string, string> | undefined, name = 'attributes'): void {
  const bytes = Object.entries(attributes ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
  if (bytes > MAX_ATTRIBUTES_BYTES) throw validationError(`${name} may hold at most ${MAX_ATTRIBUTES_BYTES} bytes in total; got ${bytes}`)
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Issues a token for a stage (CreateParticipantToken, CreateStage's participantTokenConfigurations). */
export function issueToken(ctx: SimContext, stage: StageRecord, config: ParticipantTokenConfiguration): ParticipantToken {
  checkAttributes(config.attributes)
  const duration = config.duration ?? DEFAULT_TOKEN_MINUTES
  const capabilities = [...new Set(config.capabilities ?? DEFAULT_CAPABILITIES)]
  const participantId = ctx.ids.alnum(12)
  const now = ctx.clock.now()
  const iat = Math.floor(now.getTime() / 1000)
  const exp = iat + duration * 60
  const key = ctx.state.realtime.signingKey(() => ctx.ids.alnum(12))
  const claims: TokenClaims = {
    exp,
    iat,
    jti: participantId,
    resource: stage.arn,
    topic: arnId(stage.arn),
    events_url: stage.endpoints.events,
    whip_url: stage.endpoints.whip,
    user_id: config.userId,
    attributes: config.attributes,
    capabilities: { allow_publish: capabilities.includes('PUBLISH'), allow_subscribe: capabilities.includes('SUBSCRIBE') },
    version: '1.0',
  }
  const signingInput = `${b64url({ alg: 'ES384', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`
  const signature = sign('sha384', Buffer.from(signingInput), { key: createPrivateKey(key.privateKeyPem), dsaEncoding: 'ieee-p1363' })
  return {
    participantId,
    token: `${signingInput}.${signature.toString('base64url')}`,
    userId: config.userId,
    attributes: config.attributes,
    duration,
    capabilities,
    expirationTime: formatTimestamp(new Date(exp * 1000)),
  }
}

/**
 * Verifies a token presented to join (the /_mock stage routes): its signature with the key its
 * `kid` names, then its expiry. Returns the claims, or throws a message saying what is wrong.
 */
export function verifyToken(ctx: SimContext, token: string): TokenClaims {
  const parts = token.split('.')
  if (parts.length !== 3) throw new TokenError('the token is not a JWT (three base64url parts separated by dots)')
  let header: { alg?: unknown; kid?: unknown }
  let claims: TokenClaims
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as typeof header
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims
  } catch {
    throw new TokenError('the token header or payload is not base64url JSON')
  }
  if (header.alg !== 'ES384') throw new TokenError(`the token must be signed ES384, not ${String(header.alg)}`)
  const realtime = ctx.state.realtime
  const own = realtime.hasSigningKey() ? realtime.signingKey(() => '') : undefined
  const pem = own && header.kid === own.kid
    ? own.publicKeyPem
    : typeof header.kid === 'string' ? realtime.publicKeys.get(header.kid)?.publicKeyMaterial : undefined
  if (!pem) throw new TokenError(`no key of this account and region has the token's kid ${JSON.stringify(header.kid)} (deleted public key?)`)
  const ok = verify('sha384', Buffer.from(`${parts[0]}.${parts[1]}`), { key: createPublicKey(pem), dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'))
  if (!ok) throw new TokenError('the token signature does not verify')
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= ctx.clock.now().getTime()) throw new TokenError('the token has expired')
  if (typeof claims.resource !== 'string' || typeof claims.jti !== 'string') throw new TokenError('the token lacks its resource (stage ARN) or jti (participant id)')
  return claims
}

export class TokenError extends Error {}
