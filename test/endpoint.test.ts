// The spec-true endpoint, as users drive it: the real @aws-sdk/client-ivs (plus boto3 and the AWS CLI
// where installed) against a server on port 0. Channels, stream keys, tags, every constraint kind
// of the model, and the protocol's own errors.
import {
  BatchGetChannelCommand, BatchGetStreamKeyCommand, CreateChannelCommand, CreateStreamKeyCommand, DeleteChannelCommand,
  DeleteStreamKeyCommand, GetChannelCommand, GetStreamKeyCommand, ListChannelsCommand, ListStreamKeysCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateChannelCommand,
} from '@aws-sdk/client-ivs'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { execFile, spawnSync } from 'node:child_process'
import { Writable } from 'node:stream'
import t from 'tap'
import { start } from '../src/index.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'
import { signedRequest } from './helpers/signed-request.js'

const server = await start({
  config: {
    credentials: [
      { accessKeyId: 'test', secretAccessKey: 'test', accountId: '123456789012' },
      { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: '210987654321' },
    ],
    // Serving a second region on this port is explicit (the default is the configured region only).
    regions: ['us-west-2', 'us-east-1'],
  },
})
t.teardown(() => server.close())
const ivs = clientFor(server)

t.test('CreateChannel answers a channel and its stream key with real IVS shapes and defaults', async (t) => {
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'demo', tags: { team: 'video' } }))
  t.match(channel!.arn, /^arn:aws:ivs:us-west-2:123456789012:channel\/[A-Za-z0-9]{12}$/)
  const id = channel!.arn!.split('/')[1]
  t.match(channel, {
    name: 'demo', latencyMode: 'LOW', type: 'STANDARD', authorized: false, insecureIngest: false,
    recordingConfigurationArn: '', playbackRestrictionPolicyArn: '', adConfigurationArn: '', preset: '',
    containerFormat: 'TS', tags: { team: 'video' },
    multitrackInputConfiguration: { enabled: false, maximumResolution: 'FULL_HD', policy: 'ALLOW' },
  })
  t.match(channel!.ingestEndpoint, /^[0-9a-f]{12}\.global-contribute\.live-video\.net$/)
  const prefix = channel!.ingestEndpoint!.split('.')[0]
  t.equal(channel!.playbackUrl, `https://${prefix}.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.${id}.m3u8`)
  t.equal(channel!.srt!.endpoint, `${prefix}.srt.live-video.net`)
  t.match(channel!.srt!.passphrase, /^[A-Za-z0-9]{79}$/)
  t.equal(Object.keys(channel!).length, 16, 'the 16 members of Channel')
  t.match(streamKey!.arn, /^arn:aws:ivs:us-west-2:123456789012:stream-key\/[A-Za-z0-9]{12}$/)
  t.equal(streamKey!.channelArn, channel!.arn)
  t.match(streamKey!.value, new RegExp(`^sk_us-west-2_${streamKey!.arn!.split('/')[1]}_[A-Za-z0-9]{30}$`))
  t.same(streamKey!.tags, {}, 'create-time tags are not copied to the stream key')

  const got = await ivs.send(new GetChannelCommand({ arn: channel!.arn }))
  t.same(got.channel, channel)
  const advanced = await ivs.send(new CreateChannelCommand({ type: 'ADVANCED_HD' }))
  t.equal(advanced.channel!.preset, 'HIGHER_BANDWIDTH_DELIVERY')
  t.equal(advanced.channel!.name, '')
})

t.test('BatchGetChannel reports unknown ARNs per item', async (t) => {
  const { channel } = await ivs.send(new CreateChannelCommand({}))
  const missing = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh'
  const out = await ivs.send(new BatchGetChannelCommand({ arns: [channel!.arn!, missing] }))
  t.equal(out.channels!.length, 1)
  t.same(out.errors, [{ arn: missing, code: 'ResourceNotFoundException', message: `Channel not found: ${missing}` }])
})

