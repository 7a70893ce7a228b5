// Recording that cannot act twice or for someone else (issue 10, items 3-6): a call that cannot be
// recorded is answered with an error no SDK retries; only loopback Hosts drive a loopback-bound
// server; SIGTERM lets requests in flight finish; and the small recording hygiene fixes. "Real AWS"
// is a second ivs-replay with its own credentials and account, behind a front that counts (and can
// hold) every request that reaches it.
import { CreateChannelCommand, IvsClient, ListChannelsCommand } from '@aws-sdk/client-ivs'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import type { Interaction } from '../src/storage/storage.js'
import { openSqlite3 } from '../src/storage/sqlite/open-sqlite3.js'
import { start } from '../src/index.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

const REAL = { accessKeyId: 'AKIDSAFETYREAL', secretAccessKey: 'real-secret-of-safety' }
const REAL_ACCOUNT = '999911112222'
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cli = ['--import', 'tsx', path.join(root, 'src/cli.ts')]

// The real credentials reach the recorder through the environment, as they reach the AWS CLI.
const savedEnv = { ...process.env }
const awsEnv = (vars: Record<string, string>) => {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name]
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: path.join(t.testdirName, 'no-such-credentials'),
    AWS_CONFIG_FILE: path.join(t.testdirName, 'no-such-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  })
}
// The real account is given, so record mode asks no STS first: the stand-in upstreams here count
// every call they see, and some answer only IVS's JSON (record-secrets.test.ts covers the STS lookup).
const realEnv = () => awsEnv({ AWS_ACCESS_KEY_ID: REAL.accessKeyId, AWS_SECRET_ACCESS_KEY: REAL.secretAccessKey, AWS_ACCOUNT_ID: REAL_ACCOUNT })
realEnv()
// CI runs the suite with CI=true, where record modes refuse to start unless allowed (tested in cassette-verify.test.ts).
process.env.IVS_REPLAY_RECORD_IN_CI = 'true'
t.teardown(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})
const childEnv = () => Object.fromEntries(Object.entries(process.env)
  .filter(([k]) => !k.startsWith('IVS_REPLAY_') || k === 'IVS_REPLAY_RECORD_IN_CI')) as NodeJS.ProcessEnv

const upstream = await start({ config: { credentials: [{ ...REAL, accountId: REAL_ACCOUNT }] } })
t.teardown(() => upstream.close())

class LogSink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

interface Front {
  readonly url: string
  /** Requests that reached the front (the upstream's side of the wire). */
  seen(): number
  /** Holds every request from now on until release(). */
  hold(): void
  release(): void
  /** Resolves once `n` requests are held. */
  held(n: number): Promise<void>
  close(): Promise<void>
}

/** A front for `target` that counts what reaches it and can hold it; Host passes through, so signatures verify. */
async function front(target: { port: number }): Promise<Front> {
  let seen = 0
  let holding = false
  let held: (() => void)[] = []
  let onHeld = () => undefined as void
  const server = http.createServer((req, res) => {
    seen++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const forward = () => {
        const hop = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        hop.on('error', () => res.destroy())
        hop.end(Buffer.concat(chunks))
      }
      if (holding) {
        held.push(forward)
        onHeld()
      } else forward()
    })
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => seen,
    hold: () => { holding = true },
    release: () => {
      holding = false
      const go = held
      held = []
      for (const f of go) f()
    },
    held: (n) => new Promise<void>((resolve) => {
      onHeld = () => { if (held.length >= n) resolve() }
      onHeld()
    }),
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }),
  }
}

/** A request signed with test/test for whatever Host it names (what a DNS-rebound page can send), sent to 127.0.0.1. */
async function withHost(port: number, host: string, o: { path?: string; body?: string; unsigned?: boolean } = {}): Promise<{ status: number; errorType?: string; json: Record<string, unknown> }> {
  const reqPath = o.path ?? '/ListChannels'
  const body = o.body ?? '{}'
  let headers: Record<string, string> = { host, 'content-type': 'application/json' }
  if (!o.unsigned) {
    const signer = new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
    const [hostname, p] = host.split(':')
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname, port: Number(p), path: reqPath, query: {}, headers, body })
    headers = signed.headers as Record<string, string>
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: reqPath, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c))
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        errorType: res.headers['x-amzn-errortype'] as string | undefined,
        json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function interactionsOf(file: string): Promise<Interaction[]> {
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  try {
    return await store.all()
  } finally {
    await store.close()
  }
}

