// Looking a stage up: shared by the stage, composition and participant handlers, so that none of
// them imports another's handlers to find a stage.
import type { SimContext } from '../handler.js'
import { notFound } from './realtime-errors.js'
import type { StageRecord } from './realtime-state.js'

export function requireStage(ctx: SimContext, arn: string): StageRecord {
  const stage = ctx.state.realtime.stages.get(arn)
  if (!stage) throw notFound(`Stage not found: ${arn}`)
  return stage
}
