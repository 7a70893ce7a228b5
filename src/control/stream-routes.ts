// Control routes that stand in for an encoder (docs/ivs-behavior.md §6: the API has no start call):
//   POST /_mock/streams/start  {channelArn | streamKey, accountId?, region?, ingestConfiguration?}
//   POST /_mock/streams/stop   {channelArn}
//   POST /_mock/streams/health {channelArn, health}
//   POST /_mock/streams/takeover {channelArn, failure?}
// They change the simulator's state through the same broadcast steps, ids and clock as the API.
import { ivs } from '../model/services.js'
import type { AudioConfiguration, IngestConfiguration, StreamHealth, VideoConfiguration } from '../model/ivs/types.js'
import { parseArn } from '../simulator/arn.js'
import type { SimContext } from '../simulator/handler.js'
import type { ChannelRecord, RegionState } from '../simulator/region-state.js'
import type { Simulator } from '../simulator/simulator.js'
import {
  changeStreamHealth, startBroadcast, stopBroadcast, takeOverBroadcast, TAKEOVER_FAILURES, type TakeoverFailure,
} from '../simulator/streams/broadcast.js'
import type { LiveStream } from '../simulator/streams/stream-state.js'
import { streamOf, streamSessionSummaryOf } from '../simulator/streams/stream-views.js'
import { ControlError, type ControlApi } from './control-api.js'

export interface StreamRouteDeps {
  readonly simulator: Simulator
}

type Body = Record<string, unknown>

/** The model's StreamHealth values. */
const HEALTHS = enumOf('StreamHealth') as readonly StreamHealth[]

/** Typos in a test's body should fail loudly, not be ignored. */
function onlyMembers(body: Body, allowed: readonly string[], where = 'body'): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k))
  if (unknown.length) throw new ControlError(400, `Unknown member(s) in ${where}: ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`)
}

function optionalString(body: Body, name: string): string | undefined {
  const value = body[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') throw new ControlError(400, `${name} must be a non-empty string`)
  return value
}

function requiredString(body: Body, name: string): string {
  const value = optionalString(body, name)
  if (value === undefined) throw new ControlError(400, `${name} is required`)
  return value
}

function object(value: unknown, name: string): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError(400, `${name} must be a JSON object`)
  return value as Body
}

/** Members of a Video/AudioConfiguration override, checked against their model types. */
function trackOverride<T>(value: unknown, name: string, strings: readonly string[], integers: readonly string[]): Partial<T> {
  const body = object(value, name)
  onlyMembers(body, [...strings, ...integers], name)
  for (const [key, v] of Object.entries(body)) {
    const ok = strings.includes(key) ? typeof v === 'string' : Number.isSafeInteger(v) && (v as number) >= 0
    if (!ok) throw new ControlError(400, `${name}.${key} must be ${strings.includes(key) ? 'a string' : 'a non-negative integer'}`)
  }
  return body as Partial<T>
}

function ingestOverrides(value: unknown): IngestConfiguration | undefined {
  if (value === undefined) return undefined
  const body = object(value, 'ingestConfiguration')
  onlyMembers(body, ['video', 'audio'], 'ingestConfiguration')
  return {
    video: body.video === undefined ? undefined : trackOverride<VideoConfiguration>(
      body.video, 'ingestConfiguration.video',
      ['avcProfile', 'avcLevel', 'codec', 'encoder', 'level', 'track', 'profile'],
      ['targetBitrate', 'targetFramerate', 'videoHeight', 'videoWidth'],
    ),
    audio: body.audio === undefined ? undefined : trackOverride<AudioConfiguration>(
      body.audio, 'ingestConfiguration.audio', ['codec', 'track'], ['targetBitrate', 'sampleRate', 'channels'],
    ),
  }
}

interface Target {
  readonly ctx: SimContext
  readonly channel: ChannelRecord
}

/**
 * The states a lookup may search: those already created (never creating one, which would draw ids
 * and shift a seeded run), narrowed to the given account and region.
 */
function statesFor(simulator: Simulator, accountId?: string, region?: string): RegionState[] {
  return [...simulator.states()].filter((s) => (accountId === undefined || s.accountId === accountId) && (region === undefined || s.region === region))
}

