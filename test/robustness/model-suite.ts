// Category 1a: model-generated cases on the wire, for every service the server answers (each signed
// with its signing name and routed by its own paths). Systematic cases (every operation × every
// mutation of model-cases.ts) come first, then seeded random combinations until the budget is spent.
import type { Test } from 'tap'
import type { ServiceSpec } from '../../src/model/service-spec.js'
import { ivs } from '../../src/model/services.js'
import type { JsonObject, JsonValue } from '../../src/protocol/deserialize.js'
import { isNotImplemented, judge, readError, undeclaredError, type Called } from './check.js'
import { runCases, type WireCase } from './cases.js'
import { MAIN_KEY, Tally, type Budget, type Client } from './harness.js'
import { modelCasesFor, type ModelCase, type ModelCases } from './model-cases.js'
import { Prng } from './prng.js'
import { pool } from './wire.js'

function toWire(gen: ModelCases, c: ModelCase, category: string, tally?: Tally): WireCase {
  const req = gen.buildRequest(c.op, c.input)
  const called: Called = { spec: gen.spec, op: c.op }
  return {
    category, label: c.label, ...req, signingName: gen.spec.model.signingName,
    judge: (a) => {
      tally?.note(undeclaredError(a, called))
      return judge(a, c.expect, called)
    },
  }
}

/**
 * One case per (service, operation, category) in the sample; every case in the full suite. The
 * random cases take turns among the services.
 */
export function* modelWireCases(budget: Budget, services: readonly ServiceSpec[], tally?: Tally): Generator<WireCase> {
  const generators = services.map(modelCasesFor)
  const seen = new Set<string>()
  for (const gen of generators) {
    for (const c of gen.systematicCases()) {
      const category = `model/${c.service}/${c.categories[0]}`
      const key = `${c.op}|${category}`
      if (budget.systematic === 'stratified' && seen.has(key)) continue
      seen.add(key)
      yield toWire(gen, c, category, tally)
    }
  }
  const prng = new Prng(budget.seed)
  for (let i = 0; i < budget.fuzzCases; i++) {
    const gen = generators[i % generators.length]
    const c = gen.fuzzCase(prng)
    yield toWire(gen, c, `model/${c.service}/fuzz-${c.expect.kind}`, tally)
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

export async function modelSuite(t: Test, client: Client, budget: Budget, services: readonly ServiceSpec[]): Promise<Tally> {
  const tally = new Tally()
  await runCases(client, modelWireCases(budget, services, tally), tally, budget)
  tally.assert(t, 'model-generated bad input')
  return tally
}

/** `arn:aws:ivs:us-west-2:123456789012:stage/abcd` → pool `ivs:stage`. */
const ARN_IN_TEXT = /arn:aws:(ivs|ivschat):[a-z0-9-]+:\d{12}:([a-z-]+)\/[A-Za-z0-9-]+/g
const poolOf = (arn: string) => {
  const [, , service, , , rest] = arn.split(':')
  return `${service}:${(rest ?? '').split('/')[0]}`
}

/** ARNs of existing resources, by service and type, harvested from the server's answers. */
class ArnPools {
  readonly #byType = new Map<string, Set<string>>()

  harvest(body: Buffer): void {
    for (const m of body.toString('utf8').matchAll(ARN_IN_TEXT)) {
      const key = `${m[1]}:${m[2]}`
      let set = this.#byType.get(key)
      if (!set) this.#byType.set(key, (set = new Set()))
      set.add(m[0])
    }
  }

  /** An existing resource of the pool `service:type` (`ivs:channel`, `ivschat:room`). */
  pick(pool: string, prng: Prng): string | undefined {
    const set = this.#byType.get(pool)
    return set && set.size ? prng.pick([...set]) : undefined
  }

  clear(): void {
    this.#byType.clear()
  }
}

/**
 * A copy of `value` where sample ARNs name resources that exist (mutated values are left alone);
 * `keepShare` of them stay as they are, naming nothing.
 */
function withExistingArns(gen: ModelCases, value: JsonValue, pools: ArnPools, prng: Prng, keepShare = 0.15): JsonValue {
  if (typeof value === 'string') {
    if (!gen.isSampleArn(value) || prng.chance(keepShare)) return value
    return pools.pick(poolOf(value), prng) ?? value
  }
  if (Array.isArray(value)) return value.map((v) => withExistingArns(gen, v, pools, prng, keepShare))
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: withExistingArns(gen, v, pools, prng, keepShare), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}

/** Creates, by hand where the service needs particular input to create something (ivs, before the others). */
const IVS_CREATES: readonly (readonly [string, unknown])[] = [
  ['/CreateChannel', { name: 'existing' }],
  ['/CreateRecordingConfiguration', { destinationConfiguration: { s3: { bucketName: 'my-bucket' } } }],
  ['/CreatePlaybackRestrictionPolicy', {}],
  ['/CreateAdConfiguration', { mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: 'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/x' }] }],
  ['/ImportPlaybackKeyPair', { publicKeyMaterial: modelCasesFor(ivs).stringPool('PlaybackPublicKeyMaterial')[0] }],
]

