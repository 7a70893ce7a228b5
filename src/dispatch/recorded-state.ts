// The hybrid's starting point: the simulator learns every resource the cassette has seen, in its
// last recorded state, the first time it may be asked (a miss, a control call), never at open: a
// cassette of 100,000 interactions opens as fast as before, and a run answered wholly from the
// cassette never pays for it.
//
// Per ARN, only the interactions from its last full description on are learnt (a Get, Create or
// Update answer; then any later summaries, tag changes and its delete), in recording order, so the
// simulator's own rules (a channel's delete removes its stream keys) apply as they did when recorded.
import { describedResources } from '../cassette/described-resources.js'
import { storedRequestBody } from '../cassette/stored-request-body.js'
import type { Logger } from '../log/logger.js'
import type { OperationName } from '../model/ivs/types.js'
import { ivs, type AnyOperationName } from '../model/services.js'
import { deserializeInput, type JsonObject } from '../protocol/deserialize.js'
import { Router } from '../protocol/router.js'
import { learnsFromInput } from '../simulator/absorb.js'
import { parseArn, type ParsedArn } from '../simulator/arn.js'
import type { Simulator } from '../simulator/simulator.js'
import type { DescribedResources, Interaction, ReplaySource } from '../storage/storage.js'
const { operationOf } = ivs
const router = new Router(ivs)

const PAGE = 2_000

/** Teaches `simulator` the cassette's last recorded state; returns how many interactions it read. */
export async function learnRecordedState(store: ReplaySource, simulator: Simulator, logger: Logger): Promise<number> {
  const started = performance.now()
  /** ARN → ids of the interactions that make its last recorded state, in id order. */
  const since = new Map<string, number[]>()
  /** Interaction id → the account and region it was made in (those of an ARN it names). */
  const origins = new Map<number, ParsedArn>()
  let computed = 0
  for (let after = 0; ; ) {
    const page = await store.resourceEntries(after, PAGE)
    const described = new Map<number, DescribedResources | undefined>()
    const unindexed: number[] = []
    for (const entry of page) {
      if (entry.resources === null) unindexed.push(entry.id)
      else described.set(entry.id, JSON.parse(entry.resources) as DescribedResources)
    }
    // Recorded before the index existed (or imported): computed from the stored bytes, in memory
    // only, so replaying a committed cassette never rewrites it.
    for (const i of unindexed.length > 0 ? await store.byIds(unindexed) : []) {
      described.set(i.id, describedResources(i.operation, inputOf(i), i.response.status, i.response.body))
    }
    computed += unindexed.length
    for (const entry of page) {
      const d = described.get(entry.id)
      if (!d) continue
      const origin = [...d.effect, ...d.full, ...d.summary].map(parseArn).find((a) => a !== undefined)
      if (!origin) continue
      origins.set(entry.id, origin)
      for (const arn of d.full) since.set(arn, [entry.id])
      for (const arn of [...d.summary, ...d.effect]) {
        const ids = since.get(arn)
        if (!ids) since.set(arn, [entry.id])
        else if (ids[ids.length - 1] !== entry.id) ids.push(entry.id)
      }
    }
    if (page.length < PAGE) break
    after = page[page.length - 1].id
  }
  const ids = [...new Set([...since.values()].flat())].sort((a, b) => a - b)
  for (let i = 0; i < ids.length; i += PAGE) {
    for (const interaction of await store.byIds(ids.slice(i, i + PAGE))) {
      const origin = origins.get(interaction.id)
      if (origin) learn(simulator, interaction, origin)
    }
  }
  logger.debug('learnt the cassette\'s recorded state', {
    resources: since.size, interactions: ids.length, computed, ms: (performance.now() - started).toFixed(1),
  })
  return ids.length
}

function learn(simulator: Simulator, interaction: Interaction, origin: ParsedArn): void {
  const { operation, response } = interaction
  const input = learnsFromInput(operation) ? inputOf(interaction) : {}
  const caller = { accessKeyId: '', accountId: origin.accountId, region: origin.region }
  // resourceEntries lists only interactions the model knows the operation of.
  simulator.observe({ service: 'ivs', operation: operation as OperationName & AnyOperationName, input, caller }, response)
}

/** The recorded call's input, rebuilt from its stored request as the server builds it. */
function inputOf(interaction: Interaction): JsonObject {
  const { request } = interaction
  try {
    const target = router.route(request.method, request.path)
    const body = storedRequestBody(request.body)
    if (!body) return {}
    return deserializeInput(ivs, operationOf(target.operation).input, { labels: target.labels, query: request.query, headers: request.headers, body })
  } catch {
    return {}
  }
}