t.test('ListChannels: summaries, one filter at a time, pagination', async (t) => {
  const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']
  for (const name of names) await ivs.send(new CreateChannelCommand({ name }))
  const all = await ivs.send(new ListChannelsCommand({}))
  const summary = all.channels!.find((c) => c.name === 'page-a')!
  t.same(Object.keys(summary).sort(), [
    'adConfigurationArn', 'arn', 'authorized', 'insecureIngest', 'latencyMode', 'name', 'playbackRestrictionPolicyArn',
    'preset', 'recordingConfigurationArn', 'tags', 'type',
  ])
  const byName = await ivs.send(new ListChannelsCommand({ filterByName: 'page-c' }))
  t.same(byName.channels!.map((c) => c.name), ['page-c'])
  const both = await failureOf(ivs.send(new ListChannelsCommand({
    filterByName: 'page-c', filterByRecordingConfigurationArn: 'arn:aws:ivs:us-west-2:123456789012:recording-configuration/abcdABCDefgh',
  })))
  t.equal(both.name, 'ConflictException')
  t.equal(both.status, 409)

  const seen: string[] = []
  let nextToken: string | undefined
  let pages = 0
  do {
    const page = await ivs.send(new ListChannelsCommand({ maxResults: 2, nextToken }))
    t.ok(page.channels!.length <= 2)
    seen.push(...page.channels!.map((c) => c.arn!))
    nextToken = page.nextToken
    pages++
  } while (nextToken)
  t.equal(seen.length, all.channels!.length, 'every channel once')
  t.equal(new Set(seen).size, seen.length)
  t.equal(pages, Math.ceil(all.channels!.length / 2))
  const bad = await failureOf(ivs.send(new ListChannelsCommand({ nextToken: 'bm90LWEtdG9rZW4' })))
  t.equal(bad.name, 'ValidationException')
})

t.test('UpdateChannel changes only what it is given and keeps the cross-field rules', async (t) => {
  const { channel } = await ivs.send(new CreateChannelCommand({ name: 'before', latencyMode: 'NORMAL' }))
  const renamed = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, name: 'after' }))
  t.match(renamed.channel, { name: 'after', latencyMode: 'NORMAL', srt: channel!.srt })
  const advanced = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, type: 'ADVANCED_SD' }))
  t.equal(advanced.channel!.preset, 'HIGHER_BANDWIDTH_DELIVERY', 'a type change re-derives the preset default')
  const back = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, type: 'BASIC' }))
  t.equal(back.channel!.preset, '')
  const presetOnStandard = await failureOf(ivs.send(new UpdateChannelCommand({ arn: channel!.arn, preset: 'CONSTRAINED_BANDWIDTH_DELIVERY' })))
  t.equal(presetOnStandard.name, 'ValidationException')
  const multitrack = await failureOf(ivs.send(new UpdateChannelCommand({
    arn: channel!.arn, type: 'STANDARD', multitrackInputConfiguration: { enabled: true, policy: 'ALLOW', maximumResolution: 'HD' },
  })))
  t.equal(multitrack.name, 'ValidationException', 'multitrack needs FRAGMENTED_MP4')
  t.equal((await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel!.type, 'BASIC', 'a refused update changes nothing')
  const ok = await ivs.send(new UpdateChannelCommand({
    arn: channel!.arn, type: 'STANDARD', containerFormat: 'FRAGMENTED_MP4',
    multitrackInputConfiguration: { enabled: true, policy: 'REQUIRE', maximumResolution: 'HD' },
  }))
  t.match(ok.channel!.multitrackInputConfiguration, { enabled: true, policy: 'REQUIRE', maximumResolution: 'HD' })
  const off = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, multitrackInputConfiguration: { enabled: false } }))
  t.match(off.channel!.multitrackInputConfiguration, { enabled: false, policy: 'REQUIRE', maximumResolution: 'HD' })
  const unknownRef = await failureOf(ivs.send(new UpdateChannelCommand({
    arn: channel!.arn, recordingConfigurationArn: 'arn:aws:ivs:us-west-2:123456789012:recording-configuration/abcdABCDefgh',
  })))
  t.equal(unknownRef.name, 'ResourceNotFoundException')
})

t.test('stream keys: one per channel, listed without value, deleted with their channel', async (t) => {
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({}))
  const second = await failureOf(ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn })))
  t.equal(second.name, 'ServiceQuotaExceededException')
  t.equal(second.status, 402)
  const listed = await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn }))
  t.same(listed.streamKeys, [{ arn: streamKey!.arn, channelArn: channel!.arn, tags: {} }])
  const batch = await ivs.send(new BatchGetStreamKeyCommand({ arns: [streamKey!.arn!] }))
  t.equal(batch.streamKeys![0].value, streamKey!.value)

  await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }))
  const fresh = await ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn, tags: { k: 'v' } }))
  t.not(fresh.streamKey!.value, streamKey!.value, 'a reset key has a new value')
  t.same(fresh.streamKey!.tags, { k: 'v' })
  t.equal((await ivs.send(new GetStreamKeyCommand({ arn: fresh.streamKey!.arn }))).streamKey!.value, fresh.streamKey!.value)

  await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }))
  t.equal((await failureOf(ivs.send(new GetStreamKeyCommand({ arn: fresh.streamKey!.arn })))).name, 'ResourceNotFoundException')
  t.equal((await failureOf(ivs.send(new GetChannelCommand({ arn: channel!.arn })))).status, 404)
  t.equal((await failureOf(ivs.send(new DeleteChannelCommand({ arn: channel!.arn })))).name, 'ResourceNotFoundException')
  t.equal((await failureOf(ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn })))).name, 'ResourceNotFoundException')
})

