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
 * TagResource and every Create/Import that takes tags, so both paths refuse the same keys the same way;
 * `refuse` builds the calling service's ValidationException (ivschat's carries a `reason`).
 */
export function checkTagKeys(tags: Tags | undefined, refuse: (message: string) => Error = validationError): void {
  const reserved = Object.keys(tags ?? {}).filter((k) => k.toLowerCase().startsWith('aws:'))
  if (reserved.length) throw refuse(`Tag keys starting with 'aws:' are reserved: ${reserved.join(', ')}`)
}

/**
 * TagResource's and UntagResource's rules on one resource's tags, shared by every service's tag
 * handlers: a merge may leave at most MAX_TAGS_PER_RESOURCE (`tooMany` builds the service's own
 * ValidationException); removing an absent key is a no-op.
 */
export function mergeTags(resource: StoredResource, added: Tags, tooMany: (message: string) => Error): void {
  const merged = { ...resource.tags, ...added }
  const count = Object.keys(merged).length
  if (count > MAX_TAGS_PER_RESOURCE) throw tooMany(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would leave ${count}`)
  resource.tags = merged
}

export function removeTags(resource: StoredResource, keys: readonly string[]): void {
  const tags = { ...resource.tags }
  for (const key of keys) delete tags[key]
  resource.tags = tags
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

/**
 * TagResource, UntagResource and ListTagsForResource over one service's resources, the same for
 * ivs, ivs-realtime and ivschat: `find` looks a caller's resource up by ARN (throwing the service's
 * not-found), `refuse` builds the service's ValidationException. Validation before existence
 * (docs/ivs-behavior.md §1 check order).
 */
export function tagHandlersOver(
  find: (ctx: SimContext, arn: string) => StoredResource,
  refuse: (message: string) => Error = validationError,
) {
  return {
    TagResource(input: { resourceArn: string; tags: Tags }, ctx: SimContext) {
      checkTagKeys(input.tags, refuse)
      mergeTags(find(ctx, input.resourceArn), input.tags, refuse)
      return {}
    },

    UntagResource(input: { resourceArn: string; tagKeys: string[] }, ctx: SimContext) {
      removeTags(find(ctx, input.resourceArn), input.tagKeys)
      return {}
    },

    ListTagsForResource(input: { resourceArn: string }, ctx: SimContext) {
      return { tags: { ...find(ctx, input.resourceArn).tags } }
    },
  }
}

export const tagHandlers = tagHandlersOver(requireTaggable) satisfies HandlerTable

function mapLimit(shapeName: string): number {
  const shape = ivs.shapeOf(shapeName)
  if (shape.type !== 'map' || shape.max === undefined) throw new Error(`model shape ${shapeName} has no map limit`)
  return shape.max
}
