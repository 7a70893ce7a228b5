// Control routes that stand in for the IVS broadcast SDK and RTMP encoders on a real-time stage
// (the API has no call that joins one, docs/ivs-behavior.md §15):
//   POST /_mock/stages/join    {token, publish?}     a participant token, verified with the key its kid names
//                              {streamKey}           an ingest configuration's key: its participant publishes
//   POST /_mock/stages/leave   {stageArn, participantId}
//   POST /_mock/stages/publish {stageArn, participantId, publishing}
//   GET  /_mock/stages/token-key?accountId=&region=  the public key IVS-issued participant tokens verify with
// They change the simulator's state through the same steps, ids, clock and events as the API.
import type { SimContext } from '../simulator/handler.js'
import { TokenError, verifyToken } from '../simulator/realtime/participant-tokens.js'
import { connectedParticipant, joinStage, leaveStage, startPublishing, stopPublishing } from '../simulator/realtime/participants.js'
import type { ParticipantRecord, StageRecord } from '../simulator/realtime/realtime-state.js'
import type { RegionState } from '../simulator/region-state.js'
import type { Simulator } from '../simulator/simulator.js'
import { ControlError, type ControlApi } from './control-api.js'

export interface StageRouteDeps {
  readonly simulator: Simulator
}

type Body = Record<string, unknown>

function onlyMembers(body: Body, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k))
  if (unknown.length) throw new ControlError(400, `Unknown member(s) in body: ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`)
}

function requiredString(body: Body, name: string): string {
  const value = body[name]
  if (typeof value !== 'string' || value === '') throw new ControlError(400, `${name} must be a non-empty string`)
  return value
}

function optionalBoolean(body: Body, name: string): boolean | undefined {
  const value = body[name]
  if (value !== undefined && typeof value !== 'boolean') throw new ControlError(400, `${name} must be true or false`)
  return value
}

const STAGE_ARN = /^arn:aws:ivs:([a-z0-9-]+):(\d{12}):stage\/[a-zA-Z0-9-]+$/

/** An existing state only (creating one would draw ids and shift a seeded run). */
function existingState(simulator: Simulator, accountId: string, region: string): RegionState | undefined {
  return [...simulator.states()].find((s) => s.accountId === accountId && s.region === region)
}

function stageContext(simulator: Simulator, stageArn: string): { ctx: SimContext; stage: StageRecord } {
  const m = STAGE_ARN.exec(stageArn)
  if (!m) throw new ControlError(400, `stageArn must be a stage ARN (arn:aws:ivs:<region>:<account>:stage/<id>), got ${JSON.stringify(stageArn)}`)
  const state = existingState(simulator, m[2], m[1])
  const stage = state?.realtime.stages.get(stageArn)
  if (!state || !stage) throw new ControlError(404, `Stage not found: ${stageArn}`)
  return { ctx: simulator.context(state.accountId, state.region), stage }
}

function requireConnected(ctx: SimContext, stage: StageRecord, participantId: string): ParticipantRecord {
  const p = connectedParticipant(ctx, stage, participantId)
  if (!p) throw new ControlError(404, `No connected participant ${participantId} on stage ${stage.arn}`)
  return p
}

function view(p: ParticipantRecord) {
  return {
    stageArn: p.stageArn, sessionId: p.sessionId, participantId: p.participantId, userId: p.userId, state: p.state,
    publishing: p.publishing, capabilities: p.capabilities, protocol: p.protocol,
  }
}

function joinWithToken(simulator: Simulator, token: string, publish: boolean): ParticipantRecord {
  // The claims name the stage; the signature is then checked with that account+region's keys.
  let resource: unknown
  try {
    resource = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { resource?: unknown }).resource
  } catch {
    throw new ControlError(400, 'token is not a participant token (a JWT from CreateParticipantToken or self-signed)')
  }
  if (typeof resource !== 'string') throw new ControlError(400, 'token has no resource claim (the stage ARN)')
  const { ctx, stage } = stageContext(simulator, resource)
  let claims
  try {
    claims = verifyToken(ctx, token)
  } catch (err) {
    if (err instanceof TokenError) throw new ControlError(401, `token refused: ${err.message}`)
    throw err
  }
  if (connectedParticipant(ctx, stage, claims.jti)) throw new ControlError(409, `Participant ${claims.jti} is already connected to ${stage.arn}`)
  return joinStage(ctx, stage, {
    participantId: claims.jti,
    userId: claims.user_id ?? '',
    attributes: claims.attributes ?? {},
    capabilities: [...(claims.capabilities.allow_publish ? ['PUBLISH' as const] : []), ...(claims.capabilities.allow_subscribe ? ['SUBSCRIBE' as const] : [])],
    protocol: 'UNKNOWN',
    publish,
  })
}

