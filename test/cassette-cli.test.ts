// `ivs-replay cassette …` as a user runs it, one child process per command: list and show, a stable
// sorted export, import → export byte-identical and replayed with identical bodies, prune after a
// replay run, the secret scan, and the errors (bad JSON shape, bad names, unknown commands).
// Independent commands run side by side, since each child process costs about a second.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import type { NewInteraction } from '../src/storage/storage.js'
import { requestIdentity } from '../src/cassette/request-identity.js'
import { start } from '../src/index.js'
import { recordFixture } from './helpers/cassette-fixture.js'
import { signedRequest } from './helpers/signed-request.js'

/** AWS's documented example key id, assembled so no key-shaped literal sits in the source. */
const EXAMPLE_KEY_ID = 'AKIA' + 'IOSFODNN7EXAMPLE'
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Without tap's coverage hook (NODE_OPTIONS, _TAPJS_*): it doubles what each child costs.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(IVS_REPLAY_|_TAPJS_|NODE_OPTIONS$)/.test(k)))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function cli(cwd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'cassette', ...args], { cwd, env: cleanEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A user error is one line naming the problem, never a stack trace. */
function failed(t: Test, run: Run, code: number, message: RegExp, what: string): void {
  t.equal(run.code, code, `${what}: exit ${code}`)
  t.match(run.stderr, message, `${what}: names the problem`)
  t.notMatch(run.stderr, /\n\s+at /, `${what}: no stack trace`)
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Every object key sorted, except inside bodies (their key order is their bytes). */
function keysSorted(value: Json, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysSorted(v, `${at}[${i}]`))
  if (value === null || typeof value !== 'object') return []
  const keys = Object.keys(value)
  const bad = keys.join() === [...keys].sort().join() ? [] : [at || '(top)']
  return [...bad, ...keys.filter((k) => k !== 'body').flatMap((k) => keysSorted(value[k], `${at}.${k}`))]
}

function handMade(operation: string, response: Buffer): NewInteraction {
  return {
    operation,
    identity: requestIdentity({ operation, path: `/${operation}`, query: {}, body: {} }),
    request: { method: 'POST', path: `/${operation}`, query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: response },
  }
}

const dir = t.testdir({ 'broken.sqlite': 'not a database at all, just text\n' })
const cassettes = path.join(dir, 'cassettes')
const demo = path.join(cassettes, 'demo.sqlite')
const copy = path.join(cassettes, 'copy.sqlite')
const unknownArn = 'arn:aws:ivs:us-west-2:123456789012:playback-restriction-policy/AAAAAAAAAAAA'

// demo: six interactions recorded from the simulator (none carries a stream key or passphrase, so
// the scan finds it clean), then three whose bodies exercise each export form.
const sim = await start({ config: { seed: 5 } })
const [created] = (await recordFixture(demo, sim.endpoint, [
  { operation: 'CreatePlaybackRestrictionPolicy', body: { name: 'one', allowedCountries: ['US'] } },
])) as { playbackRestrictionPolicy: { arn: string } }[]
const arn = created.playbackRestrictionPolicy.arn
await recordFixture(demo, sim.endpoint, [
  { operation: 'GetPlaybackRestrictionPolicy', body: { arn } },
  { operation: 'ListPlaybackRestrictionPolicies', body: {} },
  { operation: 'ListTagsForResource', method: 'GET', path: `/tags/${encodeURIComponent(arn)}` },
  { operation: 'GetPlaybackRestrictionPolicy', body: { arn: unknownArn } },
  { operation: 'GetPlaybackRestrictionPolicy', body: { arn } },
])
await sim.close()
const compactUnsorted = '{"recordingConfigurations":[],"nextToken":"n1"}'
const pretty = '{ "keyPairs": [] }\n'
const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01])
{
  const store = await SqliteCassetteStore.open(demo)
  await store.append(handMade('ListRecordingConfigurations', Buffer.from(compactUnsorted)))
  await store.append(handMade('ListPlaybackKeyPairs', Buffer.from(pretty)))
  await store.append(handMade('ListStreams', binary))
  await store.close()
}
// secrets: an AKIA-looking key and a real-looking stream key, as a careless recording would hold.
{
  const store = await SqliteCassetteStore.open(path.join(cassettes, 'secrets.sqlite'))
  await store.append(handMade('ListChannels', Buffer.from(`{"channels":[],"note":"${EXAMPLE_KEY_ID}"}`)))
  await store.append(handMade('ListStreamKeys', Buffer.from('{"streamKeys":[],"streamKey":{"value":"sk_us-west-2_abcdEFGH1234_Zq8Rt5Lm2Np9Xw3Vb6Yc1Kd4Hf7Jg0"}}')))
  await store.close()
}