t.test('tags: add, overwrite, remove, 50 at most, aws: reserved', async (t) => {
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ tags: { a: '1' } }))
  await ivs.send(new TagResourceCommand({ resourceArn: channel!.arn, tags: { a: '2', 'z key': 'x', 'c+d': 'y', 'e/f': 'w', ü: 'v' } }))
  t.same((await ivs.send(new ListTagsForResourceCommand({ resourceArn: channel!.arn }))).tags,
    { a: '2', 'z key': 'x', 'c+d': 'y', 'e/f': 'w', ü: 'v' })
  await ivs.send(new UntagResourceCommand({ resourceArn: channel!.arn, tagKeys: ['z key', 'c+d', 'e/f', 'ü', 'absent'] }))
  t.same((await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel!.tags, { a: '2' })
  const listed = await ivs.send(new ListChannelsCommand({}))
  t.same(listed.channels!.find((c) => c.arn === channel!.arn)!.tags, { a: '2' }, 'tags show in list summaries')

  await ivs.send(new TagResourceCommand({ resourceArn: streamKey!.arn, tags: { key: 'tagged' } }))
  t.same((await ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn }))).streamKey!.tags, { key: 'tagged' })

  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))
  const tooMany = await failureOf(ivs.send(new TagResourceCommand({ resourceArn: channel!.arn, tags: many })))
  t.equal(tooMany.name, 'ValidationException', '1 existing + 50 new > 50')
  t.equal((await failureOf(ivs.send(new TagResourceCommand({ resourceArn: channel!.arn, tags: { 'aws:x': 'v' } })))).name, 'ValidationException')
  const gone = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh'
  t.equal((await failureOf(ivs.send(new ListTagsForResourceCommand({ resourceArn: gone })))).name, 'ResourceNotFoundException')
})

t.test('every constraint kind of the model is enforced with an AWS-style message', async (t) => {
  const cases: [string, Promise<unknown>, RegExp][] = [
    ['pattern', ivs.send(new CreateChannelCommand({ name: 'bad name!' })),
      /^1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9-_\]\*$/],
    ['max length', ivs.send(new CreateChannelCommand({ name: 'x'.repeat(129) })), /at 'name' failed to satisfy constraint: Member must have length less than or equal to 128/],
    ['enum', ivs.send(new CreateChannelCommand({ latencyMode: 'FAST' as 'LOW' })), /Member must satisfy enum value set: \[NORMAL, LOW\]/],
    ['range', ivs.send(new ListChannelsCommand({ maxResults: 101 })), /at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100/],
    ['range (stream keys max 50)', ivs.send(new ListStreamKeysCommand({ channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh', maxResults: 51 })), /less than or equal to 50/],
    ['min range', ivs.send(new ListChannelsCommand({ maxResults: 0 })), /greater than or equal to 1/],
    ['list size', ivs.send(new BatchGetChannelCommand({ arns: [] })), /at 'arns' failed to satisfy constraint: Member must have length greater than or equal to 1/],
    ['map size', ivs.send(new CreateChannelCommand({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })), /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/],
    ['map key', ivs.send(new CreateChannelCommand({ tags: { 'bad<key>': 'v' } })), /at 'tags\.bad<key>\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['arn pattern', ivs.send(new GetChannelCommand({ arn: 'arn:aws:ivs:us-west-2:123456789012:stream-key/abc' })), /at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['nested', ivs.send(new UpdateChannelCommand({ arn: 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh', multitrackInputConfiguration: { policy: 'NEVER' as 'ALLOW' } })), /at 'multitrackInputConfiguration\.policy'/],
    ['two at once', ivs.send(new CreateChannelCommand({ name: 'bad name!', type: 'HUGE' as 'BASIC' })), /^2 validation errors detected: .*; /],
  ]
  for (const [what, call, message] of cases) {
    const err = await failureOf(call)
    t.equal(err.name, 'ValidationException', what)
    t.equal(err.status, 400, what)
    t.match(err.message, message, what)
    t.equal(err.exceptionMessage, err.message, `${what}: exceptionMessage too`)
  }
  const missing = await signedRequest(server.endpoint, { path: '/GetChannel', body: '{}' })
  t.equal(missing.status, 400)
  t.equal(missing.headers.get('x-amzn-errortype'), 'ValidationException')
  t.equal(missing.json.message, "1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null")
  const nullValue = await signedRequest(server.endpoint, { path: '/GetChannel', body: '{"arn":null}' })
  t.match(nullValue.json.message, /Member must not be null/)
})

