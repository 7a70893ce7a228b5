// Playback restriction policies: Create, Get, List, Update, Delete. Empty country and origin lists
// mean "all" (M); channels reference a policy by ARN and keep it from being deleted (docs/ivs-behavior.md §4,
// §9 #7).
import type { PlaybackRestrictionPolicy } from '../../model/ivs/types.js'
import { notFound } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable } from '../handler.js'
import { paginate } from '../pagination.js'
import type { PlaybackRestrictionPolicyRecord, RegionState } from '../region-state.js'
import { refuseDeleteWhileReferenced } from './channel-references.js'
import { checkTagKeys } from './tags.js'

function requirePolicy(state: RegionState, arn: string): PlaybackRestrictionPolicyRecord {
  const policy = state.playbackRestrictionPolicies.get(arn)
  if (!policy) throw notFound(`Playback restriction policy not found: ${arn}`)
  return policy
}

/** A copy, so an answer never aliases the stored lists. The summary has the same members (M). */
function toPolicy(record: PlaybackRestrictionPolicyRecord): PlaybackRestrictionPolicy {
  return {
    arn: record.arn,
    allowedCountries: [...record.allowedCountries],
    allowedOrigins: [...record.allowedOrigins],
    enableStrictOriginEnforcement: record.enableStrictOriginEnforcement,
    name: record.name,
    tags: { ...record.tags },
  }
}

export const playbackRestrictionPolicyHandlers = {
  CreatePlaybackRestrictionPolicy(input, ctx) {
    const { state, ids } = ctx
    checkTagKeys(input.tags)
    const record: PlaybackRestrictionPolicyRecord = {
      arn: formatArn(state.region, state.accountId, 'playback-restriction-policy', ids.alnum(12)),
      allowedCountries: [...(input.allowedCountries ?? [])],
      allowedOrigins: [...(input.allowedOrigins ?? [])],
      enableStrictOriginEnforcement: input.enableStrictOriginEnforcement ?? false,
      name: input.name ?? '',
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.playbackRestrictionPolicies.put(record)
    return { playbackRestrictionPolicy: toPolicy(record) }
  },

  GetPlaybackRestrictionPolicy(input, ctx) {
    return { playbackRestrictionPolicy: toPolicy(requirePolicy(ctx.state, input.arn)) }
  },

  ListPlaybackRestrictionPolicies(input, ctx) {
    // The model says "Default: 1"; a page of 1 loses policies for callers that ignore nextToken
    // (there is no botocore paginator for this operation), so 100 like the others (docs/ivs-behavior.md §9 #20).
    const page = paginate(ctx.state.playbackRestrictionPolicies.values(), input, 100, 'ListPlaybackRestrictionPolicies')
    return { playbackRestrictionPolicies: page.items.map(toPolicy), nextToken: page.nextToken }
  },

  UpdatePlaybackRestrictionPolicy(input, ctx) {
    const policy = requirePolicy(ctx.state, input.arn)
    // Only the members given change (CLI:update-playback-restriction-policy).
    if (input.allowedCountries !== undefined) policy.allowedCountries = [...input.allowedCountries]
    if (input.allowedOrigins !== undefined) policy.allowedOrigins = [...input.allowedOrigins]
    if (input.enableStrictOriginEnforcement !== undefined) {
      policy.enableStrictOriginEnforcement = input.enableStrictOriginEnforcement
    }
    if (input.name !== undefined) policy.name = input.name
    return { playbackRestrictionPolicy: toPolicy(policy) }
  },

  DeletePlaybackRestrictionPolicy(input, ctx) {
    const policy = requirePolicy(ctx.state, input.arn)
    refuseDeleteWhileReferenced(ctx.state, 'playbackRestrictionPolicyArn', policy.arn, 'Playback restriction policy')
    ctx.state.playbackRestrictionPolicies.delete(policy.arn)
  },
} satisfies HandlerTable
