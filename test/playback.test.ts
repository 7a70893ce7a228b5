// The playback edge on ivs-replay's own port: a channel's playbackUrl path fetched as a player does
// (plain unsigned GET), after setting up channels, key pairs, revocations and policies through the
// real @aws-sdk/client-ivs. Tokens are signed here with node:crypto, as a user's backend would.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import path from 'node:path'
import t from 'tap'
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
  GetChannelCommand,
  ListChannelsCommand,
  StartViewerSessionRevocationCommand,
  UpdateChannelCommand,
  type Channel,
  type ChannelType,
} from '@aws-sdk/client-ivs'
import { start, type RunningServer } from '../src/index.js'
import { recordFixture } from './helpers/cassette-fixture.js'
import { clientFor } from './helpers/ivs-client.js'

interface KeyPair {
  readonly publicPem: string
  readonly privateKey: KeyObject
}

function newKeyPair(namedCurve = 'secp384r1'): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve })
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey }
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** An ES384 JWS as IVS documents it: raw r||s signature over `<header>.<claims>`. */
function signToken(claims: Record<string, unknown>, key: KeyObject, header: Record<string, unknown> = { alg: 'ES384', typ: 'JWT' }): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  return `${input}.${b64url(sign('sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

interface Played {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The edge's error array when the answer is JSON. */
  readonly errors: { url: string; error: string; error_code: string; type: string }[]
}

async function play(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Played> {
  const res = await fetch(url, { method, headers })
  const text = await res.text()
  const errors = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as Played['errors']) : []
  return { status: res.status, headers: res.headers, text, errors }
}

const withToken = (url: string, token: string) => `${url}?token=${token}`

async function goLive(server: RunningServer, channelArn: string): Promise<void> {
  const res = await fetch(`${server.endpoint}/_mock/streams/start`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channelArn }),
  })
  if (res.status !== 200) throw new Error(`go-live failed: ${res.status} ${await res.text()}`)
}

async function createChannel(server: RunningServer, input: { authorized?: boolean; type?: ChannelType; playbackRestrictionPolicyArn?: string; name?: string }): Promise<Channel> {
  const { channel } = await clientFor(server).send(new CreateChannelCommand(input))
  return channel!
}

const variants = (playlist: string) => playlist.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'))
const resolutions = (playlist: string) => variants(playlist).map((l) => /RESOLUTION=(\d+x\d+)/.exec(l)![1])

t.test('a public channel plays without a token when live, and answers the offline 404 when not', async (t) => {
  const server = await start()
  t.teardown(() => server.close())
  const channel = await createChannel(server, { name: 'public' })
  const url = server.playbackUrl(channel)
  t.equal(url, `${server.endpoint}${new URL(channel.playbackUrl!).pathname}`, 'the playbackUrl path, on the local port')

  const offline = await play(url)
  t.equal(offline.status, 404, 'not broadcasting')
  t.same(offline.errors, [{ url: new URL(url).pathname, error: 'Can not find channel', error_code: 'transcode_does_not_exist', type: 'error' }])

  const unknown = await play(url.replace(/channel\.[A-Za-z0-9]+\.m3u8$/, 'channel.NoSuchChannel.m3u8'))
  t.equal(unknown.status, 404, 'a channel that does not exist looks the same as an offline one')
  t.equal(unknown.errors[0].error, 'Can not find channel')
  t.equal((await play(`${server.endpoint}/api/video/v1/whatever`)).status, 404, 'any other path under the prefix')

  await goLive(server, channel.arn!)
  const live = await play(url)
  t.equal(live.status, 200)
  t.equal(live.headers.get('content-type'), 'application/vnd.apple.mpegurl')
  t.match(live.text, /^#EXTM3U\n/)
  t.same(resolutions(live.text), ['1920x1080', '1280x720', '852x480', '640x360', '284x160'], 'STANDARD: the transcoded ladder')
  t.equal(live.headers.get('x-ivs-replay-source'), null, 'not an API answer')

  // A token on a public channel is not looked at.
  t.equal((await play(withToken(url, 'not-a-token'))).status, 200)
  const head = await play(url, {}, 'HEAD')
  t.equal(head.status, 200)
  t.equal(head.text, '')
  t.equal(head.headers.get('content-length'), String(Buffer.byteLength(live.text)), 'HEAD: the length of the GET body')
  const post = await play(url, {}, 'POST')
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS')
  const preflight = await fetch(url, {
    method: 'OPTIONS',
    headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-ivs-replay-viewer-country' },
  })
  t.equal(preflight.status, 204, 'a CORS preflight')
  t.equal(preflight.headers.get('access-control-allow-origin'), 'https://site.example')
  t.equal(preflight.headers.get('access-control-allow-headers'), 'x-ivs-replay-viewer-country')
})

t.test('renditions follow the channel type', async (t) => {
  const server = await start()
  t.teardown(() => server.close())
  const expected: [ChannelType, string[]][] = [
    ['BASIC', ['1920x1080']],
    ['ADVANCED_HD', ['1280x720', '852x480', '640x360', '284x160']],
    ['ADVANCED_SD', ['852x480', '640x360', '284x160']],
  ]
  for (const [type, want] of expected) {
    const channel = await createChannel(server, { type })
    await goLive(server, channel.arn!)
    const live = await play(server.playbackUrl(channel))
    t.equal(live.status, 200, type)
    t.same(resolutions(live.text), want, type)
  }
})

t.test('a private channel plays only with a valid ES384 token, refused as IVS refuses', async (t) => {
  // A second region on this port is explicit (a key pair imported in eu-west-1 only, below).
  const server = await start({ config: { regions: ['us-west-2', 'eu-west-1'] } })
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const key = newKeyPair()
  await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: key.publicPem, name: 'viewer-tokens' }))
  const channel = await createChannel(server, { authorized: true, name: 'private' })
  const other = await createChannel(server, { authorized: true, name: 'other' })
  const arn = channel.arn!
  await goLive(server, arn)
  const url = server.playbackUrl(channel)
  const path = new URL(url).pathname
  const token = (claims: Record<string, unknown> = {}, k = key.privateKey) =>
    signToken({ 'aws:channel-arn': arn, exp: nowSeconds() + 300, ...claims }, k)

  const refused = async (t: Tap, played: Promise<Played>, error: string | RegExp, what: string) => {
    const { status, errors } = await played
    t.equal(status, 403, what)
    t.equal(errors.length, 1, what)
    t.match(errors[0], { error, error_code: 'invalid_playback_auth_token', type: 'error' }, what)
    return errors[0]
  }

  t.test('valid', async (t) => {
    const ok = await play(withToken(url, token()))
    t.equal(ok.status, 200)
    t.match(ok.text, /^#EXTM3U\n/)
    t.equal((await play(withToken(url, token()))).status, 200, 'a token without single-use plays again')
  })

  t.test('missing and malformed', async (t) => {
    const missing = await refused(t, play(url), 'token contains an invalid number of segments', 'no token')
    t.equal(missing.url, path, 'the url member echoes the request')
    const withQuery = await refused(t, play(`${url}?player_version=1.13.0&pbac=true`), 'token contains an invalid number of segments', 'other query only')
    t.equal(withQuery.url, `${path}?player_version=1.13.0&pbac=true`, 'the query is echoed too')
    await refused(t, play(withToken(url, 'abc.def')), 'token contains an invalid number of segments', 'two segments')
    await refused(t, play(withToken(url, 'ab$c.def.ghi')), 'illegal base64 data at input byte 2', 'not base64url')
    await refused(t, play(withToken(url, `${b64url('{"alg":')}.${b64url('{}')}.AAAA`)), 'token header is not valid JSON', 'header not JSON')
    const hs256 = signToken({ 'aws:channel-arn': arn, exp: nowSeconds() + 60 }, key.privateKey, { alg: 'HS256', typ: 'JWT' })
    await refused(t, play(withToken(url, hs256)), /unexpected signing method: HS256/, 'not ES384')
  })

  t.test('the body is written as Go writes JSON', async (t) => {
    const res = await fetch(`${url}?a=1&b=2`)
    t.equal(res.status, 403)
    t.match(await res.text(), /"url":"\/api\/video\/v1\/[^"]+\?a=1\\u0026b=2"/, '& is escaped as \\u0026, as in the captured refusal')
  })

  t.test('wrong key, wrong channel', async (t) => {
    await refused(t, play(withToken(url, token({}, newKeyPair().privateKey))), 'crypto/ecdsa: verification error', 'a key never imported')
    await refused(t, play(withToken(url, token({}, newKeyPair('prime256v1').privateKey))), 'crypto/ecdsa: verification error', 'a P-256 key')
    const forOther = signToken({ 'aws:channel-arn': other.arn, exp: nowSeconds() + 300 }, key.privateKey)
    await refused(t, play(withToken(url, forOther)), /aws:channel-arn .* does not match the channel/, 'the ARN of another channel')
    await refused(t, play(withToken(url, signToken({ exp: nowSeconds() + 300 }, key.privateKey))), 'aws:channel-arn is required', 'no channel ARN')
    // The common signer bug: node's and OpenSSL's default ECDSA encoding is DER, JWS wants raw r||s.
    const input = `${b64url(JSON.stringify({ alg: 'ES384', typ: 'JWT' }))}.${b64url(JSON.stringify({ 'aws:channel-arn': arn, exp: nowSeconds() + 300 }))}`
    const der = `${input}.${b64url(sign('sha384', Buffer.from(input), key.privateKey))}`
    await refused(t, play(withToken(url, der)), 'crypto/ecdsa: verification error', 'a DER signature')
  })

  const noPython = spawnSync('python3', ['-c', 'import cryptography'], { stdio: 'ignore' }).status !== 0
  const skipPython = noPython && 'python3 with the cryptography package is not installed'
  t.test('a token signed by another implementation (Python cryptography)', { skip: skipPython }, async (t) => {
    const script = [
      'import base64, json, sys',
      'from cryptography.hazmat.primitives import hashes, serialization',
      'from cryptography.hazmat.primitives.asymmetric import ec, utils',
      'key = serialization.load_pem_private_key(sys.stdin.buffer.read(), None)',
      "b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()",
      "data = b64(json.dumps({'alg': 'ES384', 'typ': 'JWT'}).encode()) + '.' + b64(sys.argv[1].encode())",
      'r, s = utils.decode_dss_signature(key.sign(data.encode(), ec.ECDSA(hashes.SHA384())))',
      "print(data + '.' + b64(r.to_bytes(48, 'big') + s.to_bytes(48, 'big')))",
    ].join('\n')
    const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' })
    const claims = JSON.stringify({ 'aws:channel-arn': arn, exp: nowSeconds() + 300, 'aws:viewer-id': 'py' })
    const pyToken = execFileSync('python3', ['-c', script, claims], { input: pem }).toString().trim()
    t.equal((await play(withToken(url, pyToken))).status, 200)
  })

  t.test('expired and too far ahead', async (t) => {
    await refused(t, play(withToken(url, token({ exp: nowSeconds() - 120 }))), /^token is expired by 2m\ds$/, 'expired two minutes ago')
    await refused(t, play(withToken(url, signToken({ 'aws:channel-arn': arn }, key.privateKey))), /exp is required/, 'no exp')
    const day = nowSeconds() + 86_400
    await refused(t, play(withToken(url, token({ exp: day, 'aws:viewer-id': 'v-1' }))), /at most 10 minutes/, 'a day-long token with a viewer id')
    await refused(t, play(withToken(url, token({ exp: Date.now() + 60_000, 'aws:single-use-uuid': randomUUID() }))), /at most 10 minutes/, 'exp in milliseconds, single use')
    // Without a viewer id or single use, IVS sets no upper bound: an exp in milliseconds plays.
    t.equal((await play(withToken(url, token({ exp: Date.now() + 60_000 })))).status, 200, 'exp in milliseconds, plain token')
    await refused(t, play(withToken(url, token({ 'aws:viewer-id': 'x'.repeat(41) }))), /at most 40 characters/, 'viewer id too long')
  })

  t.test('single use', async (t) => {
    const once = token({ 'aws:single-use-uuid': randomUUID(), exp: nowSeconds() + 600 })
    t.equal((await play(withToken(url, once))).status, 200, 'first use')
    await refused(t, play(withToken(url, once)), /already used/, 'second use')
  })

  t.test('revoked viewer', async (t) => {
    const v1 = token({ 'aws:viewer-id': 'viewer-7', 'aws:viewer-session-version': 1 })
    t.equal((await play(withToken(url, v1))).status, 200, 'before the revocation')
    await ivs.send(new StartViewerSessionRevocationCommand({ channelArn: arn, viewerId: 'viewer-7', viewerSessionVersionsLessThanOrEqualTo: 1 }))
    await refused(t, play(withToken(url, v1)), /viewer-7 .*revoked/, 'the revoked version')
    const v0 = token({ 'aws:viewer-id': 'viewer-7' })
    await refused(t, play(withToken(url, v0)), /revoked/, 'no version is version 0, below the revoked one')
    t.equal((await play(withToken(url, token({ 'aws:viewer-id': 'viewer-7', 'aws:viewer-session-version': 2 })))).status, 200, 'a newer version')
    t.equal((await play(withToken(url, token({ 'aws:viewer-id': 'viewer-8' })))).status, 200, 'another viewer')
  })

  t.test('origins', async (t) => {
    const allowed = token({ 'aws:access-control-allow-origin': 'https://*.example.com,https://player.test:8443' })
    t.equal((await play(withToken(url, allowed))).status, 200, 'no Origin: a non-browser client is not held to the list')
    const fromSite = await play(withToken(url, allowed), { Origin: 'https://app.example.com' })
    t.equal(fromSite.status, 200, 'a wildcard subdomain')
    t.equal(fromSite.headers.get('access-control-allow-origin'), 'https://app.example.com')
    t.equal((await play(withToken(url, allowed), { Origin: 'https://player.test:8443' })).status, 200, 'exact origin with port')
    await refused(t, play(withToken(url, allowed), { Origin: 'https://example.com' }), /origin https:\/\/example.com is not allowed/, 'the bare domain is no subdomain')
    await refused(t, play(withToken(url, allowed), { Origin: 'http://app.example.com' }), /not allowed/, 'another scheme')
    await refused(t, play(withToken(url, allowed), { Origin: 'https://player.test' }), /not allowed/, 'another port')
    const strict = token({ 'aws:access-control-allow-origin': 'https://app.example.com', 'aws:strict-origin-enforcement': true })
    await refused(t, play(withToken(url, strict)), /Origin header is required/, 'strict: no Origin')
    t.equal((await play(withToken(url, strict), { Origin: 'https://app.example.com' })).status, 200, 'strict: the right Origin')
    const six = token({ 'aws:strict-origin-enforcement': true, 'aws:access-control-allow-origin': Array.from({ length: 6 }, (_, i) => `https://s${i}.test`).join(',') })
    await refused(t, play(withToken(url, six), { Origin: 'https://s0.test' }), /at most 5 origins/, 'strict allows at most 5 origins')
  })

  t.test('maximum resolution', async (t) => {
    const sd = await play(withToken(url, token({ 'aws:maximum-resolution': 'SD' })))
    t.equal(sd.status, 200)
    t.same(resolutions(sd.text), ['852x480', '640x360', '284x160'])
    const hd = await play(withToken(url, token({ 'aws:maximum-resolution': 'HD' })))
    t.same(resolutions(hd.text), ['1280x720', '852x480', '640x360', '284x160'])
    await refused(t, play(withToken(url, token({ 'aws:maximum-resolution': '4K' }))), /SD, HD or FULL_HD/, 'unknown value')
  })

  t.test('a valid token for an offline channel is the offline 404; a key of another region does not sign for this one', async (t) => {
    const idle = await createChannel(server, { authorized: true })
    const idleToken = signToken({ 'aws:channel-arn': idle.arn, exp: nowSeconds() + 300 }, key.privateKey)
    const offline = await play(withToken(server.playbackUrl(idle), idleToken))
    t.equal(offline.status, 404)
    t.equal((await play(server.playbackUrl(idle))).status, 403, 'the token is checked before liveness')

    const elsewhere = newKeyPair()
    await clientFor(server, { region: 'eu-west-1' }).send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: elsewhere.publicPem }))
    await refused(t, play(withToken(url, token({}, elsewhere.privateKey))), 'crypto/ecdsa: verification error', 'imported in eu-west-1 only')
  })
})

