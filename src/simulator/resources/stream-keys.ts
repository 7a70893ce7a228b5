// Stream keys: one per channel (a second is a 402 until the first is deleted), created with their
// channel and deleted with it.
import type { StreamKey } from '../../model/ivs/types.js'
import { notFound, quotaExceeded } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import type { StreamKeyRecord } from '../region-state.js'
import { requireChannel } from './require-channel.js'
import { checkTagKeys } from './tags.js'

export const STREAM_KEYS_PER_CHANNEL = 1
const SECRET_LENGTH = 30

export function createStreamKey(ctx: SimContext, channelArn: string): StreamKey {
  const { state, ids } = ctx
  const id = ids.alnum(12)
  const key: StreamKeyRecord = {
    arn: formatArn(state.region, state.accountId, 'stream-key', id),
    value: `sk_${state.region}_${id}_${ids.alnum(SECRET_LENGTH)}`,
    channelArn,
    tags: {},
    seq: state.nextSeq(),
  }
  return state.streamKeys.put(key)
}

function keysOf(ctx: SimContext, channelArn: string): StreamKeyRecord[] {
  return [...ctx.state.streamKeys.values()].filter((k) => k.channelArn === channelArn)
}

export const streamKeyHandlers = {
  CreateStreamKey(input, ctx) {
    checkTagKeys(input.tags)
    requireChannel(ctx.state, input.channelArn)
    if (keysOf(ctx, input.channelArn).length >= STREAM_KEYS_PER_CHANNEL) {
      throw quotaExceeded(
        `Channel ${input.channelArn} already has ${STREAM_KEYS_PER_CHANNEL} stream key; delete it before creating another`,
      )
    }
    const key = createStreamKey(ctx, input.channelArn)
    if (input.tags) key.tags = { ...input.tags }
    return { streamKey: key }
  },

  GetStreamKey(input, ctx) {
    const key = ctx.state.streamKeys.get(input.arn)
    if (!key) throw notFound(`Stream key not found: ${input.arn}`)
    return { streamKey: key }
  },

  BatchGetStreamKey(input, ctx) {
    const streamKeys: StreamKey[] = []
    const errors = []
    for (const arn of new Set(input.arns)) {
      const key = ctx.state.streamKeys.get(arn)
      if (key) streamKeys.push(key)
      else errors.push({ arn, code: 'ResourceNotFoundException', message: `Stream key not found: ${arn}` })
    }
    return { streamKeys, errors }
  },

  ListStreamKeys(input, ctx) {
    requireChannel(ctx.state, input.channelArn)
    // The model says "Default: 1"; IVS pages by 50 in practice, and a page of 1 loses keys for
    // callers that ignore nextToken (docs/ivs-behavior.md §9 #20).
    const page = paginate(keysOf(ctx, input.channelArn), input, 50, input.channelArn)
    return { streamKeys: page.items, nextToken: page.nextToken }
  },

  DeleteStreamKey(input, ctx) {
    if (!ctx.state.streamKeys.delete(input.arn)) throw notFound(`Stream key not found: ${input.arn}`)
  },
} satisfies HandlerTable
