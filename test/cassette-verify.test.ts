// `ivs-replay cassette verify` (issue 11, item 4) against recordings made through a real record-mode
// ivs-replay: from a faithful upstream (exit 0) and from one whose shapes differ (exit 1, naming the
// members); status, error type and type drift; a running server and a real endpoint re-signed with
// real credentials as targets. And the settings around it: record modes refusing to start under
// CI=true, and recording.maxAgeDays warning about old recordings.
import path from 'node:path'
import { existsSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import { cassetteVerify } from '../src/cli/cassette-verify.js'
import { start } from '../src/index.js'
import {
  cli, handMade, inProcess, jsonRequest, LogSink, realUpstream, REAL_KEY_ID, REAL_SECRET, recordSuite, sha, sqliteLeftovers,
  unfaithfulUpstream, useRealEnvironment,
} from './helpers/ci-cassettes.js'

useRealEnvironment(t)
const upstream = await realUpstream(t)
const dir = t.testdir()
const faithful = path.join(dir, 'faithful.sqlite')
const drifted = path.join(dir, 'drifted.sqlite')
await recordSuite(faithful, upstream.endpoint)
await recordSuite(drifted, await unfaithfulUpstream(t))

t.test('verify: exit 0 for a faithful recording, 1 for one from an upstream with other shapes', async (t) => {
  t.same(sqliteLeftovers(dir), [], 'the recorded cassettes are single files at rest')
  const before = sha(faithful)
  const [ok, bad] = await Promise.all([cli(['cassette', 'verify', faithful]), cli(['cassette', 'verify', drifted])])
  t.equal(ok.code, 0, 'faithful: exit 0', { ok })
  t.match(ok.stdout, /against the simulator \(us-west-2\)/)
  t.match(ok.stdout, /no drift in 5 interactions/)
  t.equal(bad.code, 1, 'other shapes: exit 1', { bad })
  t.match(bad.stdout, /#\d+ CreateChannel \(recorded [^)]+\)\n(?: {2}.*\n)*? {2}channel\.latencyMode: added \(string\)/, 'a member IVS has that the recording lacks')
  t.match(bad.stdout, /channel\.ingestRegion: missing \(recorded string\)/, 'a member the recording has that IVS lacks')
  t.match(bad.stdout, /#\d+ GetChannel/, 'every interaction with the channel is named')
  t.notMatch(bad.stdout, /ListChannels|ListTagsForResource|DeleteChannel/, 'ids, ARNs and timestamps are not drift: the rest matches')
  t.match(bad.stdout, /drift in 2 of 5 interactions/)
  t.equal(sha(faithful), before, 'the cassette is not written')
  t.same(sqliteLeftovers(dir), [], 'nothing left beside it')
})

t.test('verify: status, error type and types are drift too; against a running server', async (t) => {
  const file = path.join(t.testdir(), 'statuses.sqlite')
  const store = await SqliteCassetteStore.open(file)
  // Recorded: GetChannel of a channel nobody created answered 200; ListChannels with a number for a list.
  await store.append({ ...handMade('GetChannel', '{"channel":{"arn":"x"}}'), request: jsonRequest('GetChannel', { arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD1234' }) })
  await store.append(handMade('ListChannels', '{"channels":7}'))
  await store.close()
  const server = await start()
  t.teardown(() => server.close())
  const run = await inProcess(cassetteVerify, [file, '--against', server.endpoint])
  t.equal(run.code, 1)
  t.match(run.stdout, new RegExp(`against ${server.endpoint.replace(/[.]/g, '\\.')}`))
  t.match(run.stdout, /#1 GetChannel .*\n {2}status: 200 → 404\n {2}error type: none → ResourceNotFoundException\n/)
  t.match(run.stdout, /#2 ListChannels .*\n {2}channels: type number → list\n/)
  const ok = await inProcess(cassetteVerify, [faithful, '--against', server.endpoint])
  t.equal(ok.code, 0, 'the faithful recording against a running ivs-replay', { ok })
})

t.test('verify --against a real endpoint: re-signed with the real credentials, the real account put back', async (t) => {
  const credentials = path.join(t.testdir(), 'credentials')
  writeFileSync(credentials, `[verify]\naws_access_key_id = ${REAL_KEY_ID}\naws_secret_access_key = ${REAL_SECRET}\n`)
  const saved = process.env.AWS_SHARED_CREDENTIALS_FILE
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentials
  t.teardown(() => { process.env.AWS_SHARED_CREDENTIALS_FILE = saved })
  const run = await inProcess(cassetteVerify, [faithful, '--against', upstream.endpoint, '--profile', 'verify'])
  t.equal(run.code, 0, 'exit 0: every call was accepted (a bad signature or a local-account ARN would be drift)', { run })
  t.match(run.stdout, /no drift in 5 interactions/)
  await t.rejects(inProcess(cassetteVerify, [faithful, '--against', upstream.endpoint, '--profile', 'nope']),
    { name: 'CliError', exitCode: 1, message: /"nope"/ }, 'an unknown profile is refused, named')
})

t.test('under CI=true, record and record-missing refuse to start, naming the setting that allows it', async (t) => {
  const file = path.join(t.testdir(), 'ci.sqlite')
  const run = await cli(['serve', '--port', '0', '--mode', 'record', '--cassette', file], { env: { CI: 'true' } })
  t.equal(run.code, 2, 'exit 2')
  t.match(run.stderr, /record refuses to start under CI=true/, 'says why')
  t.match(run.stderr, /recording\.allowInCi/, 'names the setting')
  t.match(run.stderr, /IVS_REPLAY_RECORD_IN_CI=true/, 'and its variable')
  t.notOk(existsSync(file), 'no cassette was created')
  const saved = process.env.CI
  process.env.CI = 'true'
  try {
    await t.rejects(start({ config: { mode: 'record-missing', cassette: file, recording: { allowInCi: false } } }),
      { name: 'ConfigError', message: /record-missing refuses to start under CI=true.*recording\.allowInCi/ }, 'record-missing too, through the library')
    const allowed = await start({ config: { mode: 'record-missing', cassette: file, upstream: { url: upstream.endpoint }, recording: { allowInCi: true } } })
    await allowed.close()
    t.pass('recording.allowInCi: true lets it start')
  } finally {
    if (saved === undefined) delete process.env.CI
    else process.env.CI = saved
  }
  const replay = await start({ config: { mode: 'replay', cassette: faithful } })
  await replay.close()
  t.pass('replay is not refused')
})

t.test('recording.maxAgeDays warns at start about older recordings', async (t) => {
  const file = path.join(t.testdir(), 'old.sqlite')
  const store = await SqliteCassetteStore.open(file)
  await store.append(handMade('ListChannels', '{"channels":[]}', '2020-01-02T03:04:05.000Z'))
  await store.append(handMade('ListChannels', '{"channels":[]}'))
  await store.close()
  const log = new LogSink()
  const server = await start({ config: { mode: 'replay', cassette: file, recording: { maxAgeDays: 30 } }, logStream: log })
  await server.close()
  t.match(log.text, /warn .*cassette holds 1 interaction recorded more than 30 days ago \(recording\.maxAgeDays\).*oldest=2020-01-02T03:04:05\.000Z/)
  const quiet = new LogSink()
  await (await start({ config: { mode: 'replay', cassette: file }, logStream: quiet })).close()
  t.notMatch(quiet.text, /days ago/, 'no setting, no warning')
})