t.test("the channel's playback restriction policy: countries and origins", async (t) => {
  const server = await start()
  t.teardown(() => server.close())
  const { playbackRestrictionPolicy } = await clientFor(server).send(new CreatePlaybackRestrictionPolicyCommand({
    allowedCountries: ['US', 'CA'],
    allowedOrigins: ['https://site.example'],
  }))
  const channel = await createChannel(server, { playbackRestrictionPolicyArn: playbackRestrictionPolicy!.arn })
  await goLive(server, channel.arn!)
  const url = server.playbackUrl(channel)
  const country = (c: string) => ({ 'x-ivs-replay-viewer-country': c })

  t.equal((await play(url, country('US'))).status, 200, 'an allowed country')
  t.equal((await play(url, country('ca'))).status, 200, 'case does not matter')
  const de = await play(url, country('DE'))
  t.equal(de.status, 403)
  t.match(de.errors[0], { error: /viewer country DE is not allowed/, error_code: 'playback_restricted', type: 'error' })
  t.equal((await play(url)).status, 200, 'no country header: the country rule is not applied')
  t.equal((await play(url, { Origin: 'https://site.example' })).status, 200)
  const elsewhere = await play(url, { Origin: 'https://elsewhere.example' })
  t.equal(elsewhere.status, 403)
  t.match(elsewhere.errors[0], { error: /not allowed by the channel's playback restriction policy/, error_code: 'playback_restricted' })

  const strict = await clientFor(server).send(new CreatePlaybackRestrictionPolicyCommand({ enableStrictOriginEnforcement: true, allowedOrigins: ['https://site.example'] }))
  const strictChannel = await createChannel(server, { playbackRestrictionPolicyArn: strict.playbackRestrictionPolicy!.arn })
  await goLive(server, strictChannel.arn!)
  t.equal((await play(server.playbackUrl(strictChannel))).status, 403, 'strict: an Origin is required')
  t.equal((await play(server.playbackUrl(strictChannel), { Origin: 'https://site.example' })).status, 200)

  const anyOrigin = await clientFor(server).send(new CreatePlaybackRestrictionPolicyCommand({ enableStrictOriginEnforcement: true }))
  const anyOriginChannel = await createChannel(server, { playbackRestrictionPolicyArn: anyOrigin.playbackRestrictionPolicy!.arn })
  await goLive(server, anyOriginChannel.arn!)
  t.equal((await play(server.playbackUrl(anyOriginChannel))).status, 403, 'strict, no origins listed: an Origin is still required')
  t.equal((await play(server.playbackUrl(anyOriginChannel), { Origin: 'https://anything.example' })).status, 200, 'an empty list allows every origin')
})

t.test('hybrid mode: a private channel and key pair known only from the cassette', async (t) => {
  const key = newKeyPair()
  const upstream = await start()
  const file = path.join(t.testdir(), 'private.sqlite')
  const [created] = (await recordFixture(file, upstream.endpoint, [
    { operation: 'CreateChannel', body: { name: 'recorded', authorized: true } },
    { operation: 'ImportPlaybackKeyPair', body: { publicKeyMaterial: key.publicPem, name: 'recorded-key' } },
  ])) as { channel: Channel }[]
  await upstream.close()

  const server = await start({ config: { mode: 'hybrid', cassette: file } })
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const replayed = await ivs.send(new CreateChannelCommand({ name: 'recorded', authorized: true }))
  t.equal(replayed.channel!.arn, created.channel.arn, 'replayed from the cassette')
  await goLive(server, created.channel.arn!)
  const url = server.playbackUrl(created.channel)
  const token = signToken({ 'aws:channel-arn': created.channel.arn, exp: nowSeconds() + 300 }, key.privateKey)
  // Hybrid knows every resource the cassette has seen before anything of it is replayed
  // (README "What hybrid serves from where"), the recorded key pair and its public key included.
  t.equal((await play(withToken(url, token))).status, 200, 'the recorded key pair is known before its import is replayed')
  const imported = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: key.publicPem, name: 'recorded-key' }))
  t.ok(imported.keyPair?.arn, 'replayed import')
  const ok = await play(withToken(url, token))
  t.equal(ok.status, 200, 'and still after its import is replayed')
  t.match(ok.text, /^#EXTM3U\n/)
})