t.test('only loopback Hosts drive a loopback-bound server; a foreign one reaches nothing', async (t) => {
  const counted = await front(upstream)
  t.teardown(() => counted.close())
  const cassette = path.join(t.testdir(), 'hosts.sqlite')
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: counted.url }, allowedHosts: ['laptop.lan'] } })
  t.teardown(() => recorder.close())

  for (const host of [`evil.example:${recorder.port}`, 'evil.example', `127.0.0.1.evil.example:${recorder.port}`, `localhost.evil.example:${recorder.port}`]) {
    const refused = await withHost(recorder.port, host)
    t.equal(refused.status, 403, `${host}: 403`)
    t.equal(refused.errorType, 'HostNotAllowedException', `${host}: its own error type`)
    t.match(refused.json.message, /is not allowed: ivs-replay listens on a loopback address .*allowedHosts/)
  }
  const reset = await withHost(recorder.port, `evil.example:${recorder.port}`, { path: '/_mock/reset', unsigned: true })
  t.equal(reset.status, 403, 'the control API too')
  t.equal(counted.seen(), 0, 'nothing reached the upstream')
  t.same(await interactionsOf(cassette), [], 'nothing recorded')

  for (const host of [`127.0.0.1:${recorder.port}`, `localhost:${recorder.port}`, `app.localhost:${recorder.port}`, `127.8.9.10:${recorder.port}`, `laptop.lan:${recorder.port}`]) {
    t.equal((await withHost(recorder.port, host)).status, 200, `${host} is answered`)
  }
  t.equal(counted.seen(), 5, 'and forwarded')
})

t.test('listening beyond loopback: a warning; record modes need --allow-remote and credentials of their own', async (t) => {
  const cassette = path.join(t.testdir(), 'remote.sqlite')
  const own = [{ accessKeyId: 'team-key', secretAccessKey: 'team-secret-1', accountId: '123456789012' }]
  await t.rejects(start({ host: '0.0.0.0', config: { mode: 'record', cassette, upstream: { url: upstream.endpoint } } }),
    { name: 'ConfigError', field: 'host', message: /not a loopback address: in record mode anyone who reaches it acts with your real AWS credentials.*--allow-remote/ })
  await t.rejects(start({ host: '0.0.0.0', config: { mode: 'record', cassette, upstream: { url: upstream.endpoint }, recording: { allowRemote: true } } }),
    { name: 'ConfigError', field: 'credentials', message: /must not be the public test\/test/ })
  const log = new LogSink()
  const remote = await start({
    host: '0.0.0.0', logStream: log,
    config: { mode: 'record-missing', cassette, upstream: { url: upstream.endpoint }, recording: { allowRemote: true }, credentials: own },
  })
  await remote.close()
  t.match(log.text, /warn +listening on 0\.0\.0\.0, not a loopback address: anyone who can reach port \d+ can drive this server, and it forwards with your real AWS credentials/)

  const simLog = new LogSink()
  const sim = await start({ host: '0.0.0.0', logStream: simLog })
  t.teardown(() => sim.close())
  t.match(simLog.text, /not a loopback address: anyone who can reach port \d+ can drive this server mode=simulate/)
  t.equal((await withHost(sim.port, `my-host.example:${sim.port}`)).status, 200, 'bound beyond loopback, any Host is the user\'s choice')
})

