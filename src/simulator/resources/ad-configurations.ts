// Ad configurations (server-side ad insertion through MediaTailor): Create, Get, List, Update, Delete.
// MediaTailor ARNs are checked against the model pattern only:
// MediaTailor is out of reach (docs/ivs-behavior.md §9 #22). A configuration a channel references cannot be
// deleted (§9 #7).
import type { AdConfiguration, PostRollConfiguration } from '../../model/ivs/types.js'
import { notFound } from '../ivs-errors.js'
import { formatArn } from '../arn.js'
import type { HandlerTable } from '../handler.js'
import { paginate } from '../pagination.js'
import type { AdConfigurationRecord, RegionState } from '../region-state.js'
import { refuseDeleteWhileReferenced } from './channel-references.js'
import { checkTagKeys } from './tags.js'

function requireAdConfiguration(state: RegionState, arn: string): AdConfigurationRecord {
  const config = state.adConfigurations.get(arn)
  if (!config) throw notFound(`Ad configuration not found: ${arn}`)
  return config
}

/**
 * The model's documented default for a configuration created without one: "Default: disabled
 * (`enabled` set to false, `durationSeconds` set to 15)" (M, CreateAdConfigurationRequest).
 */
const DEFAULT_POST_ROLL: PostRollConfiguration = { enabled: false, durationSeconds: 15 }

/** A copy, so an answer never aliases stored state. The summary has the same members (M). */
function toAdConfiguration(record: AdConfigurationRecord): AdConfiguration {
  return {
    arn: record.arn,
    name: record.name,
    mediaTailorPlaybackConfigurations: record.mediaTailorPlaybackConfigurations.map((c) => ({ ...c })),
    // A state file or recording from before the member existed has none: it is the default.
    postRollConfiguration: { ...(record.postRollConfiguration ?? DEFAULT_POST_ROLL) },
    tags: { ...record.tags },
  }
}

export const adConfigurationHandlers = {
  CreateAdConfiguration(input, ctx) {
    const { state, ids } = ctx
    checkTagKeys(input.tags)
    // The protocol layer has enforced 1–3 entries (M), which is also the per-configuration quota (§10).
    const record: AdConfigurationRecord = {
      arn: formatArn(state.region, state.accountId, 'ad-configuration', ids.alnum(12)),
      name: input.name ?? '',
      mediaTailorPlaybackConfigurations: input.mediaTailorPlaybackConfigurations.map((c) => ({ ...c })),
      postRollConfiguration: { ...(input.postRollConfiguration ?? DEFAULT_POST_ROLL) },
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.adConfigurations.put(record)
    return { adConfiguration: toAdConfiguration(record) }
  },

  GetAdConfiguration(input, ctx) {
    return { adConfiguration: toAdConfiguration(requireAdConfiguration(ctx.state, input.arn)) }
  },

  ListAdConfigurations(input, ctx) {
    const page = paginate(ctx.state.adConfigurations.values(), input, 100, 'ListAdConfigurations')
    return { adConfigurations: page.items.map(toAdConfiguration), nextToken: page.nextToken }
  },

  // Members left out keep their value; a given list or post-roll replaces the old one whole (both
  // are required-complete in the model: 1–3 playback configurations, post-roll with both members).
  UpdateAdConfiguration(input, ctx) {
    const record = requireAdConfiguration(ctx.state, input.arn)
    const updated: AdConfigurationRecord = {
      ...record,
      ...(input.name !== undefined && { name: input.name }),
      ...(input.mediaTailorPlaybackConfigurations && {
        mediaTailorPlaybackConfigurations: input.mediaTailorPlaybackConfigurations.map((c) => ({ ...c })),
      }),
      ...(input.postRollConfiguration && { postRollConfiguration: { ...input.postRollConfiguration } }),
    }
    ctx.state.adConfigurations.put(updated)
    return { adConfiguration: toAdConfiguration(updated) }
  },

  DeleteAdConfiguration(input, ctx) {
    const config = requireAdConfiguration(ctx.state, input.arn)
    refuseDeleteWhileReferenced(ctx.state, 'adConfigurationArn', config.arn, 'Ad configuration')
    ctx.state.adConfigurations.delete(config.arn)
  },
} satisfies HandlerTable
