// Cassettes in CI and in review (issue 11, items 6 and 7), as users meet them: a read-only cassette
// replayed by an unprivileged user; read-only opens that leave no -wal/-shm; `git diff` through the
// textconv recipe; `cassette merge`; prune and import refusing a cassette a server holds open (and
// not one whose server was SIGKILLed); and what real IVS answers carry (x-amz-cf-id,
// x-ivs-replay-source on every answer, GetStreamSession's channel without tags), through the JS SDK.
import {
  CreateChannelCommand, GetChannelCommand, GetStreamSessionCommand, ListChannelsCommand,
} from '@aws-sdk/client-ivs'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import type { NewInteraction } from '../src/storage/storage.js'
import { cassetteImport } from '../src/cli/cassette-import.js'
import { encodeCassetteJson } from '../src/cli/cassette-json.js'
import { cassetteMerge } from '../src/cli/cassette-merge.js'
import { cassettePrune } from '../src/cli/cassette-prune.js'
import { start } from '../src/index.js'
import {
  childEnv, cli, exited, handMade, inProcess, REAL_ACCOUNT, realUpstream, recordSuite, root, serveChild, sha, sqliteLeftovers, useRealEnvironment,
} from './helpers/ci-cassettes.js'
import { clientFor } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

useRealEnvironment(t)
const upstream = await realUpstream(t)
const dir = t.testdir()
const faithful = path.join(dir, 'faithful.sqlite')
await recordSuite(faithful, upstream.endpoint)

const asNobody = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0
  ? false : 'needs root and runuser to run the server as nobody'
t.test('a read-only cassette replayed by an unprivileged user: answers, writes nothing, creates no -wal/-shm', { skip: asNobody }, async (t) => {
  // Outside the repo's tap folder, which nobody may not traverse; the folder and file are root's, 0755/0644.
  const ro = path.join(os.tmpdir(), `ivs-replay-ro-${process.pid}`)
  mkdirSync(ro, { recursive: true })
  t.teardown(() => spawnSync('rm', ['-rf', ro]))
  chmodSync(ro, 0o755)
  const file = path.join(ro, 'suite.sqlite')
  copyFileSync(faithful, file)
  chmodSync(file, 0o644)
  const before = sha(file)
  await Promise.all(['replay', 'hybrid'].map(async (mode) => {
    const server = serveChild(['--mode', mode, '--cassette', file, '--log-level', 'info'], { asNobody: true })
    const endpoint = await server.endpoint
    const raw = await signedRequest(endpoint, { path: '/ListChannels', body: '{}' })
    t.equal(raw.status, 200, `${mode}: a recorded call answers`)
    t.equal(raw.headers.get('x-ivs-replay-source'), 'recorded', `${mode}: from the cassette`)
    const simulated = await signedRequest(endpoint, { path: '/ListChannels', body: '{"maxResults":3}' })
    t.equal(simulated.headers.get('x-ivs-replay-source'), mode === 'replay' ? 'miss' : 'simulated', `${mode}: a miss`)
    t.match(server.output(), /cassette is read-only: first use is not recorded/, `${mode}: one log line says first use is not tracked`)
    t.equal(server.output().match(/first use is not recorded/g)?.length, 1, 'once')
    server.child.kill('SIGTERM')
    await exited(server.child)
    t.match(server.output(), /SIGTERM, shutting down/, `${mode}: stops cleanly`)
    t.notMatch(server.output(), /SQLITE_|CassetteError/, `${mode}: without a cassette error`)
  }))
  t.same(sqliteLeftovers(ro), [], 'no -wal/-shm beside it')
  t.equal(sha(file), before, 'the cassette is byte for byte as it was')
})

t.test('read-only commands leave no -wal/-shm beside a cassette, even where they could', async (t) => {
  const sub = t.testdir()
  const file = path.join(sub, 'c.sqlite')
  copyFileSync(faithful, file)
  const before = sha(file)
  // What every read-only command (list, show, export, scan, prune --dry-run, verify, merge's sources) opens.
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  t.equal((await store.all()).length, 5)
  t.same(sqliteLeftovers(sub), [], 'nothing beside the cassette while it is open')
  await store.close()
  t.same(sqliteLeftovers(sub), [], 'nothing beside the cassette')
  t.equal(sha(file), before, 'unchanged')
})

