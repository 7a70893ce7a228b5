// Tags on IVS Chat resources, by ARN (the router sends /tags/<arn:aws:ivschat:…> here). Same rules
// as ivs's (resources/tags.ts: merge, remove, 50 at most, `aws:` keys reserved), refused with
// chat's own errors.
import type { Operations } from '../../model/ivschat/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import type { StoredResource } from '../resource-table.js'
import { tagHandlersOver } from '../resources/tags.js'
import { idOf, parseChatArn } from './chat-arn.js'
import { fieldInvalid, notFound } from './chat-errors.js'

const tagRefusal = (message: string) => fieldInvalid('tags', message)

function requireTaggable(ctx: SimContext, arn: string): StoredResource {
  const parsed = parseChatArn(arn)
  const resource = parsed && parsed.region === ctx.state.region && parsed.accountId === ctx.state.accountId
    ? ctx.state.chat.tableFor(parsed.resourceType)?.get(arn)
    : undefined
  if (!resource) {
    const type = parsed?.resourceType === 'logging-configuration' ? 'LOGGING_CONFIGURATION' : 'ROOM'
    throw notFound(type, idOf(arn), `Resource not found: ${arn}`)
  }
  return resource
}

export const chatTagHandlers = tagHandlersOver(requireTaggable, tagRefusal) satisfies HandlerTable<Operations>