t.test('the protocol answers malformed requests with AWS-shaped errors', async (t) => {
  const cases: [string, Parameters<typeof signedRequest>[1], number, string][] = [
    ['malformed JSON', { path: '/CreateChannel', body: '{"name": ' }, 400, 'SerializationException'],
    ['JSON that is not an object', { path: '/CreateChannel', body: '[1,2]' }, 400, 'SerializationException'],
    ['wrong member type', { path: '/CreateChannel', body: '{"name": 5}' }, 400, 'SerializationException'],
    ['wrong nested type', { path: '/CreateChannel', body: '{"tags": {"a": 1}}' }, 400, 'SerializationException'],
    ['invalid UTF-8', { path: '/CreateChannel', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) }, 400, 'SerializationException'],
    ['unknown path', { path: '/DoSomething' }, 404, 'UnknownOperationException'],
    ['wrong method', { method: 'GET', path: '/CreateChannel' }, 405, 'MethodNotAllowedException'],
    ['body over 1 MiB', { path: '/CreateChannel', body: `{"name":"${'x'.repeat(1024 * 1024)}"}` }, 413, 'RequestEntityTooLargeException'],
  ]
  for (const [what, req, status, code] of cases) {
    const res = await signedRequest(server.endpoint, req)
    t.equal(res.status, status, what)
    t.equal(res.headers.get('x-amzn-errortype'), code, what)
    t.type(res.json.message, 'string', `${what}: JSON body with message`)
    t.equal(res.json.exceptionMessage, res.json.message, what)
    t.ok(res.headers.get('x-amzn-requestid'), `${what}: request id`)
  }
  const empty = await signedRequest(server.endpoint, { path: '/CreateChannel', body: '' })
  t.equal(empty.status, 200, 'an empty body is {}')
  const unknownMember = await signedRequest(server.endpoint, { path: '/CreateChannel', body: '{"nonsense": {"deep": [1]}}' })
  t.equal(unknownMember.status, 200, 'unknown members are ignored')
  const arn = (empty.json.channel as { arn: string }).arn
  const deleted = await signedRequest(server.endpoint, { path: '/DeleteChannel', body: JSON.stringify({ arn }) })
  t.equal(deleted.status, 204)
  t.equal(deleted.text, '', '204 has no body')
  const tags = await signedRequest(server.endpoint, { method: 'GET', path: `/tags/${encodeURIComponent(arn)}` })
  t.equal(tags.status, 404, 'the tag path decodes the ARN once and finds it gone')
  t.equal(tags.headers.get('x-amzn-errortype'), 'ResourceNotFoundException')
})

t.test('an absolute-form request line routes by its path', async (t) => {
  const { Sha256 } = await import('@aws-crypto/sha256-js')
  const { SignatureV4 } = await import('@smithy/signature-v4')
  const url = new URL(server.endpoint)
  const signer = new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/ListChannels', query: {},
    headers: { host: url.host, 'content-type': 'application/json' }, body: '{}',
  })
  const head = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')
  const raw = `POST ${server.endpoint}/ListChannels HTTP/1.1\r\n${head}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`
  const { connect } = await import('node:net')
  const reply = await new Promise<string>((resolve, reject) => {
    let text = ''
    const socket = connect(Number(url.port), url.hostname, () => socket.end(raw))
    socket.on('data', (d: Buffer) => (text += d))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
  t.match(reply, /^HTTP\/1\.1 200 /, reply.split('\r\n')[0])
  t.match(reply, /"channels":/)
})

