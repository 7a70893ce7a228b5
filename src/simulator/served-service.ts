// A service the simulator answers: its model and a complete handler table, with the context its
// handlers get. `serve` accepts only a complete table (CompleteHandlerTable), so a service is served
// only once every operation of its model has a handler.
import type { ServiceSpec } from '../model/service-spec.js'
import type { CompleteHandlerTable } from './handler.js'

export interface ServedService {
  readonly spec: ServiceSpec
  /** Runs one operation for an account+region; throws AwsError as the service would answer. */
  invoke(operation: string, input: unknown, accountId: string, region: string): unknown
}

export function serve<Ops extends { readonly [K in keyof Ops]: { readonly input: unknown; readonly output: unknown } }, Ctx>(
  spec: ServiceSpec<keyof Ops & string>,
  table: CompleteHandlerTable<Ops, Ctx>,
  /** The context for one call; `operation` tells a read from a write. */
  context: (accountId: string, region: string, operation: string) => Ctx,
): ServedService {
  return {
    spec,
    invoke(operation, input, accountId, region) {
      const handler = table[operation as keyof Ops] as (input: unknown, ctx: Ctx) => unknown
      return handler(input, context(accountId, region, operation))
    },
  }
}
