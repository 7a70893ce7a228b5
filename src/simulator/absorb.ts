// Hybrid coherence: every answer that did not come from the simulator (replayed from a cassette, or
// proxied from real IVS) is absorbed here, so the simulator knows every resource the cassette has
// seen. A replayed CreateChannel makes the channel exist for a later unrecorded UpdateChannel; a
// replayed DeleteChannel removes it (and its stream keys).
//
// Outputs are walked with the model: every structure of a resource shape with an `arn` is upserted
// into the table of its ARN's type, in the account and region the ARN names. Deletes and tag changes
// are replayed through the simulator's own handlers, so their business rules (cascades, merges)
// hold without being written twice.
import type { OperationName } from '../model/ivs/types.js'
import { ivs } from '../model/services.js'
import { parseArn } from './arn.js'
import type { PlaybackKeyPairRecord, RegionState } from './region-state.js'
import { parsePlaybackPublicKey } from './resources/playback-public-key.js'
import type { StoredResource } from './resource-table.js'

/** Model shapes that describe a whole resource or its summary. */
const resourceShapes = new Set([
  'Channel', 'ChannelSummary', 'StreamKey', 'StreamKeySummary', 'PlaybackKeyPair', 'PlaybackKeyPairSummary',
  'RecordingConfiguration', 'RecordingConfigurationSummary', 'PlaybackRestrictionPolicy',
  'PlaybackRestrictionPolicySummary', 'AdConfiguration', 'AdConfigurationSummary',
])

/** Operations whose effect is replayed by running the simulator's handler on the same input. */
const replayedEffects = new Set<OperationName>([
  'DeleteChannel', 'DeleteStreamKey', 'DeletePlaybackKeyPair', 'DeletePlaybackRestrictionPolicy',
  'DeleteRecordingConfiguration', 'DeleteAdConfiguration', 'TagResource', 'UntagResource',
])

/**
 * Whether learning from an answer of `operation` needs the call's input: a replayed delete or tag
 * change is redone from its input; everything else is learnt from the answer alone.
 */
export function learnsFromInput(operation: string): boolean {
  return replayedEffects.has(operation as OperationName) || operation === 'ImportPlaybackKeyPair'
}

export interface AbsorbTarget {
  state(accountId: string, region: string): RegionState
  /** Runs the operation's handler against the caller's state; errors are the caller's to ignore. */
  replayEffect(operation: OperationName, input: unknown, accountId: string, region: string): void
  /** Fills what a summary lacks so the record is a complete resource of its type. */
  complete(type: string, partial: Record<string, unknown>, state: RegionState): StoredResource
}

export function absorbAnswer(
  target: AbsorbTarget,
  operation: OperationName,
  input: unknown,
  outputShape: string | undefined,
  output: unknown,
  caller: { accountId: string; region: string },
): void {
  if (replayedEffects.has(operation)) {
    try {
      target.replayEffect(operation, input, caller.accountId, caller.region)
    } catch {
      // Already gone or never known: the recorded answer is the truth, nothing to mirror.
    }
    return
  }
  if (outputShape && output !== null && typeof output === 'object') walk(target, output, outputShape)
  if (operation === 'ImportPlaybackKeyPair') learnPublicKey(target, input, output)
}

/**
 * The answer of ImportPlaybackKeyPair names the key pair but not its key; the request holds the
 * public key, which the playback edge needs to verify tokens signed with a replayed key pair.
 */
function learnPublicKey(target: AbsorbTarget, input: unknown, output: unknown): void {
  const material = (input as { publicKeyMaterial?: unknown } | undefined)?.publicKeyMaterial
  const arn = (output as { keyPair?: { arn?: unknown } } | undefined)?.keyPair?.arn
  const parsed = typeof arn === 'string' ? parseArn(arn) : undefined
  if (typeof material !== 'string' || !parsed) return
  const record = target.state(parsed.accountId, parsed.region).playbackKeyPairs.get(arn as string) as PlaybackKeyPairRecord | undefined
  if (!record) return
  try {
    record.publicKeyDer = parsePlaybackPublicKey(material).spkiDer
  } catch {
    // IVS accepted a key this parser refuses: tokens for it cannot be checked here, nothing else changes.
  }
}

function walk(target: AbsorbTarget, value: unknown, shapeName: string): void {
  if (value === null || typeof value !== 'object') return
  const shape = ivs.shapeOf(shapeName)
  if (shape.type === 'list') {
    if (Array.isArray(value)) for (const item of value) walk(target, item, shape.member)
    return
  }
  if (shape.type !== 'structure') return
  const record = value as Record<string, unknown>
  if (resourceShapes.has(shapeName) && typeof record.arn === 'string') {
    upsert(target, record)
    return
  }
  for (const [name, member] of Object.entries(shape.members)) {
    if (!member.location) walk(target, record[name], member.shape)
  }
}

function upsert(target: AbsorbTarget, seen: Record<string, unknown>): void {
  const arn = parseArn(seen.arn as string)
  if (!arn) return
  const state = target.state(arn.accountId, arn.region)
  const table = state.tableFor(arn.resourceType)
  if (!table) return
  const existing = table.get(seen.arn as string)
  const merged: Record<string, unknown> = existing
    ? { ...existing, ...seen, seq: existing.seq }
    : { ...target.complete(arn.resourceType, seen, state), ...seen, seq: state.nextSeq() }
  // Recording configurations are CREATING only in the create answer; every later read says ACTIVE.
  if (arn.resourceType === 'recording-configuration' && merged.state === 'CREATING') merged.state = 'ACTIVE'
  table.put(merged as unknown as StoredResource)
}
