// The whole robustness suite, parameterized by a budget: test/robustness.test.ts runs the bounded
// sample inside `npm test`; run.ts (`npm run test:robustness`) runs the full one. Both drive one
// server process on loopback and check, after every category, that it is alive and logged no
// internal error.
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { Test } from 'tap'
import type { ServiceSpec } from '../../src/model/service-spec.js'
import { ivs, specs } from '../../src/model/services.js'
import { runCases } from './cases.js'
import { signRequest } from './fast-signer.js'
import { assertServerHealthy, Client, MAIN_KEY, SERVER_CONFIG, Tally, type Budget } from './harness.js'
import { loadSuite } from './load.js'
import { controlCases, malformedCases } from './malformed.js'
import { modelCasesFor } from './model-cases.js'
import { existingResourceCases, modelSuite, modelWireCases, prototypeKeyRoundTrip, statefulSuite } from './model-suite.js'
import { servedServices } from './served-services.js'
import { Prng } from './prng.js'
import { holdStalledConnections, rawSuite } from './raw-abuse.js'
import { controlApiOnlyWhereConfigured, listensOnLoopback, noSecretsInLogs } from './security.js'
import { startChildServer } from './server-process.js'
import { sigv4Suite } from './sigv4-mutations.js'

export const SAMPLE: Budget = {
  name: 'sample', seed: 20261126, fuzzCases: 200, systematic: 'stratified', everyRoute: false,
  batchSize: 400, concurrency: 16, loadSeconds: 2, loadConnections: 220,
}

/**
 * The full suite: `targetCases` model and malformed cases in all, the random model cases making up
 * what the systematic and malformed ones (fixed in number for the services served) leave.
 */
export function fullBudget(seed: number, targetCases: number): Budget {
  return { name: 'full', seed, fuzzCases: 0, targetCases, systematic: 'all', everyRoute: true, batchSize: 1000, concurrency: 32, loadSeconds: 10, loadConnections: 250 }
}

/** The budget with its random model cases counted out, once the served services are known. */
function withFuzzCases(budget: Budget, services: readonly ServiceSpec[]): Budget {
  if (budget.targetCases === undefined) return budget
  const fixed = [...modelWireCases(budget, services)].length + [...malformedCases(budget)].length
  return { ...budget, fuzzCases: Math.max(0, budget.targetCases - fixed) }
}