t.test('git diff through the textconv recipe shows an added interaction as text', async (t) => {
  const repo = t.testdir()
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...childEnv, GIT_CONFIG_NOSYSTEM: '1', HOME: repo } })
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  git('init', '-q')
  git('config', 'user.email', 'ci@example.com')
  git('config', 'user.name', 'CI')
  // The README's recipe, with `ivs-replay` spelled as this checkout runs it.
  writeFileSync(path.join(repo, '.gitattributes'), '*.sqlite diff=ivs-cassette\n')
  git('config', 'diff.ivs-cassette.textconv', `"${process.execPath}" --import tsx "${path.join(root, 'src/cli.ts')}" cassette export`)
  mkdirSync(path.join(repo, 'cassettes'))
  const file = path.join(repo, 'cassettes', 'suite.sqlite')
  copyFileSync(faithful, file)
  git('add', '.')
  git('commit', '-qm', 'a recorded suite')
  const store = await SqliteCassetteStore.open(file)
  await store.append(handMade('ListChannels', '{"channels":[],"nextToken":"added-in-review"}'))
  await store.close()
  const diff = git('diff', '--', 'cassettes/suite.sqlite')
  t.notMatch(diff, /Binary files/, 'not "Binary files differ"')
  t.match(diff, /^\+ {6}"operation": "ListChannels",$/m, 'the added interaction, line by line')
  t.match(diff, /^\+ {10}"nextToken": "added-in-review"$/m, 'with its answer body')
  t.notMatch(diff, /^-(?!--)/m, 'nothing removed')
  t.same(git('status', '--porcelain').trimEnd().split('\n'), [' M cassettes/suite.sqlite'], 'git status shows only the change: no -wal/-shm')
})