const exported = path.join(dir, 'demo.json')
let exportText = ''

t.test('list, show, export, scan and the usage errors', async (t) => {
  const [list, summary, one, missingId, toStdout, toFile, clean, dirty, unknown, noName, dotted, broken, neverReplayed, absent] = await Promise.all([
    cli(dir, ['list']),
    cli(dir, ['show', 'demo']),
    cli(dir, ['show', 'demo', '--id', '1']),
    cli(dir, ['show', 'demo', '--id', '99']),
    cli(dir, ['export', 'demo']),
    cli(dir, ['export', 'cassettes/demo.sqlite', '--out', exported]),
    cli(dir, ['scan', 'demo']),
    cli(dir, ['scan', 'secrets']),
    cli(dir, ['frobnicate']),
    cli(dir, ['show']),
    cli(dir, ['show', 'up..down']),
    cli(dir, ['show', './broken.sqlite']),
    cli(dir, ['prune', 'demo']),
    cli(dir, ['prune', 'absent']),
  ])

  t.equal(list.code, 0, list.stderr)
  const rows = list.stdout.trimEnd().split('\n')
  t.match(rows[0], /^NAME +INTERACTIONS +OPERATIONS +SIZE +LAST RECORDED$/)
  t.match(rows[1], /^demo +9 +7 +\d+(\.\d)? (B|KiB) +\d{4}-\d\d-\d\dT[\d:.]+Z$/)
  t.match(rows[2], /^secrets +2 +2 /)
  t.equal(rows.length, 3, 'only .sqlite files of the cassettes folder')

  t.equal(summary.code, 0, summary.stderr)
  t.match(summary.stdout, `${demo}\ninteractions: 9 (9 never replayed)\nrecorded:     `)
  t.match(summary.stdout, /\n  GetPlaybackRestrictionPolicy +3 +\(3 never replayed\)\n/)
  t.match(summary.stdout, /\n  ListTagsForResource +1 /)

  t.equal(one.code, 0, one.stderr)
  t.match(one.stdout, /^#1 CreatePlaybackRestrictionPolicy\n/)
  t.match(one.stdout, '\nrequest: POST /CreatePlaybackRestrictionPolicy\n  content-type: application/json\n')
  t.match(one.stdout, '"allowedCountries": [\n    "US"\n  ]', 'the request body pretty-printed')
  t.match(one.stdout, /\nresponse: 200\n[^]*\n {2}"playbackRestrictionPolicy": \{\n {4}"/, 'the response body pretty-printed')
  failed(t, missingId, 1, /holds no interaction #99/, 'show --id of a missing interaction')

  t.equal(toStdout.code, 0, toStdout.stderr)
  t.equal(toFile.code, 0, toFile.stderr)
  t.match(toFile.stdout, /exported 9 interactions/)
  exportText = readFileSync(exported, 'utf8')
  t.equal(toStdout.stdout, exportText, 'two exports are identical')
  t.ok(exportText.startsWith('{\n  "format": "ivs-replay-cassette",\n  "interactions": [\n    {\n'), '2-space indent, sorted keys')
  t.ok(exportText.endsWith('\n  "version": 1\n}\n'), 'trailing newline')
  const doc = JSON.parse(exportText) as { interactions: Record<string, Json & Record<string, Json>>[] }
  t.same(keysSorted(doc as unknown as Json), [], 'every envelope key sorted')
  t.same(doc.interactions.map((i) => i.operation), [
    'CreatePlaybackRestrictionPolicy', 'GetPlaybackRestrictionPolicy', 'ListPlaybackRestrictionPolicies', 'ListTagsForResource',
    'GetPlaybackRestrictionPolicy', 'GetPlaybackRestrictionPolicy', 'ListRecordingConfigurations', 'ListPlaybackKeyPairs', 'ListStreams',
  ], 'in id order')
  for (const volatile of ['usedAt', 'used_at', 'identity', 'seq', '"id"']) t.notMatch(exportText, `"${volatile.replaceAll('"', '')}":`, `no ${volatile}`)
  t.ok(doc.interactions.every((i) => typeof i.recordedAt === 'string'), 'recordedAt kept')
  const [, get, , tags, missing] = doc.interactions
  t.same(get.request, { body: { arn }, headers: { 'content-type': 'application/json' }, method: 'POST', path: '/GetPlaybackRestrictionPolicy', query: {} })
  t.same(tags.request, { bodyText: '', headers: { 'content-type': 'application/json' }, method: 'GET', path: `/tags/${encodeURIComponent(arn)}`, query: {} })
  t.equal((missing.response as Record<string, Json>).status, 404)
  const responses = doc.interactions.slice(6).map((i) => i.response as Record<string, Json>)
  t.same(Object.keys(responses[0].body as object), ['recordingConfigurations', 'nextToken'], 'a compact JSON body is parsed JSON in its wire key order')
  t.equal(responses[1].bodyText, pretty, 'JSON that would re-serialise differently stays text')
  t.equal(responses[2].bodyBase64, binary.toString('base64'), 'bytes that are not UTF-8 are base64')

  t.equal(clean.code, 0, clean.stderr)
  t.match(clean.stdout, /no secrets found in 9 interactions/)
  t.equal(dirty.code, 1)
  t.equal(dirty.stdout, '#1 response.body.note: aws-access-key-id\n#2 response.body.streamKey.value: stream-key\n')
  t.notMatch(dirty.stdout + dirty.stderr, new RegExp(`${EXAMPLE_KEY_ID}|Zq8Rt5`), 'the scan never prints the secret')

  failed(t, unknown, 2, /unknown command "frobnicate"/, 'unknown sub-command')
  failed(t, noName, 2, /show: missing argument NAME\|PATH/, 'missing argument')
  failed(t, dotted, 2, /cassette name must be letters[^]*"up\.\.down"/, 'a name with ..')
  failed(t, broken, 1, /broken\.sqlite: cannot be opened/, 'a file that is not a cassette')
  failed(t, neverReplayed, 1, /was ever replayed, so pruning would empty it/, 'prune of a cassette never replayed')
  failed(t, absent, 1, /absent\.sqlite: does not exist/, 'prune of a missing cassette')
  t.notOk(existsSync(path.join(cassettes, 'absent.sqlite')), 'and does not create it')
})

t.test('import: round trip byte-identical, refusals, shape errors', async (t) => {
  const doc = JSON.parse(exportText) as { interactions: Record<string, Record<string, unknown>>[] }
  const bad = structuredClone(doc)
  bad.interactions[1].response.status = '200'
  writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(bad))
  const typo = structuredClone(doc)
  typo.interactions[2].request.bdy = typo.interactions[2].request.body
  delete typo.interactions[2].request.body
  writeFileSync(path.join(dir, 'typo.json'), JSON.stringify(typo))
  const badHeader = structuredClone(doc)
  badHeader.interactions[3].response.headers = { 'content-type': 'application/json\r\nx-injected: 1' }
  writeFileSync(path.join(dir, 'header.json'), JSON.stringify(badHeader))
  const secret = structuredClone(doc)
  const leaked = structuredClone(secret.interactions[0])
  leaked.response = { status: 200, headers: {}, body: { streamKey: { value: 'sk_us-west-2_abcdEFGH1234_Zq8Rt5Lm2Np9Xw3Vb6Yc1Kd4Hf7Jg0' } } }
  secret.interactions.push(leaked)
  writeFileSync(path.join(dir, 'secret.json'), JSON.stringify(secret))

  const [imported, occupied, badShape, misspelt, secrets, dotted, noTarget, notJson, unsendable] = await Promise.all([
    cli(dir, ['import', exported, '--to', 'copy']),
    cli(dir, ['import', exported, '--to', 'demo']),
    cli(dir, ['import', 'bad.json', '--to', 'bad']),
    cli(dir, ['import', 'typo.json', '--to', 'bad']),
    cli(dir, ['import', 'secret.json', '--to', 'leaky']),
    cli(dir, ['import', exported, '--to', '..']),
    cli(dir, ['import', exported]),
    cli(dir, ['import', 'broken.sqlite', '--to', 'bad']),
    cli(dir, ['import', 'header.json', '--to', 'bad']),
  ])
  t.equal(imported.code, 0, imported.stderr)
  t.match(imported.stdout, `imported 9 interactions into ${copy}\n`)
  failed(t, occupied, 1, /already holds 9 interactions; pass --force/, 'import over a non-empty cassette')
  failed(t, badShape, 2, /bad\.json: interactions\[1\]\.response\.status must be an HTTP status from 100 to 599, got "200"/, 'a wrong type')
  failed(t, misspelt, 2, /interactions\[2\]\.request\.bdy is not a known field/, 'a misspelt field')
  failed(t, secrets, 1, /interactions\[9\] response\.body\.streamKey\.value: stream-key\n[^]*refusing to import/, 'secrets')
  failed(t, dotted, 2, /cassette name must be letters/, 'a target name with ..')
  failed(t, noTarget, 2, /missing --to/, 'no --to')
  failed(t, notJson, 2, /broken\.sqlite: is not valid JSON/, 'not JSON')
  failed(t, unsendable, 2, /interactions\[3\]\.response\.headers\.content-type must be an HTTP header a server can send/, 'a header replay could not send')
  for (const name of ['bad', 'leaky']) t.notOk(existsSync(path.join(cassettes, `${name}.sqlite`)), `no ${name} cassette created by a refused import`)

  const again = await cli(dir, ['export', 'copy', '--out', 'again.json'])
  t.equal(again.code, 0, again.stderr)
  t.equal(readFileSync(path.join(dir, 'again.json'), 'utf8'), exportText, 'export → import → export is byte-identical')

  const [original, copied] = await Promise.all([demo, copy].map(async (file) => {
    const store = await SqliteCassetteStore.open(file, { readOnly: true })
    try {
      return (await store.all()).map(({ id: _id, usedAt: _usedAt, ...rest }) => rest)
    } finally {
      await store.close()
    }
  }))
  t.same(copied, original, 'the same bytes, identities (recomputed), seq and recordedAt as the original')
})

t.test('a replay server answers the same bodies from the import; prune drops exactly what it did not use', async (t) => {
  const replay = await start({ config: { mode: 'replay', cassette: copy } })
  const store = await SqliteCassetteStore.open(demo, { readOnly: true })
  const recorded = await store.all()
  await store.close()
  const asked: [number, string, object][] = [
    [0, '/CreatePlaybackRestrictionPolicy', { allowedCountries: ['US'], name: 'one' }],
    [1, '/GetPlaybackRestrictionPolicy', { arn }],
    [6, '/ListRecordingConfigurations', {}],
    [7, '/ListPlaybackKeyPairs', {}],
  ]
  for (const [n, urlPath, body] of asked) {
    const res = await signedRequest(replay.endpoint, { path: urlPath, body: JSON.stringify(body) })
    t.equal(res.status, recorded[n].response.status, `${urlPath} status`)
    t.equal(res.text, recorded[n].response.body.toString('utf8'), `${urlPath} body, byte for byte`)
  }
  await replay.close()

  const dryRun = await cli(dir, ['prune', 'copy', '--dry-run'])
  t.equal(dryRun.code, 0, dryRun.stderr)
  t.match(dryRun.stdout, /would drop 5 unused interactions and keep 4/)
  const pruned = await cli(dir, ['prune', 'copy'])
  t.equal(pruned.code, 0, pruned.stderr)
  t.match(pruned.stdout, /dropped 5 unused interactions, kept 4/)
  const after = await SqliteCassetteStore.open(copy, { readOnly: true })
  t.same((await after.all()).map((i) => i.operation),
    ['CreatePlaybackRestrictionPolicy', 'GetPlaybackRestrictionPolicy', 'ListRecordingConfigurations', 'ListPlaybackKeyPairs'])
  await after.close()

  const forced = await cli(dir, ['import', exported, '--to', copy, '--force'])
  t.equal(forced.code, 0, forced.stderr)
  t.match(forced.stdout, /imported 9 interactions into .*copy\.sqlite \(replacing 4\)/)
})