/** The suite's own signer must sign exactly as the reference signer does, or every verdict is moot. */
async function fastSignerMatchesReference(t: Test, cases: number): Promise<void> {
  const prng = new Prng(7)
  const date = new Date()
  let same = 0
  const differences: string[] = []
  // Every service's requests (each signed with its own signing name), whether served or not.
  const generators = Object.values(specs).map(modelCasesFor)
  for (let i = 0; i < cases; i++) {
    const { fuzzCase, buildRequest, spec } = generators[i % generators.length]
    const service = spec.model.signingName
    const c = fuzzCase(prng)
    const req = buildRequest(c.op, c.input)
    const host = '127.0.0.1:4599'
    const ours = signRequest({ method: req.method, target: req.target, host, headers: { 'content-type': 'application/json' }, body: req.body }, { ...MAIN_KEY, service }, date)
    const [path, rawQuery = ''] = req.target.split('?')
    const query: Record<string, string | string[]> = {}
    for (const part of rawQuery ? rawQuery.split('&') : []) {
      const [k, v = ''] = part.split('=').map((s) => decodeURIComponent(s))
      const prev = query[k]
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
    const reference = await new SignatureV4({ service, region: 'us-west-2', sha256: Sha256, credentials: MAIN_KEY }).sign(
      { method: req.method, protocol: 'http:', hostname: '127.0.0.1', port: 4599, path, query, headers: { host, 'content-type': 'application/json' }, body: req.body },
      { signingDate: date },
    )
    if (reference.headers.authorization === ours.authorization) same++
    else if (differences.length < 3) differences.push(`${c.service} ${c.label}: ${req.method} ${req.target.slice(0, 100)}\n  ours ${ours.authorization}\n  ref  ${reference.headers.authorization}`)
  }
  t.equal(same, cases, `the fast signer and @smithy/signature-v4 agree on ${cases} generated requests of ${generators.length} services`, { differences })
}

export async function robustnessSuite(t: Test, budget: Budget): Promise<void> {
  const started = performance.now()
  const counts: Record<string, number> = {}
  const server = await startChildServer(SERVER_CONFIG)
  const client = new Client(server, budget.concurrency + 4)
  const stalled = holdStalledConnections(server.port, budget.name === 'full' ? 20 : 10)
  t.teardown(async () => {
    stalled.release()
    client.close()
    await server.close()
  })
  t.comment(`robustness ${budget.name}: seed ${budget.seed} (ROBUSTNESS_SEED=${budget.seed} replays the random cases)`)
  // The model-generated categories cover every service the server answers (asked over the wire).
  const { served, skipped } = await servedServices(client)
  t.ok(served.includes(ivs), 'the server answers ivs')
  t.comment(`model-generated cases for: ${served.map((s) => s.id).join(', ')}`)
  for (const { spec, why } of skipped) t.comment(`SKIP ${spec.id}: not answered by this server, so not in the model-generated cases (${why})`)
  budget = withFuzzCases(budget, served)

  await t.test('the fast signer signs as the reference signer does', (t) => fastSignerMatchesReference(t, budget.name === 'full' ? 2000 : 200))

  await t.test('1. bad input generated from the model', async (t) => {
    counts.model = (await modelSuite(t, client, budget, served)).total
    await t.test('prototype-named tag keys and query parameters', (t) => prototypeKeyRoundTrip(t, client))
    assertServerHealthy(t, server)
  })
  await t.test('1. random valid and invalid input against resources that exist', async (t) => {
    counts.existing = (await existingResourceCases(t, client, budget.seed, served)).total
    counts.stateful = (await statefulSuite(t, client, budget, budget.name === 'full' ? 20_000 : 200, served)).total
    assertServerHealthy(t, server)
  })
  await t.test('1. malformed bodies and routes', async (t) => {
    const tally = new Tally()
    await runCases(client, malformedCases(budget), tally, budget)
    // The control API's cases: all in the full suite, every fourth in the sample.
    await runCases(client, [...controlCases()].filter((_, i) => budget.name === 'full' || i % 4 === 0), tally, budget)
    tally.assert(t, 'malformed bodies and routes')
    counts.malformed = tally.total
    assertServerHealthy(t, server)
  })
  await t.test('1. raw HTTP abuse over net.Socket', async (t) => {
    counts.raw = (await rawSuite(t, client, budget)).total
    assertServerHealthy(t, server)
  })
  await t.test('2. signature mutations', async (t) => {
    counts.sigv4 = (await sigv4Suite(t, client, { signatureDigits: budget.name === 'full' ? 64 : 4, withAwsCli: budget.name === 'full' })).total
    assertServerHealthy(t, server)
  })
  await t.test('3. concurrency and load', async (t) => {
    const report = await loadSuite(t, server, budget)
    counts.loadRequests = report.requests
    assertServerHealthy(t, server)
  })
  await t.test('4. secure defaults', async (t) => {
    await t.test('listens on 127.0.0.1 unless told otherwise', listensOnLoopback)
    await t.test('/_mock/ is served only when the control API is enabled', controlApiOnlyWhereConfigured)
    await t.test('no secret in any log line, even at debug', noSecretsInLogs)
  })
  await t.test('stalled connections', async (t) => {
    if (budget.name === 'full') {
      // node checks headersTimeout (15 s) every 30 s: a stalled connection is gone within ~45 s of opening.
      const deadline = Date.now() + 60_000
      while (stalled.closedByServer() < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500))
      t.equal(stalled.closedByServer(), 20, 'the server closed all 20 stalled connections (slowloris and silent) by itself')
      for (const a of stalled.answers()) {
        t.equal(a.status, 408, 'a stalled request is told 408')
        t.ok(a.headers['x-amzn-errortype'], '… in the AWS error shape')
      }
    } else {
      t.equal(stalled.closedByServer(), 0, 'the 10 stalled connections were held open while everything else ran (and were served around)')
    }
    stalled.release()
  })
  assertServerHealthy(t, server)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  t.comment(`robustness ${budget.name}: ${JSON.stringify(counts)} in ${seconds} s`)
}
