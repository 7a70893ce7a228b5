// Tags on every taggable IVS resource: TagResource merges, UntagResource removes (absent keys are a
// no-op), ListTagsForResource reads. 50 tags at most per resource; `aws:` keys are reserved.
import type { Tags } from '../../model/ivs/types.js'
import { ivs } from '../../model/services.js'
import { notFound, validationError } from '../ivs-errors.js'
import { parseArn } from '../arn.js'
import type { HandlerTable, SimContext } from '../handler.js'
import type { StoredResource } from '../resource-table.js'

/** The model's Tags map limit (M), which also bounds a resource's tags after TagResource merges. */
export const MAX_TAGS_PER_RESOURCE = mapLimit('Tags')

/**
 * Refuses `aws:` keys (reserved by AWS tagging rules, which the model defers to). Shared by
 * TagResource and every Create/Import that takes tags, so both paths refuse the same keys the same way.
 */
export function checkTagKeys(tags: Tags | undefined): void {
  const reserved = Object.keys(tags ?? {}).filter((k) => k.toLowerCase().startsWith('aws:'))
  if (reserved.length) throw validationError(`Tag keys starting with 'aws:' are reserved: ${reserved.join(', ')}`)
}

function requireTaggable(ctx: SimContext, arn: string): StoredResource {
  const parsed = parseArn(arn)
  const resource =
    parsed && parsed.accountId === ctx.state.accountId && parsed.region === ctx.state.region
      ? ctx.state.tableFor(parsed.resourceType)?.get(arn)
      : undefined
  if (!resource) throw notFound(`Resource not found: ${arn}`)
  return resource
}

export const tagHandlers = {
  TagResource(input, ctx) {
    // Validation before existence (docs/ivs-behavior.md §1 check order).
    checkTagKeys(input.tags)
    const resource = requireTaggable(ctx, input.resourceArn)
    const merged = { ...resource.tags, ...input.tags }
    if (Object.keys(merged).length > MAX_TAGS_PER_RESOURCE) {
      throw validationError(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would leave ${Object.keys(merged).length}`)
    }
    resource.tags = merged
    return {}
  },

  UntagResource(input, ctx) {
    const resource = requireTaggable(ctx, input.resourceArn)
    const tags = { ...resource.tags }
    for (const key of input.tagKeys) delete tags[key]
    resource.tags = tags
    return {}
  },

  ListTagsForResource(input, ctx) {
    return { tags: { ...requireTaggable(ctx, input.resourceArn).tags } }
  },
} satisfies HandlerTable

function mapLimit(shapeName: string): number {
  const shape = ivs.shapeOf(shapeName)
  if (shape.type !== 'map' || shape.max === undefined) throw new Error(`model shape ${shapeName} has no map limit`)
  return shape.max
}