t.test('the README example plays a private channel', async (t) => {
  // As in README.md "Playback (the viewer side)", with start() from the sources.
  const ivs = await start()
  t.teardown(() => ivs.close())
  const client = new IvsClient({ endpoint: ivs.endpoint, region: ivs.region, credentials: ivs.credentials })
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  await client.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: publicKey.export({ type: 'spki', format: 'pem' }).toString() }))
  const { channel } = await client.send(new CreateChannelCommand({ name: 'private', authorized: true }))
  await fetch(`${ivs.endpoint}/_mock/streams/start`, { method: 'POST', body: JSON.stringify({ channelArn: channel!.arn }) })

  const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')
  const claims = { 'aws:channel-arn': channel!.arn, exp: Math.floor(Date.now() / 1000) + 300 }
  const input = `${b64(JSON.stringify({ alg: 'ES384', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`
  const token = `${input}.${b64(sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`

  const res = await fetch(`${ivs.playbackUrl(channel!)}?token=${token}`)
  t.equal(res.status, 200)
  t.match(await res.text(), /^#EXTM3U\n/)
})

t.test('--state keeps viewer-session revocations: after a restart the edge still refuses the revoked session', async (t) => {
  const state = path.join(t.testdir(), 'state.sqlite')
  const key = newKeyPair()
  const first = await start({ config: { state } })
  const ivs = clientFor(first)
  await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: key.publicPem }))
  const channel = await createChannel(first, { authorized: true })
  const token = (claims: Record<string, unknown>) =>
    signToken({ 'aws:channel-arn': channel.arn, exp: nowSeconds() + 300, 'aws:viewer-id': 'viewer-7', ...claims }, key.privateKey)
  await goLive(first, channel.arn!)
  await ivs.send(new StartViewerSessionRevocationCommand({ channelArn: channel.arn, viewerId: 'viewer-7', viewerSessionVersionsLessThanOrEqualTo: 1 }))
  t.equal((await play(withToken(first.playbackUrl(channel), token({ 'aws:viewer-session-version': 1 })))).status, 403, 'revoked before the restart')
  await first.close()

  const second = await start({ config: { state } })
  t.teardown(() => second.close())
  const url = second.playbackUrl(channel)
  t.equal((await play(withToken(url, token({ 'aws:viewer-session-version': 2 })))).status, 200, 'a newer session plays: the channel and key came back')
  const revoked = await play(withToken(url, token({ 'aws:viewer-session-version': 1 })))
  t.equal(revoked.status, 403, 'the revoked session is still refused')
  t.match(revoked.errors[0], { error: /viewer-7 .*revoked/, error_code: 'invalid_playback_auth_token' })
})