/** Operations that make a resource (or a token for one), by name: the derived seeding of a service. */
const isCreating = (op: string) => /^(Create|Import|Start)/.test(op)

/**
 * One resource of each kind a service has. ivs: its hand-written creates, each of which must work,
 * and a live channel. Other services: every creating operation with its required members, twice
 * (the second pass finds what the first made: a composition needs a stage), then, for ivs-realtime,
 * a participant that joins a stage with a token CreateParticipantToken gave (/_mock/stages/join).
 */
async function seedResources(t: Test, client: Client, gen: ModelCases, pools: ArnPools, prng: Prng): Promise<void> {
  const key = { ...MAIN_KEY, service: gen.spec.model.signingName }
  if (gen.spec === ivs) {
    for (const [path, body] of IVS_CREATES) {
      const res = await client.signed('POST', path, JSON.stringify(body))
      t.equal(res.status, 200, `${path} for the existing-resource cases`)
      pools.harvest(res.body)
    }
    const channel = pools.pick('ivs:channel', prng)
    if (channel) await client.control('POST', 'streams/start', { channelArn: channel })
    return
  }
  const made = new Set<string>()
  let token: string | undefined
  for (let pass = 0; pass < 2; pass++) {
    for (const op of gen.operationNames.filter(isCreating)) {
      // Business rules the model does not state (RTMP ingest must be insecure, a composition needs
      // a destination) refuse some model-valid input: a few random fills find one they accept.
      for (let attempt = 0; attempt < 12; attempt++) {
        const fill = attempt === 0 ? 'required' : attempt === 1 ? 'full' : 'random'
        const req = gen.buildRequest(op, withExistingArns(gen, gen.baselineInput(op, fill, prng), pools, prng, 0) as JsonObject)
        const res = await client.signed(req.method, req.target, req.body, key)
        if (res.status !== 200) continue
        made.add(op)
        pools.harvest(res.body)
        token ??= (JSON.parse(res.body.toString('utf8')) as { participantToken?: { token?: string } }).participantToken?.token
        break
      }
    }
  }
  t.ok(made.size > 0, `${gen.spec.id}: ${made.size} creating operations succeeded for the existing-resource cases (${[...made].join(', ')})`)
  if (token) {
    const joined = await client.control('POST', 'stages/join', { token, publish: true })
    t.equal(joined.status, 200, `${gen.spec.id}: a participant joined a stage with a token from CreateParticipantToken`)
  }
}

/**
 * One resource of each kind (and a live channel, a participant on a stage), then for every operation
 * of every service: every member given, and each optional member null (the same as absent), all
 * naming those resources. A handler that reads a null where it expects a value crashes only when the
 * resource exists.
 */