t.test('state is isolated per account and per region', async (t) => {
  const { channel } = await ivs.send(new CreateChannelCommand({ name: 'mine' }))
  const other = clientFor(server, { accessKeyId: 'other', secretAccessKey: 'other-secret' })
  t.same((await other.send(new ListChannelsCommand({}))).channels, [])
  t.equal((await failureOf(other.send(new GetChannelCommand({ arn: channel!.arn })))).name, 'ResourceNotFoundException')
  const created = await other.send(new CreateChannelCommand({}))
  t.match(created.channel!.arn, /:210987654321:channel\//)
  const east = clientFor(server, { region: 'us-east-1' })
  t.same((await east.send(new ListChannelsCommand({}))).channels, [])
  t.match((await east.send(new CreateChannelCommand({}))).channel!.arn, /^arn:aws:ivs:us-east-1:123456789012:/)
})

// Cross-client: boto3 and the AWS CLI, where this machine has them.
const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-west-2',
  AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { env }).status === 0
const hasCli = spawnSync('aws', ['--version'], { env }).status === 0

t.test('boto3 creates, tags, lists and deletes channels', { skip: hasBoto3 ? false : 'boto3 is not installed (pip install boto3)' }, async (t) => {
  const script = `
import boto3, json, sys
c = boto3.client('ivs', endpoint_url=sys.argv[1], region_name='us-west-2')
ch = c.create_channel(name='from-boto3', tags={'via': 'boto3'})
arn = ch['channel']['arn']
c.tag_resource(resourceArn=arn, tags={'z key': '1', 'ü': '2'})
c.untag_resource(resourceArn=arn, tagKeys=['z key'])
tags = c.list_tags_for_resource(resourceArn=arn)['tags']
listed = [x['name'] for x in c.list_channels(filterByName='from-boto3')['channels']]
c.update_channel(arn=arn, latencyMode='NORMAL')
got = c.get_channel(arn=arn)['channel']
try:
    c.create_stream_key(channelArn=arn)
    quota = 'none'
except c.exceptions.ServiceQuotaExceededException as e:
    quota = e.response['Error']['Code'] + ':' + str(e.response['ResponseMetadata']['HTTPStatusCode'])
try:
    c.get_channel(arn='arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh')
except c.exceptions.ResourceNotFoundException as e:
    missing = e.response['Error']['Message']
c.delete_channel(arn=arn)
print(json.dumps({'tags': tags, 'listed': listed, 'latency': got['latencyMode'], 'key': ch['streamKey']['value'][:3], 'quota': quota, 'missing': missing}))
`
  const out = await new Promise<string>((resolve, reject) =>
    execFile('python3', ['-c', script, server.endpoint], { env }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))))
  t.same(JSON.parse(out), {
    tags: { via: 'boto3', ü: '2' }, listed: ['from-boto3'], latency: 'NORMAL', key: 'sk_',
    quota: 'ServiceQuotaExceededException:402', missing: 'Channel not found: arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh',
  })
})

t.test('the AWS CLI creates, gets, untags and deletes a channel', { skip: hasCli ? false : 'the AWS CLI is not installed' }, async (t) => {
  const aws = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('aws', ['ivs', ...args, '--endpoint-url', server.endpoint, '--region', 'us-west-2', '--output', 'json'], { env },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })))
  const created = await aws('create-channel', '--name', 'from-cli', '--tags', 'a=1,b=2')
  t.equal(created.code, 0, created.stderr)
  const arn = JSON.parse(created.stdout).channel.arn as string
  const got = await aws('get-channel', '--arn', arn)
  t.equal(JSON.parse(got.stdout).channel.name, 'from-cli')
  t.equal((await aws('untag-resource', '--resource-arn', arn, '--tag-keys', 'a')).code, 0)
  t.same(JSON.parse((await aws('list-tags-for-resource', '--resource-arn', arn)).stdout).tags, { b: '2' })
  t.equal((await aws('delete-channel', '--arn', arn)).code, 0)
  const missing = await aws('get-channel', '--arn', arn)
  t.not(missing.code, 0)
  t.match(missing.stderr, /ResourceNotFoundException/)
  const invalid = await aws('create-channel', '--name', 'bad name!')
  t.match(invalid.stderr, /ValidationException.*regular expression pattern/)
})