t.test('a cassette on a full disk: one non-retryable answer, the upstream acted exactly once', async (t) => {
  // Outside the test folder: tap removes that before teardowns run, and a mounted folder would not go.
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'ivs-replay-tmpfs-'))
  t.teardown(() => rmSync(mountPoint, { recursive: true, force: true }))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'ivs-replay-safety', mountPoint], { stdio: 'ignore' })
  } catch {
    t.comment('SKIP cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): the full-disk case is not run')
    t.pass('skipped: no tmpfs')
    return
  }
  t.teardown(() => {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'ignore' })
    } catch {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' })
    }
  })
  const counted = await front(upstream)
  t.teardown(() => counted.close())
  const cassette = path.join(mountPoint, 'full.sqlite')
  const log = new LogSink()
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: counted.url }, logLevel: 'error' }, logStream: log })
  const filler = path.join(mountPoint, 'filler')
  // Every byte the tmpfs has left goes to the filler; the next commit cannot grow the WAL.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'ignore' })
  } catch {
    /* dd stops with ENOSPC: that is the point */
  }
  // The JS SDK with its default retry strategy (3 attempts): what an application runs.
  const ivs = new IvsClient({ endpoint: recorder.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  t.teardown(() => ivs.destroy())
  const failure = await failureOf(ivs.send(new CreateChannelCommand({ name: 'on-a-full-disk' })))
  t.equal(failure.status, 424, 'a 4xx no SDK retries')
  t.equal(failure.name, 'CassetteWriteException')
  t.match(failure.message, /^ivs-replay could not record this CreateChannel: the disk is full \(.*SQLITE_FULL/)
  t.match(failure.message, /The upstream did carry the request out \(status 200, upstream request id [0-9a-f-]{36}\)/)
  t.equal(counted.seen(), 1, 'the upstream saw exactly one call')
  const real = clientFor(upstream, REAL)
  t.equal((await real.send(new ListChannelsCommand({ filterByName: 'on-a-full-disk' }))).channels!.length, 1, 'one real channel, not three')
  t.match(log.text, /error not recorded, although the upstream carried the call out .*op=CreateChannel status=200 .*upstreamRequestId=[0-9a-f-]{36} .*error=CassetteWriteException cause=".*disk is full/)

  rmSync(filler)
  await recorder.close()
  t.same((await interactionsOf(cassette)).length, 0, 'nothing half-written')
})

t.test('SIGTERM: requests in flight are all answered and recorded, then a clean exit', async (t) => {
  const held = await front(upstream)
  t.teardown(() => held.close())
  const dir = t.testdir({ 'own.json': JSON.stringify({ credentials: [{ accessKeyId: 'team-key', secretAccessKey: 'team-secret-1', accountId: '123456789012' }] }) })
  const cassette = path.join(dir, 'sigterm.sqlite')
  const child = spawn(process.execPath, [...cli, 'serve', '--port', '0', '--mode', 'record', '--cassette', cassette, '--upstream', held.url,
    '--config', path.join(dir, 'own.json')], { env: childEnv() })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (m) resolve(m[1])
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  t.match(stdout, /access key team-key \/ secret \(as configured\)/, 'a secret of the user\'s own is not printed')
  t.notMatch(stdout, /team-secret-1/)

  held.hold()
  const ivs = clientFor({ endpoint }, { accessKeyId: 'team-key', secretAccessKey: 'team-secret-1' })
  const names = Array.from({ length: 5 }, (_, n) => `in-flight-${n}`)
  const answers = Promise.allSettled(names.map((name) => ivs.send(new CreateChannelCommand({ name }))))
  await held.held(names.length)
  const shuttingDown = new Promise<void>((resolve) => {
    const check = () => { if (stdout.includes('SIGTERM, shutting down')) resolve() }
    child.stdout.on('data', check)
    check()
  })
  child.kill('SIGTERM')
  await shuttingDown
  held.release()
  const settled = await answers
  t.same(settled.map((s) => s.status), names.map(() => 'fulfilled'), 'every request in flight got its answer')
  t.equal(await exited, 0, 'exit 0 once they are answered')
  ivs.destroy()
  const recorded = await interactionsOf(cassette)
  t.same(recorded.map((i) => (JSON.parse(i.request.body.toString()) as { name: string }).name).sort(), names, 'and every one is in the cassette')
})

t.test('record mode without real credentials leaves no cassette behind', async (t) => {
  const dir = t.testdir()
  awsEnv({})
  t.teardown(realEnv)
  const fresh = path.join(dir, 'new-folder', 'deeper', 'never.sqlite')
  await t.rejects(start({ config: { mode: 'record', cassette: fresh, upstream: { url: upstream.endpoint } } }), { name: 'ConfigError', field: 'credentials' })
  t.notOk(existsSync(fresh), 'no cassette file')
  t.notOk(existsSync(path.join(dir, 'new-folder')), 'nor the folders made for it')

  // A cassette that was there before is left as it was, even with --overwrite.
  realEnv()
  const kept = path.join(dir, 'kept.sqlite')
  const first = await start({ config: { mode: 'record', cassette: kept, upstream: { url: upstream.endpoint } } })
  await clientFor(first).send(new ListChannelsCommand({}))
  await first.close()
  awsEnv({})
  await t.rejects(start({ config: { mode: 'record', cassette: kept, upstream: { url: upstream.endpoint }, recording: { overwrite: true } } }),
    { name: 'ConfigError', field: 'credentials' })
  t.equal((await interactionsOf(kept)).length, 1, 'an existing cassette keeps its interactions')
})

t.test('recording into a cassette that holds interactions says so; --overwrite starts it over', async (t) => {
  const cassette = path.join(t.testdir(), 'again.sqlite')
  const session = async (extra: Record<string, unknown>, name: string) => {
    const log = new LogSink()
    const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: upstream.endpoint }, ...extra }, logStream: log })
    await clientFor(recorder).send(new CreateChannelCommand({ name }))
    await recorder.close()
    return log.text
  }
  t.equal(await session({}, 'first'), '', 'a new cassette: nothing to say')
  const second = await session({}, 'second')
  t.match(second, /warn +the cassette already holds 1 interaction: new recordings are appended after them, and replay answers an identical request with the oldest recording first\. Pass --overwrite to start the cassette over/)
  t.same((await interactionsOf(cassette)).map((i) => i.operation), ['CreateChannel', 'CreateChannel'])
  const third = await session({ recording: { overwrite: true } }, 'third')
  t.match(third, /cassette started over \(--overwrite\): its earlier interactions are deleted/)
  const left = await interactionsOf(cassette)
  t.same(left.map((i) => (JSON.parse(i.request.body.toString()) as { name: string }).name), ['third'], 'only the new recording is left')
  t.same([left[0].seq], [0])
  await t.rejects(start({ config: { mode: 'replay', cassette, recording: { overwrite: true } } }),
    { name: 'ConfigError', field: 'recording.overwrite', message: /needs --mode record or record-missing/ })
})