t.test('cassette merge combines the cassettes of parallel shards', async (t) => {
  const sub = t.testdir()
  const a = path.join(sub, 'a.sqlite')
  const b = path.join(sub, 'b.sqlite')
  const write = async (file: string, items: NewInteraction[]) => {
    const store = await SqliteCassetteStore.open(file)
    for (const item of items) await store.append(item)
    await store.close()
  }
  await write(a, [handMade('ListChannels', '{"channels":[]}'), handMade('GetChannel', '{"channel":{"arn":"a"}}')])
  // The same setup call with the same answer, a different answer to GetChannel, and a call of its own.
  await write(b, [handMade('ListChannels', '{"channels":[]}'), handMade('GetChannel', '{"channel":{"arn":"b"}}'), handMade('ListStreams', '{"streams":[]}')])
  const merged = path.join(sub, 'merged.sqlite')
  const run = await inProcess(cassetteMerge, [a, b, '--to', merged])
  t.equal(run.code, 0, 'exit 0', { run })
  t.match(run.stdout, /merged 2 cassettes into .*merged\.sqlite: 4 interactions \(1 recorded identically in an earlier source left out; 1 answer a request an earlier source answered differently/)
  const store = await SqliteCassetteStore.open(merged, { readOnly: true })
  const all = await store.all()
  await store.close()
  t.same(all.map((i) => [i.operation, i.seq, i.response.body.toString()]), [
    ['ListChannels', 0, '{"channels":[]}'], ['GetChannel', 0, '{"channel":{"arn":"a"}}'],
    ['GetChannel', 1, '{"channel":{"arn":"b"}}'], ['ListStreams', 0, '{"streams":[]}'],
  ], 'in source order, sequences renumbered')
  await t.rejects(inProcess(cassetteMerge, [a, b, '--to', merged]), { name: 'CliError', exitCode: 1, message: /pass --force/ },
    'a non-empty target that is not a source needs --force')
  t.equal((await inProcess(cassetteMerge, [merged, a, '--to', merged])).code, 0, 'merging into one of the sources needs none')
  t.equal((await inProcess(cassetteMerge, [a, b, '--to', merged, '--force'])).code, 0, '--force replaces')
  await t.rejects(inProcess(cassetteMerge, [a, '--to', merged]), { name: 'CliError', exitCode: 2 }, 'one source is a usage error')
  t.same(sqliteLeftovers(sub), [], 'single files at rest')
})

t.test('prune and import --force refuse a cassette a server holds open, not one whose server was killed', async (t) => {
  const sub = t.testdir()
  const file = path.join(sub, 'held.sqlite')
  copyFileSync(faithful, file)
  const exported = path.join(sub, 'held.json')
  const store = await SqliteCassetteStore.open(faithful, { readOnly: true })
  writeFileSync(exported, encodeCassetteJson(await store.all()))
  await store.close()

  // The server in a child process, as users run it: the lock is the kernel's, per process.
  const server = serveChild(['--mode', 'hybrid', '--cassette', file])
  const endpoint = await server.endpoint
  const prune = await cli(['cassette', 'prune', file, '--force'])
  t.equal(prune.code, 1, 'prune: exit 1', { prune })
  t.match(prune.stderr, /is open in another process \(a running ivs-replay server\?\); stop it before pruning it/)
  await t.rejects(inProcess(cassetteImport, [exported, '--to', file, '--force']),
    { name: 'CassetteError', message: /is open in another process .*stop it before replacing its interactions/ }, 'import --force too')
  const raw = await signedRequest(endpoint, { path: '/ListChannels', body: '{}' })
  t.equal(raw.headers.get('x-ivs-replay-source'), 'recorded', 'the server still replays the whole cassette')
  server.child.kill('SIGKILL')
  await exited(server.child)
  const pruned = await inProcess(cassettePrune, [file, '--force'])
  t.equal(pruned.code, 0, 'a server killed with SIGKILL holds no lock')
  // The server may have marked its one replayed interaction as used before the kill.
  t.match(pruned.stdout, /dropped [45] unused interactions, kept [01]/)
  const back = await inProcess(cassetteImport, [exported, '--to', file, '--force'])
  t.equal(back.code, 0, 'import --force runs with no server')
  t.same(sqliteLeftovers(sub), [], 'the cassette is a single file again')

  // In one process too (the library's server and a test's own prune).
  const library = await start({ config: { mode: 'hybrid', cassette: file } })
  await t.rejects(inProcess(cassettePrune, [file, '--force']), { name: 'CassetteError', message: /is open in another process/ })
  await library.close()
  t.equal((await inProcess(cassettePrune, [file, '--force'])).code, 0, 'after close')
})

t.test('headers real IVS answers carry, through the JS SDK: x-amz-cf-id, and x-ivs-replay-source on every answer', async (t) => {
  const CF_ID = /^[A-Za-z0-9_-]{54}==$/
  const server = await start()
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const listed = await ivs.send(new ListChannelsCommand({}))
  t.match(listed.$metadata.cfId, CF_ID, 'a success: $metadata.cfId, 56 characters')
  const again = await ivs.send(new ListChannelsCommand({}))
  t.not(again.$metadata.cfId, listed.$metadata.cfId, 'one per answer')
  const missing = await ivs.send(new GetChannelCommand({ arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD1234' })).catch((e: { $metadata: { cfId?: string } }) => e)
  t.match((missing as { $metadata: { cfId?: string } }).$metadata.cfId, CF_ID, 'an error too')

  const sourceOf = async (endpoint: string, o: Parameters<typeof signedRequest>[1]) => {
    const r = await signedRequest(endpoint, o)
    return [r.status, r.headers.get('x-ivs-replay-source'), CF_ID.test(r.headers.get('x-amz-cf-id') ?? '')]
  }
  t.same(await sourceOf(server.endpoint, { path: '/GetChannel', body: '{}' }), [400, 'simulated', true], 'a validation error (400)')
  t.same(await sourceOf(server.endpoint, { path: '/ListChannels', secretAccessKey: 'wrong' }), [403, 'simulated', true], 'a bad signature (403)')
  t.same(await sourceOf(server.endpoint, { path: '/NoSuchOperation' }), [404, 'simulated', true], 'an unknown operation (404)')

  const replay = await start({ config: { mode: 'replay', cassette: faithful } })
  t.teardown(() => replay.close())
  t.same(await sourceOf(replay.endpoint, { path: '/ListChannels', body: '{}' }), [200, 'recorded', true], 'a replayed answer')
  t.same(await sourceOf(replay.endpoint, { path: '/ListChannels', body: '{"maxResults":7}' }), [404, 'miss', true], 'a strict-replay miss says miss')

  const dead = http.createServer()
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
  const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => dead.close(() => resolve()))
  // The account is given: record mode does not start without it, and a dead upstream cannot say it.
  const recorder = await start({ config: { mode: 'record', cassette: path.join(t.testdir(), 'dead.sqlite'), upstream: { url: deadUrl, accountId: REAL_ACCOUNT } } })
  t.teardown(() => recorder.close())
  t.same(await sourceOf(recorder.endpoint, { path: '/ListChannels', body: '{}' }), [502, 'proxied', true], 'an upstream that is down (502)')

  const health = await fetch(`${server.endpoint}/_mock/health`)
  t.equal(health.headers.get('x-ivs-replay-source'), 'control', 'a /_mock/ answer says so')
})

t.test('the channel embedded in GetStreamSession carries no tags', async (t) => {
  const server = await start()
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const { channel } = await ivs.send(new CreateChannelCommand({ name: 'tagged', tags: { team: 'video' } }))
  const started = await fetch(`${server.endpoint}/_mock/streams/start`, { method: 'POST', body: JSON.stringify({ channelArn: channel!.arn }) })
  t.equal(started.status, 200)
  const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: channel!.arn }))
  t.equal(streamSession?.channel?.arn, channel!.arn, 'the channel is embedded')
  t.equal(streamSession?.channel?.tags, undefined, 'without tags')
  t.same((await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel?.tags, { team: 'video' }, 'GetChannel still has them')
})