t.test('signatures as a regional AWS endpoint checks them, and refusals that explain themselves', async (t) => {
  const lines: string[] = []
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const plain = await start({ config: { logLevel: 'debug', credentials: [
    { accessKeyId: 'test', secretAccessKey: 'test', accountId: '123456789012' },
    { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: '210987654321' },
  ] }, logStream })
  t.teardown(() => plain.close())

  // By default the endpoint serves its configured region only.
  await t.resolves(clientFor(plain).send(new ListChannelsCommand({})), 'us-west-2, the configured region')
  const elsewhere = await failureOf(clientFor(plain, { region: 'eu-west-1' }).send(new ListChannelsCommand({})))
  t.match(elsewhere, { name: 'InvalidSignatureException', status: 403, message: "Credential should be scoped to a valid region, not 'eu-west-1'. " })
  // With the explicit `regions` setting, several (and only those).
  await t.resolves(clientFor(server, { region: 'us-east-1' }).send(new ListChannelsCommand({})), 'us-east-1, listed in regions')
  t.match(await failureOf(clientFor(server, { region: 'eu-west-1' }).send(new ListChannelsCommand({}))),
    { name: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'eu-west-1'. " })

  // A wrong secret: AWS's sentence, then the canonical request and string-to-sign a correct signer computes.
  lines.length = 0
  const wrong = await failureOf(clientFor(plain, { accessKeyId: 'other', secretAccessKey: 'not-it' }).send(new ListChannelsCommand({})))
  t.equal(wrong.name, 'InvalidSignatureException')
  t.match(wrong.message, /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/ListChannels\n\n[^]*\nhost:127\.0\.0\.1:\d+\n[^]*'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-west-2\/ivs\/aws4_request\n[0-9a-f]{64}'\n$/)
  // The debug line names the failing check, the key id, the scope and the canonical request; no secret, no signature.
  const refusal = lines.find((l) => l.includes('signature refused'))
  t.match(refusal, /check=signature error=InvalidSignatureException accessKeyId=other scope=\d{8}\/us-west-2\/ivs\/aws4_request canonicalRequest="POST\\n\/ListChannels/)
  t.notMatch(lines.join('\n'), /not-it|other-secret|Signature=/, 'no secret or Authorization header in the log')

  // A signer configured the S3 way (path not encoded twice) gets the mistake named.
  const arn = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh'
  const url = new URL(plain.endpoint)
  const s3Style = new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, uriEscapePath: false, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const path = `/tags/${encodeURIComponent(arn)}`
  const signed = await s3Style.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host } })
  const { host: _host, ...headers } = signed.headers
  const res = await fetch(`${plain.endpoint}${path}`, { headers })
  t.equal(res.status, 403)
  t.match(res.headers.get('x-ivs-replay-signature-hint'), /^path encoded once: the signature matches the canonical URI '\/tags\/arn%3Aaws%3Aivs/)
  t.match(lines.find((l) => l.includes('status=403') && l.includes('hint=')), /hint="path encoded once/, 'the request log line names the hint')
  const signature = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))![1]
  t.notOk(lines.some((l) => l.includes(signature)), 'the signature is never logged')
  // A correctly signed request carries no hint.
  const ok = await signedRequest(plain.endpoint, { method: 'GET', path })
  t.equal(ok.status, 404, 'authenticated (the channel does not exist)')
  t.equal(ok.headers.get('x-ivs-replay-signature-hint'), null)

  // signatureDiagnostics: false keeps AWS's one sentence.
  const terse = await start({ config: { signatureDiagnostics: false } })
  t.teardown(() => terse.close())
  t.equal((await failureOf(clientFor(terse, { secretAccessKey: 'wrong' }).send(new ListChannelsCommand({})))).message,
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.')
})

const curlHasSigV4 = spawnSync('curl', ['--help', 'all'], { encoding: 'utf8' }).stdout?.includes('--aws-sigv4') ?? false
t.test('curl --aws-sigv4 signs requests that verify', { skip: curlHasSigV4 ? false : 'curl with --aws-sigv4 (7.75+) is not installed' }, async (t) => {
  // Asynchronous: the server answers from this process.
  const curl = (secret: string, region: string, body: string) => new Promise<string>((resolve, reject) => {
    execFile('curl', ['-s', '--max-time', '20', '--aws-sigv4', `aws:amz:${region}:ivs`, '--user', `test:${secret}`,
      '-H', 'content-type: application/json', '-d', body, `${server.endpoint}/ListChannels`], (err, stdout) => (err ? reject(err) : resolve(stdout)))
  })
  t.match(JSON.parse(await curl('test', 'us-west-2', '{}')), { channels: [] })
  t.match(JSON.parse(await curl('test', 'us-east-1', '{"maxResults":2}')), { channels: [] })
  t.match((JSON.parse(await curl('wrong', 'us-west-2', '{}')) as { message: string }).message, /Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/ListChannels\n\ncontent-type:application\/json\nhost:/)
})