t.test('--overwrite starts the start-up cassette over once: never a cassette switched to, nor the same one switched back to', async (t) => {
  const dir = t.testdir()
  const other = path.join(dir, 'other.sqlite')
  const before = await start({ config: { mode: 'record', cassette: other, upstream: { url: upstream.endpoint } } })
  await clientFor(before).send(new CreateChannelCommand({ name: 'kept' }))
  await before.close()
  const cassette = path.join(dir, 'startup.sqlite')
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: upstream.endpoint }, recording: { overwrite: true } } })
  t.teardown(() => recorder.close())
  await clientFor(recorder).send(new CreateChannelCommand({ name: 'recorded' }))
  await recorder.useCassette(other, { mode: 'record-missing' })
  t.equal((await interactionsOf(other)).length, 1, 'the cassette switched to keeps its interactions')
  await recorder.useCassette(null)
  t.equal((await interactionsOf(cassette)).length, 1, 'back at the start-up cassette: what was recorded into it is still there')
})

t.test('an upstream answer that is not the JSON the model expects is recorded, with a warning', async (t) => {
  const bodies: Record<string, [number, string]> = {
    '/CreateChannel': [200, '<html>captive portal</html>'],
    '/ListChannels': [200, '{"nextToken":"x"}'],
    '/GetChannel': [200, '{"channel":"not an object"}'],
    '/GetStreamKey': [200, '[1,2]'],
    '/DeleteChannel': [404, ''],
    '/ListStreamKeys': [200, '{"streamKeys":[]}'],
  }
  const odd = http.createServer((req, res) => {
    req.resume()
    const [status, body] = bodies[req.url ?? ''] ?? [500, '']
    res.writeHead(status, { 'Content-Type': 'application/json', ...(status === 404 && { 'x-amzn-ErrorType': 'ResourceNotFoundException' }) })
    res.end(body)
  })
  const port = await listen(odd)
  t.teardown(() => new Promise<void>((resolve) => { odd.close(() => resolve()); odd.closeAllConnections() }))
  const cassette = path.join(t.testdir(), 'odd.sqlite')
  const log = new LogSink()
  const recorder = await start({ config: { mode: 'record', cassette, upstream: { url: `http://127.0.0.1:${port}` } }, logStream: log })
  const arn = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD1234'
  const sent: [string, Record<string, unknown>][] = [
    ['/CreateChannel', {}], ['/ListChannels', {}], ['/GetChannel', { arn }], ['/GetStreamKey', { arn: arn.replace('channel', 'stream-key') }],
    ['/DeleteChannel', { arn }], ['/ListStreamKeys', { channelArn: arn }],
  ]
  for (const [p, body] of sent) t.equal((await signedRequest(recorder.endpoint, { path: p, body: JSON.stringify(body) })).status, bodies[p][0], `${p} is passed on`)
  await recorder.close()
  const warnings = log.text.split('\n').filter((l) => l.includes('not the JSON the model expects'))
  t.match(warnings[0], /op=CreateChannel status=200 .*problem="the body is not JSON \(27 bytes\)"/)
  t.notMatch(warnings[0], /captive/, 'the body itself stays out of the log')
  t.match(warnings[1], /op=ListChannels .*problem="the answer lacks the required member channels of ListChannelsResponse"/)
  t.match(warnings[2], /op=GetChannel .*problem="member channel is a string where GetChannelResponse has an object"/)
  t.match(warnings[3], /op=GetStreamKey .*problem="the body is JSON an array, not an object"/)
  t.match(warnings[4], /op=DeleteChannel status=404 .*problem="the error has no body/)
  t.equal(warnings.length, 5, 'a well-formed answer is not warned about')
  t.same((await interactionsOf(cassette)).map((i) => i.operation), sent.map(([p]) => p.slice(1)), 'every one is recorded')
})

t.test('start-up errors about a cassette: one line, exit 2, no stack trace', async (t) => {
  const dir = t.testdir({ 'corrupt.sqlite': 'this is not a database '.repeat(100) })
  const newer = path.join(dir, 'newer.sqlite')
  const store = await SqliteCassetteStore.open(newer)
  await store.close()
  const db = await openSqlite3(newer)
  await new Promise<void>((resolve, reject) => db.run(
    "insert into kysely_migration (name, timestamp) values ('2099_01_01_0001_holograms', '2099-01-01T00:00:00.000Z')", (err) => (err ? reject(err) : resolve())))
  await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())))
  const cases: [string, string, RegExp][] = [
    ['missing', path.join(dir, 'missing.sqlite'), /^ivs-replay: cassette .*missing\.sqlite: does not exist\n$/],
    ['corrupt', path.join(dir, 'corrupt.sqlite'), /^ivs-replay: cassette .*corrupt\.sqlite: cannot be opened: .*not a database\n$/],
    ['newer schema', newer, /^ivs-replay: cassette .*newer\.sqlite: was written by a newer ivs-replay: .*2099_01_01_0001_holograms.*Upgrade ivs-replay to use this cassette\.\n$/],
  ]
  // At once: each start pays for tsx compiling the sources.
  const runs = await Promise.all(cases.map(([, file]) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...cli, 'serve', '--port', '0', '--mode', 'replay', '--cassette', file], { env: childEnv() })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('close', (status) => resolve({ status, stderr }))
  })))
  for (const [i, [what, , message]] of cases.entries()) {
    const r = runs[i]
    t.equal(r.status, 2, `${what}: exit 2`)
    t.match(r.stderr, message, `${what}: one line naming the file and the problem`)
    t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`)
  }
})