export async function existingResourceCases(t: Test, client: Client, seed: number, services: readonly ServiceSpec[]): Promise<Tally> {
  const tally = new Tally()
  const pools = new ArnPools()
  const prng = new Prng(seed)
  const generators = services.map(modelCasesFor)
  for (const gen of generators) await seedResources(t, client, gen, pools, prng)
  // Destructive operations last, so the others find the resources (and the live channel) still there.
  const destructive = (op: string) => (op.startsWith('Delete') ? 2 : op.startsWith('Stop') || op.startsWith('Disconnect') ? 1 : 0)
  const ordered = generators.flatMap((gen) => gen.operationNames.map((op) => ({ gen, op })))
    .sort((a, b) => destructive(a.op) - destructive(b.op))
  for (const { gen, op } of ordered) {
    const cases = [
      { label: `${op}: every member`, input: gen.baselineInput(op, 'full'), expect: { kind: 'accepted' } as const },
      ...gen.mutationsOf(op).filter((m) => m.category === 'null-optional').map((m) => gen.applyMutations(op, gen.baselineInput(op, 'required'), [m])),
    ]
    for (const c of cases) {
      const req = gen.buildRequest(op, withExistingArns(gen, c.input, pools, prng, 0) as JsonObject)
      const answer = await client.signed(req.method, req.target, req.body, { ...MAIN_KEY, service: gen.spec.model.signingName })
      const called: Called = { spec: gen.spec, op }
      tally.note(undeclaredError(answer, called))
      const problem = judge(answer, c.expect, called)
      const category = `existing/${gen.spec.id}/${c.label.includes('null') ? 'null-optional' : 'every-member'}`
      tally.record(category, problem === undefined ? undefined : `${gen.spec.id} ${c.label}: ${problem}`, isNotImplemented(answer))
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
 * (references, in-use deletes, live channels, quotas) instead of stopping at "not found". `count`
 * cases per service; the services' cases are mixed in one batch, so one may name another's resources
 * (a composition's destination channel).
 */
export async function statefulSuite(t: Test, client: Client, budget: Budget, count: number, services: readonly ServiceSpec[]): Promise<Tally> {
  const tally = new Tally()
  const prng = new Prng(budget.seed + 1)
  const pools = new ArnPools()
  const generators = services.map(modelCasesFor)
  const total = count * generators.length
  for (let done = 0; done < total; done += budget.batchSize) {
    // Mostly valid input: the point is to reach the handlers with resources that exist.
    const batch = Array.from({ length: Math.min(budget.batchSize, total - done) }, (_, i) => {
      const gen = generators[(done + i) % generators.length]
      return { gen, c: gen.fuzzCase(prng, 0.75) }
    })
    await pool(batch, budget.concurrency, async ({ gen, c }) => {
      if (prng.chance(0.05)) {
        const channel = pools.pick('ivs:channel', prng)
        if (channel) {
          const res = await client.control('POST', prng.chance(0.8) ? 'streams/start' : 'streams/stop', { channelArn: channel })
          tally.record('stateful/broadcast start or stop', res.status >= 500 ? `control ${res.status}: ${res.body.toString().slice(0, 200)}` : undefined)
        }
      }
      const req = gen.buildRequest(c.op, withExistingArns(gen, c.input, pools, prng) as JsonObject)
      let answer
      try {
        answer = await client.signed(req.method, req.target, req.body, { ...MAIN_KEY, service: gen.spec.model.signingName })
      } catch (err) {
        tally.record(`stateful/${c.service}/${c.expect.kind}`, `${c.label}: no answer (${(err as Error).message})`)
        return
      }
      if (answer.status === 200) pools.harvest(answer.body)
      const called: Called = { spec: gen.spec, op: c.op }
      tally.note(undeclaredError(answer, called))
      const problem = judge(answer, c.expect, called)
      const err = answer.status >= 400 ? readError(answer) : undefined
      // Valid input is tallied by answer, to show how deep it got (200 vs 404 vs 409 …).
      const category = c.expect.kind === 'accepted'
        ? `stateful/${c.service}/valid → ${answer.status}${err && typeof err !== 'string' ? ` ${err.type}` : ''}`
        : `stateful/${c.service}/${c.expect.kind}`
      tally.record(category, problem === undefined ? undefined : `${c.service} ${c.label}: ${problem}`, isNotImplemented(answer))
    })
    tally.probe(await client.stillServing())
    await client.reset()
    pools.clear()
  }
  tally.assert(t, 'stateful random cases')
  return tally
}
