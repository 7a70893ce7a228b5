// Category 1a: model-generated cases on the wire. Systematic cases (every operation × every
// mutation of model-cases.ts) come first, then seeded random combinations until the budget is spent.
import type { Test } from 'tap'
import { ivs } from '../../src/model/services.js'
import type { JsonObject, JsonValue } from '../../src/protocol/deserialize.js'
import { isNotImplemented, judge, readError } from './check.js'
import { runCases, type WireCase } from './cases.js'
import { Tally, type Budget, type Client } from './harness.js'
import {
  applyMutations, baselineInput, buildRequest, fuzzCase, mutationsOf, SAMPLE_ARNS, stringPool, systematicCases, type ModelCase,
} from './model-cases.js'
import { Prng } from './prng.js'
import { pool } from './wire.js'

const { operationNames } = ivs

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


const ARN_IN_TEXT = /arn:aws:ivs:[a-z0-9-]+:\d{12}:([a-z-]+)\/[A-Za-z0-9-]+/g

/** ARNs of existing resources, by type, harvested from the server's answers. */
class ArnPools {
  readonly #byType = new Map<string, Set<string>>()

  harvest(body: Buffer): void {
    for (const m of body.toString('utf8').matchAll(ARN_IN_TEXT)) {
      let set = this.#byType.get(m[1])
      if (!set) this.#byType.set(m[1], (set = new Set()))
      set.add(m[0])
    }
  }

  pick(type: string, prng: Prng): string | undefined {
    const set = this.#byType.get(type)
    return set && set.size ? prng.pick([...set]) : undefined
  }

  clear(): void {
    this.#byType.clear()
  }
}

const sampleArns = new Set(SAMPLE_ARNS)

/**
 * A copy of `value` where sample ARNs name resources that exist (mutated values are left alone);
 * `keepShare` of them stay as they are, naming nothing.
 */
function withExistingArns(value: JsonValue, pools: ArnPools, prng: Prng, keepShare = 0.15): JsonValue {
  if (typeof value === 'string') {
    if (!sampleArns.has(value) || prng.chance(keepShare)) return value
    return pools.pick(value.split(':')[5].split('/')[0], prng) ?? value
  }
  if (Array.isArray(value)) return value.map((v) => withExistingArns(v, pools, prng, keepShare))
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: withExistingArns(v, pools, prng, keepShare), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}

/**
 * One resource of each kind (and a live channel), then for every operation: every member given,
 * and each optional member null (the same as absent), all naming those resources. A handler that
 * reads a null where it expects a value crashes only when the resource exists.
 */
export async function existingResourceCases(t: Test, client: Client, seed: number): Promise<Tally> {
  const tally = new Tally()
  const pools = new ArnPools()
  const creates: [string, unknown][] = [
    ['/CreateChannel', { name: 'existing' }],
    ['/CreateRecordingConfiguration', { destinationConfiguration: { s3: { bucketName: 'my-bucket' } } }],
    ['/CreatePlaybackRestrictionPolicy', {}],
    ['/CreateAdConfiguration', { mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: 'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/x' }] }],
    ['/ImportPlaybackKeyPair', { publicKeyMaterial: stringPool('PlaybackPublicKeyMaterial')[0] }],
  ]
  for (const [path, body] of creates) {
    const res = await client.signed('POST', path, JSON.stringify(body))
    t.equal(res.status, 200, `${path} for the existing-resource cases`)
    pools.harvest(res.body)
  }
  const channel = pools.pick('channel', new Prng(seed))
  if (channel) await client.control('POST', 'streams/start', { channelArn: channel })
  const prng = new Prng(seed)
  // Destructive operations last, so the others find the resources (and the live channel) still there.
  const destructive = (op: string) => (op.startsWith('Delete') ? 2 : op === 'StopStream' ? 1 : 0)
  for (const op of [...operationNames].sort((a, b) => destructive(a) - destructive(b))) {
    const cases = [
      { label: `${op}: every member`, input: baselineInput(op, 'full'), expect: { kind: 'accepted' } as const },
      ...mutationsOf(op).filter((m) => m.category === 'null-optional').map((m) => applyMutations(op, baselineInput(op, 'required'), [m])),
    ]
    for (const c of cases) {
      const req = buildRequest(op, withExistingArns(c.input, pools, prng, 0) as JsonObject)
      const answer = await client.signed(req.method, req.target, req.body)
      const problem = judge(answer, c.expect)
      tally.record(`existing/${c.label.includes('null') ? 'null-optional' : 'every-member'}`, problem === undefined ? undefined : `${c.label}: ${problem}`, isNotImplemented(answer))
    }
  }
  tally.probe(await client.stillServing())
  await client.reset()
  tally.assert(t, 'valid input against resources that exist')
  return tally
}

/**
 * Random cases whose ARNs name resources that exist (created earlier in the same batch), with the
 * odd simulated broadcast started in between: valid input reaches the handlers' deeper paths
 * (references, in-use deletes, live channels, quotas) instead of stopping at "not found".
 */
export async function statefulSuite(t: Test, client: Client, budget: Budget, count: number): Promise<Tally> {
  const tally = new Tally()
  const prng = new Prng(budget.seed + 1)
  const pools = new ArnPools()
  for (let done = 0; done < count; done += budget.batchSize) {
    // Mostly valid input: the point is to reach the handlers with resources that exist.
    const batch = Array.from({ length: Math.min(budget.batchSize, count - done) }, () => fuzzCase(prng, 0.75))
    await pool(batch, budget.concurrency, async (c) => {
      if (prng.chance(0.05)) {
        const channel = pools.pick('channel', prng)
        if (channel) {
          const res = await client.control('POST', prng.chance(0.8) ? 'streams/start' : 'streams/stop', { channelArn: channel })
          tally.record('stateful/broadcast start or stop', res.status >= 500 ? `control ${res.status}: ${res.body.toString().slice(0, 200)}` : undefined)
        }
      }
      const req = buildRequest(c.op, withExistingArns(c.input, pools, prng) as JsonObject)
      let answer
      try {
        answer = await client.signed(req.method, req.target, req.body)
      } catch (err) {
        tally.record(`stateful/${c.expect.kind}`, `${c.label}: no answer (${(err as Error).message})`)
        return
      }
      if (answer.status === 200) pools.harvest(answer.body)
      const problem = judge(answer, c.expect)
      const err = answer.status >= 400 ? readError(answer) : undefined
      // Valid input is tallied by answer, to show how deep it got (200 vs 404 vs 409 …).
      const category = c.expect.kind === 'accepted' ? `stateful/valid → ${answer.status}${err && typeof err !== 'string' ? ` ${err.type}` : ''}` : `stateful/${c.expect.kind}`
      tally.record(category, problem === undefined ? undefined : `${c.label}: ${problem}`, isNotImplemented(answer))
    })
    tally.probe(await client.stillServing())
    await client.reset()
    pools.clear()
  }
  tally.assert(t, 'stateful random cases')
  return tally
}