function byChannelArn(simulator: Simulator, body: Body): Target {
  const channelArn = requiredString(body, 'channelArn')
  const parsed = parseArn(channelArn)
  if (!parsed || parsed.resourceType !== 'channel') {
    throw new ControlError(400, `channelArn must be a channel ARN (arn:aws:ivs:<region>:<account>:channel/<id>), got ${JSON.stringify(channelArn)}`)
  }
  const accountId = optionalString(body, 'accountId')
  const region = optionalString(body, 'region')
  if ((accountId !== undefined && accountId !== parsed.accountId) || (region !== undefined && region !== parsed.region)) {
    throw new ControlError(400, `accountId/region disagree with channelArn ${channelArn}; omit them, the ARN names both`)
  }
  for (const state of statesFor(simulator, parsed.accountId, parsed.region)) {
    const channel = state.channels.get(channelArn)
    if (channel) return { ctx: simulator.context(state.accountId, state.region), channel }
  }
  throw new ControlError(404, `Channel not found: ${channelArn}`)
}

function byStreamKey(simulator: Simulator, body: Body): Target {
  const value = requiredString(body, 'streamKey')
  if (!value.startsWith('sk_')) throw new ControlError(400, 'streamKey must be a stream key value (sk_<region>_…), not its ARN')
  for (const state of statesFor(simulator, optionalString(body, 'accountId'), optionalString(body, 'region'))) {
    for (const key of state.streamKeys.values()) {
      if (key.value !== value) continue
      const channel = state.channels.get(key.channelArn)
      if (channel) return { ctx: simulator.context(state.accountId, state.region), channel }
    }
  }
  throw new ControlError(404, 'No stream key with that value exists (deleted, never created, or cleared by reset)')
}

function requireLive(target: Target): LiveStream {
  const stream = target.ctx.state.streams.live(target.channel.arn)
  if (!stream) throw new ControlError(409, `Channel ${target.channel.arn} is not live; start it with POST /_mock/streams/start`)
  return stream
}

export function addStreamRoutes(api: ControlApi, deps: StreamRouteDeps): ControlApi {
  const { simulator } = deps
  return api
    .on('POST', 'streams/start', (_req, body) => {
      onlyMembers(body, ['channelArn', 'streamKey', 'accountId', 'region', 'ingestConfiguration'])
      if ((body.channelArn === undefined) === (body.streamKey === undefined)) {
        throw new ControlError(400, 'Give exactly one of channelArn or streamKey')
      }
      const ingest = ingestOverrides(body.ingestConfiguration)
      const target = body.channelArn !== undefined ? byChannelArn(simulator, body) : byStreamKey(simulator, body)
      if (target.ctx.state.streams.isLive(target.channel.arn)) {
        throw new ControlError(409, `Channel ${target.channel.arn} is already live; stop it first with POST /_mock/streams/stop`)
      }
      return { stream: streamOf(startBroadcast(target.ctx, target.channel, ingest)) }
    })
    .on('POST', 'streams/stop', (_req, body) => {
      onlyMembers(body, ['channelArn'])
      const target = byChannelArn(simulator, body)
      requireLive(target)
      const session = stopBroadcast(target.ctx, target.channel.arn)
      return { streamSession: session && streamSessionSummaryOf(session) }
    })
    .on('POST', 'streams/health', (_req, body) => {
      onlyMembers(body, ['channelArn', 'health'])
      const health = requiredString(body, 'health')
      if (!HEALTHS.includes(health as StreamHealth)) throw new ControlError(400, `health must be one of ${HEALTHS.join(', ')}`)
      const target = byChannelArn(simulator, body)
      const stream = requireLive(target)
      changeStreamHealth(target.ctx, stream, health as StreamHealth)
      return { stream: streamOf(stream) }
    })
    .on('POST', 'streams/takeover', (_req, body) => {
      onlyMembers(body, ['channelArn', 'failure'])
      const failure = optionalString(body, 'failure')
      if (failure !== undefined && !TAKEOVER_FAILURES.includes(failure as TakeoverFailure)) {
        throw new ControlError(400, `failure must be one of ${TAKEOVER_FAILURES.join(', ')} (or absent for a takeover that succeeds)`)
      }
      const target = byChannelArn(simulator, body)
      const stream = requireLive(target)
      takeOverBroadcast(target.ctx, stream, failure as TakeoverFailure | undefined)
      return { stream: streamOf(stream) }
    })
}

function enumOf(shapeName: string): readonly string[] {
  const shape = ivs.shapeOf(shapeName)
  if (shape.type !== 'string' || !shape.enum) throw new Error(`model shape ${shapeName} is not an enum`)
  return shape.enum
}
