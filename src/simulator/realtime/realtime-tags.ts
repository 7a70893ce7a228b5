// Tags on IVS Real-Time resources, by ARN (the router sends /tags/<realtime ARN> here). Same rules
// as ivs's (resources/tags.ts): merge, remove, read; 50 at most; `aws:` keys reserved.
import type { Operations } from '../../model/ivs-realtime/types.js'
import type { HandlerTable, SimContext } from '../handler.js'
import type { StoredResource } from '../resource-table.js'
import { tagHandlersOver } from '../resources/tags.js'
import { notFound, validationError } from './realtime-errors.js'

const ARN = /^arn:aws:ivs:([a-z0-9-]+):(\d+):([a-z-]+)\/[a-zA-Z0-9-]+$/

function requireTaggable(ctx: SimContext, arn: string): StoredResource {
  const m = ARN.exec(arn)
  const resource = m && m[1] === ctx.state.region && m[2] === ctx.state.accountId ? ctx.state.realtime.tableFor(m[3])?.get(arn) : undefined
  if (!resource) throw notFound(`Resource not found: ${arn}`)
  return resource
}

export const realtimeTagHandlers = tagHandlersOver(requireTaggable, validationError) satisfies HandlerTable<Operations>
