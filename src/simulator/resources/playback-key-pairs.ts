// Playback key pairs: ImportPlaybackKeyPair, GetPlaybackKeyPair, ListPlaybackKeyPairs,
// DeletePlaybackKeyPair. At most 3 per account and region, no update and no rotation: delete and
// re-import (UG-KEY; docs/ivs-behavior.md §5).
import type { PlaybackKeyPair, PlaybackKeyPairSummary } from '../../model/ivs/types.js'
import { conflict, notFound, quotaExceeded } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable } from '../handler.js'
import { paginate } from '../pagination.js'
import type { PlaybackKeyPairRecord, RegionState } from '../region-state.js'
import { parsePlaybackPublicKey } from './playback-public-key.js'
import { checkTagKeys } from './tags.js'

export const PLAYBACK_KEY_PAIRS_PER_REGION = 3

function requireKeyPair(state: RegionState, arn: string): PlaybackKeyPairRecord {
  const keyPair = state.playbackKeyPairs.get(arn)
  if (!keyPair) throw notFound(`Playback key pair not found: ${arn}`)
  return keyPair
}

function toKeyPair(record: PlaybackKeyPairRecord): PlaybackKeyPair {
  return { arn: record.arn, name: record.name, fingerprint: record.fingerprint, tags: { ...record.tags } }
}

function toSummary(record: PlaybackKeyPairRecord): PlaybackKeyPairSummary {
  return { arn: record.arn, name: record.name, tags: { ...record.tags } }
}

export const playbackKeyPairHandlers = {
  ImportPlaybackKeyPair(input, ctx) {
    const { state, ids } = ctx
    checkTagKeys(input.tags)
    const key = parsePlaybackPublicKey(input.publicKeyMaterial)
    // A duplicate is reported before the quota: with 3 pairs imported, re-importing one of them is
    // a mistake about that key, not about the count (docs/ivs-behavior.md §9 #5).
    const existing = [...state.playbackKeyPairs.values()].find((k) => k.publicKeyDer === key.spkiDer)
    if (existing) {
      throw conflict(`This public key is already imported as ${existing.arn} (fingerprint ${existing.fingerprint})`)
    }
    if (state.playbackKeyPairs.size >= PLAYBACK_KEY_PAIRS_PER_REGION) {
      throw quotaExceeded(
        `At most ${PLAYBACK_KEY_PAIRS_PER_REGION} playback key pairs per account and region; delete one before importing another`,
      )
    }
    const record: PlaybackKeyPairRecord = {
      arn: formatArn(state.region, state.accountId, 'playback-key', ids.alnum(12)),
      name: input.name ?? '',
      fingerprint: key.fingerprint,
      tags: { ...input.tags },
      publicKeyDer: key.spkiDer,
      seq: state.nextSeq(),
    }
    state.playbackKeyPairs.put(record)
    return { keyPair: toKeyPair(record) }
  },

  GetPlaybackKeyPair(input, ctx) {
    return { keyPair: toKeyPair(requireKeyPair(ctx.state, input.arn)) }
  },

  ListPlaybackKeyPairs(input, ctx) {
    // "Default: your service quota or 100, whichever is smaller" (M); with a quota of 3, 100 never
    // splits a list, and a raised quota would still be paged like the others.
    const page = paginate(ctx.state.playbackKeyPairs.values(), input, 100, 'ListPlaybackKeyPairs')
    return { keyPairs: page.items.map(toSummary), nextToken: page.nextToken }
  },

  DeletePlaybackKeyPair(input, ctx) {
    ctx.state.playbackKeyPairs.delete(requireKeyPair(ctx.state, input.arn).arn)
    return {}
  },
} satisfies HandlerTable