t.test('--state: pure reads do not rewrite the state file', async (t) => {
  const state = path.join(t.testdir(), 'state.sqlite')
  const server = await start({ config: { state } })
  t.teardown(() => server.close())
  const ivs = clientFor(server)
  const channel = await createChannel(server, { name: 'kept' })
  const saved = async () => {
    // A save is at most 200 ms behind a change (src/app/state-file.ts); wait for the file to settle.
    let last = ''
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      // SQLite writes go to the WAL first: a save shows in one file or the other.
      const now = [state, `${state}-wal`].map((f) => (existsSync(f) ? `${statSync(f).mtimeMs} ${createHash('sha256').update(readFileSync(f)).digest('hex')}` : '-')).join(' ')
      if (now === last) return now
      last = now
    }
  }
  const before = await saved()
  for (let i = 0; i < 3; i++) {
    t.equal((await ivs.send(new GetChannelCommand({ arn: channel.arn }))).channel?.name, 'kept')
    t.equal((await ivs.send(new ListChannelsCommand({}))).channels?.length, 1)
    await play(server.playbackUrl(channel))
  }
  t.equal(await saved(), before, 'GetChannel, ListChannels and playback fetches left the state file as it was')
  // The read cache still sees a write: a rename between two reads is read back.
  await ivs.send(new UpdateChannelCommand({ arn: channel.arn, name: 'renamed' }))
  t.equal((await ivs.send(new GetChannelCommand({ arn: channel.arn }))).channel?.name, 'renamed')
  t.not(await saved(), before, 'a write is saved')
})
