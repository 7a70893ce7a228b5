// Category 1a: model-generated cases on the wire. Systematic cases (every operation × every
// mutation of model-cases.ts) come first, then seeded random combinations until the budget is spent.
import type { Test } from 'tap'
import { judge, readError } from './check.js'
import { runCases, type WireCase } from './cases.js'
import { Tally, type Budget, type Client } from './harness.js'
import { buildRequest, fuzzCase, systematicCases, type ModelCase } from './model-cases.js'
import { Prng } from './prng.js'

function toWire(c: ModelCase, category: string): WireCase {
  const req = buildRequest(c.op, c.input)
  return { category, label: c.label, ...req, judge: (a) => judge(a, c.expect) }
}

/** One case per (operation, category) in the sample; every case in the full suite. */
export function* modelWireCases(budget: Budget): Generator<WireCase> {
  const seen = new Set<string>()
  for (const c of systematicCases()) {
    const category = `model/${c.categories[0]}`
    const key = `${c.op}|${category}`
    if (budget.systematic === 'stratified' && seen.has(key)) continue
    seen.add(key)
    yield toWire(c, category)
  }
  const prng = new Prng(budget.seed)
  for (let i = 0; i < budget.fuzzCases; i++) {
    const c = fuzzCase(prng)
    yield toWire(c, `model/fuzz-${c.expect.kind}`)
  }
}

/**
 * Tag keys named like Object.prototype members are valid (TagKey allows `_` and letters), so they
 * must survive a round trip: a plain-object map silently drops `__proto__`.
 */
export async function prototypeKeyRoundTrip(t: Test, client: Client): Promise<void> {
  // Built as JSON text: in a JS object literal `__proto__: …` would set a prototype, not a key.
  const keys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']
  const tagsJson = `{${keys.map((k, i) => `"${k}":"v${i}"`).join(',')}}`
  const created = await client.signed('POST', '/CreateChannel', `{"name":"proto-keys","tags":${tagsJson}}`)
  t.equal(created.status, 200, 'CreateChannel with prototype-named tag keys')
  const channel = (JSON.parse(created.body.toString()) as { channel: { arn: string; tags: Record<string, string> } }).channel
  t.same(Object.keys(channel.tags).sort(), [...keys].sort(), 'CreateChannel answers every tag, __proto__ included')
  const path = `/tags/${encodeURIComponent(channel.arn)}`
  const tagsOf = async () => (JSON.parse((await client.signed('GET', path)).body.toString()) as { tags: Record<string, string> }).tags
  t.same(Object.keys(await tagsOf()).sort(), [...keys].sort(), 'ListTagsForResource returns every key')
  const untag = await client.signed('DELETE', `${path}?tagKeys=__proto__&tagKeys=constructor`)
  t.equal(untag.status, 200, 'UntagResource of prototype-named keys')
  t.same(Object.keys(await tagsOf()).sort(), ['hasOwnProperty', 'toString', 'valueOf'], 'exactly those two removed')
  const tagged = await client.signed('POST', path, '{"tags":{"__proto__":"again"}}')
  t.equal(tagged.status, 200, 'TagResource with __proto__')
  t.equal((await tagsOf())['__proto__'], 'again', 'TagResource stored __proto__')
  // Query parameters named like prototype members are just unknown parameters.
  for (const q of ['__proto__=1', 'constructor=x', 'toString', 'hasOwnProperty=&valueOf=']) {
    const res = await client.signed('POST', `/ListChannels?${q}`, '{}')
    const err = res.status >= 400 ? readError(res) : undefined
    t.equal(res.status, 200, `?${q} is ignored`, { error: err })
  }
}

export async function modelSuite(t: Test, client: Client, budget: Budget): Promise<Tally> {
  const tally = new Tally()
  await runCases(client, modelWireCases(budget), tally, budget)
  tally.assert(t, 'model-generated bad input')
  return tally
}