function joinWithStreamKey(simulator: Simulator, streamKey: string): ParticipantRecord {
  if (!streamKey.startsWith('rt_')) throw new ControlError(400, 'streamKey must be an ingest configuration stream key (rt_<account>_<region>_…)')
  for (const state of simulator.states()) {
    for (const ingest of state.realtime.ingestConfigurations.values()) {
      if (ingest.streamKey !== streamKey) continue
      if (ingest.stageArn === '') throw new ControlError(409, `Ingest configuration ${ingest.arn} is not associated with a stage (UpdateIngestConfiguration sets one)`)
      if (ingest.state === 'ACTIVE') throw new ControlError(409, `Ingest configuration ${ingest.arn} is already publishing (REUSE_OF_STREAM_KEY)`)
      const { ctx, stage } = stageContext(simulator, ingest.stageArn)
      const p = joinStage(ctx, stage, {
        participantId: ingest.participantId, userId: ingest.userId, attributes: ingest.attributes, capabilities: ['PUBLISH'],
        protocol: ingest.ingestProtocol, publish: true, ingestConfigurationArn: ingest.arn,
      })
      ingest.state = 'ACTIVE'
      return p
    }
  }
  throw new ControlError(404, 'No ingest configuration has that stream key (deleted, never created, or cleared by reset)')
}

export function addStageRoutes(api: ControlApi, deps: StageRouteDeps): ControlApi {
  const { simulator } = deps
  return api
    .on('POST', 'stages/join', (_req, body) => {
      onlyMembers(body, ['token', 'streamKey', 'publish'])
      if ((body.token === undefined) === (body.streamKey === undefined)) throw new ControlError(400, 'Give exactly one of token or streamKey')
      const publish = optionalBoolean(body, 'publish')
      if (body.streamKey !== undefined) {
        if (publish === false) throw new ControlError(400, 'an RTMP participant always publishes; omit publish')
        return { participant: view(joinWithStreamKey(simulator, requiredString(body, 'streamKey'))) }
      }
      return { participant: view(joinWithToken(simulator, requiredString(body, 'token'), publish ?? true)) }
    })
    .on('POST', 'stages/leave', (_req, body) => {
      onlyMembers(body, ['stageArn', 'participantId'])
      const { ctx, stage } = stageContext(simulator, requiredString(body, 'stageArn'))
      const p = requireConnected(ctx, stage, requiredString(body, 'participantId'))
      leaveStage(ctx, stage, p)
      return { participant: view(p) }
    })
    .on('POST', 'stages/publish', (_req, body) => {
      onlyMembers(body, ['stageArn', 'participantId', 'publishing'])
      const publishing = optionalBoolean(body, 'publishing')
      if (publishing === undefined) throw new ControlError(400, 'publishing (true or false) is required')
      const { ctx, stage } = stageContext(simulator, requiredString(body, 'stageArn'))
      const p = requireConnected(ctx, stage, requiredString(body, 'participantId'))
      if (publishing && !startPublishing(ctx, stage, p)) {
        throw new ControlError(409, `Participant ${p.participantId}'s token lacks the PUBLISH capability (logged as PUBLISH_ERROR)`)
      }
      if (!publishing) stopPublishing(ctx, stage, p)
      return { participant: view(p) }
    })
    .on('GET', 'stages/token-key', (req) => {
      const accountId = req.query.accountId?.at(-1)
      const region = req.query.region?.at(-1)
      if (!accountId || !region) throw new ControlError(400, 'accountId and region query parameters are required')
      const state = existingState(simulator, accountId, region)
      if (!state?.realtime.hasSigningKey()) throw new ControlError(404, `No participant token was issued in ${accountId}/${region} yet`)
      const key = state.realtime.signingKey(() => '')
      return { kid: key.kid, alg: 'ES384', publicKeyPem: key.publicKeyPem }
    })
}
