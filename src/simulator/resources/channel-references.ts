// Resources that channels point at (recording configurations, playback restriction policies, ad
// configurations) cannot be deleted while a channel still points at them: IVS answers 409 and the
// caller must first detach them with UpdateChannel `<field>: ""` (docs/ivs-behavior.md §5, §9 #7).
import { conflict } from '../ivs-errors.js'
import type { ChannelRecord, RegionState } from '../region-state.js'

/** The Channel members that hold an ARN of another resource ("" = none). */
export type ChannelReferenceField = 'recordingConfigurationArn' | 'playbackRestrictionPolicyArn' | 'adConfigurationArn'

export function channelsReferencing(state: RegionState, field: ChannelReferenceField, arn: string): ChannelRecord[] {
  return [...state.channels.values()].filter((channel) => channel[field] === arn)
}

/**
 * Throws 409 if any channel references `arn` through `field`. The message names the channels and
 * the way out, because the caller has to act on each of them before retrying.
 */
export function refuseDeleteWhileReferenced(
  state: RegionState,
  field: ChannelReferenceField,
  arn: string,
  what: string,
): void {
  const users = channelsReferencing(state, field, arn)
  if (users.length === 0) return
  const shown = users.slice(0, 5).map((c) => c.arn).join(', ')
  const more = users.length > 5 ? ` and ${users.length - 5} more` : ''
  throw conflict(
    `${what} ${arn} is associated with ${users.length} channel${users.length === 1 ? '' : 's'} (${shown}${more}); ` +
      `detach it from each with UpdateChannel ${field}: "" before deleting it`,
  )
}
