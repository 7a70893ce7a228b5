// Playback key pairs, playback restriction policies, recording configurations, ad configurations and
// viewer-session revocation, driven through the real @aws-sdk/client-ivs against a server on port 0
// (SigV4 on, credentials test/test): success paths, every error path of docs/ivs-behavior.md §4, §5, §9, the
// channel ↔ resource references, and tags on all six taggable types.
import {
  BatchStartViewerSessionRevocationCommand, CreateAdConfigurationCommand, CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand, CreateRecordingConfigurationCommand, DeleteAdConfigurationCommand,
  DeleteChannelCommand, DeletePlaybackKeyPairCommand, DeletePlaybackRestrictionPolicyCommand,
  DeleteRecordingConfigurationCommand, GetAdConfigurationCommand, GetChannelCommand, GetPlaybackKeyPairCommand,
  GetPlaybackRestrictionPolicyCommand, GetRecordingConfigurationCommand, GetStreamKeyCommand, ImportPlaybackKeyPairCommand,
  ListAdConfigurationsCommand, ListChannelsCommand, ListPlaybackKeyPairsCommand, ListPlaybackRestrictionPoliciesCommand,
  ListRecordingConfigurationsCommand, ListStreamKeysCommand, ListTagsForResourceCommand, StartViewerSessionRevocationCommand,
  TagResourceCommand, UntagResourceCommand, UpdateAdConfigurationCommand, UpdateChannelCommand,
  UpdatePlaybackRestrictionPolicyCommand,
} from '@aws-sdk/client-ivs'
import { createHash, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { start } from '../src/index.js'
import {
  MAX_REVOCATIONS_PER_REGION, ViewerSessionRevocations,
} from '../src/simulator/resources/viewer-session-revocations.js'
import { clientFor, failureOf } from './helpers/ivs-client.js'

const ACCOUNT = '123456789012'
// A second region on this port is explicit (the quota test below works in two).
const server = await start({ config: { regions: ['us-west-2', 'eu-west-1'] } })
t.teardown(() => server.close())
const ivs = clientFor(server)
t.beforeEach(() => server.simulator.reset())

/** A self-signed certificate for an EC P-256 key: it holds a public key but is not one. */
const EC_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBijCCATGgAwIBAgIUPMAOcuozxVB0Fpr/r4ASrcQcwJ4wCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPaXZzLXJlcGxheS10ZXN0MCAXDTI2MTEyNjA0MjgzOFoYDzIx
MjYxMTAyMDQyODM4WjAaMRgwFgYDVQQDDA9pdnMtcmVwbGF5LXRlc3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAS4wi+KZIKiK/iAs56aT8HyORbN7xW+yPOnKGmH
h30Clc7u6EVSNfKREEYdXK+ntQGjbJsqkWZB1aB2+Ei8RYJko1MwUTAdBgNVHQ4E
FgQU0EqFSaX1rReoLrVz2lPHLAsICbkwHwYDVR0jBBgwFoAU0EqFSaX1rReoLrVz
2lPHLAsICbkwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBx0Law
jtAC6GgVUyMK7H+EeVtJa1lmZNsOKVA4GXXGtgIgQW616PXW1C+v1k/W6ZmjrAyU
e21y75xhWzvsQ2PiTAQ=
-----END CERTIFICATE-----
`

const S3 = { s3: { bucketName: 'demo-recording-bucket' } }
const MEDIATAILOR = 'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/demo-config'

function ecPublicKeyPem(namedCurve: string): string {
  return generateKeyPairSync('ec', { namedCurve }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
}

/** What §9 #26 says the fingerprint is, computed independently of the server. */
function fingerprintOf(pem: string): string {
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')
  return createHash('md5').update(Buffer.from(body, 'base64')).digest('hex').match(/../g)!.join(':')
}

t.test('ImportPlaybackKeyPair: EC public keys of any curve, fingerprint = MD5 of the DER SPKI', async (t) => {
  const p256 = ecPublicKeyPem('prime256v1')
  const imported = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p256, name: 'my-playback-key' }))
  t.equal(imported.$metadata.httpStatusCode, 200)
  t.match(imported.keyPair!.arn, new RegExp(`^arn:aws:ivs:us-west-2:${ACCOUNT}:playback-key/[A-Za-z0-9]{12}$`))
  t.same(imported.keyPair, { arn: imported.keyPair!.arn, name: 'my-playback-key', fingerprint: fingerprintOf(p256), tags: {} })
  t.match(imported.keyPair!.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/)

  const p384 = ecPublicKeyPem('secp384r1')
  const unnamed = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384, tags: { env: 'ci' } }))
  t.equal(unnamed.keyPair!.name, '', 'an unnamed key pair is named ""')
  t.equal(unnamed.keyPair!.fingerprint, fingerprintOf(p384))
  t.same(unnamed.keyPair!.tags, { env: 'ci' })
  const secp521 = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: `\n${ecPublicKeyPem('secp521r1')}\n` }))
  t.ok(secp521.keyPair!.arn, 'other curves and surrounding whitespace are accepted')

  const got = await ivs.send(new GetPlaybackKeyPairCommand({ arn: unnamed.keyPair!.arn }))
  t.same(got.keyPair, unnamed.keyPair)
  const list = await ivs.send(new ListPlaybackKeyPairsCommand({}))
  t.same(list.keyPairs, [imported, unnamed, secp521].map(({ keyPair }) => ({ arn: keyPair!.arn, name: keyPair!.name, tags: keyPair!.tags })),
    'summaries in creation order, without fingerprint')
  t.equal(list.nextToken, undefined)
  const first = await ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 2 }))
  t.equal(first.keyPairs!.length, 2)
  const rest = await ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 2, nextToken: first.nextToken }))
  t.same(rest.keyPairs!.map((k) => k.arn), [secp521.keyPair!.arn])
  t.equal(rest.nextToken, undefined)
})

t.test('ImportPlaybackKeyPair refuses what is not an EC public key with a 400 that says why', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const ed = generateKeyPairSync('ed25519')
  const cases: [string, string, RegExp][] = [
    ['RSA (SPKI)', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /EC \(ECDSA\) public key, not RSA/],
    ['RSA (PKCS#1)', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), /not RSA/],
    ['Ed25519', ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /not ED25519/],
    ['EC private key (PKCS#8)', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /private key/],
    ['EC private key (SEC1)', ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), /private key/],
    ['garbage', 'G1lbnQxOTA3BgNVBAMMMFdoeSBhcmUgeW91IGRl...', /PEM-encoded EC public key/],
    ['a broken PEM', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /could not be parsed/],
    ['a certificate', EC_CERTIFICATE, /must be a PEM 'PUBLIC KEY' block, not 'CERTIFICATE'/],
    ['two keys', ecPublicKeyPem('prime256v1') + ecPublicKeyPem('prime256v1'), /exactly one PEM block, found 2/],
  ]
  for (const [what, publicKeyMaterial, message] of cases) {
    const err = await failureOf(ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial })))
    t.match(err, { name: 'ValidationException', status: 400, message }, what)
  }
  const missing = await failureOf(ivs.send(new ImportPlaybackKeyPairCommand({} as never)))
  t.match(missing, { name: 'ValidationException', status: 400, message: /publicKeyMaterial.*Member must not be null/ })
  const reserved = await failureOf(ivs.send(new ImportPlaybackKeyPairCommand({
    publicKeyMaterial: ecPublicKeyPem('prime256v1'), tags: { 'aws:owner': 'x' },
  })))
  t.match(reserved, { name: 'ValidationException', status: 400, message: /aws:/ })
  t.same((await ivs.send(new ListPlaybackKeyPairsCommand({}))).keyPairs, [], 'nothing refused was imported')
})

t.test('playback key pairs: re-import 409, 3 per region (402), delete 200 {} and re-import', async (t) => {
  const pems = [ecPublicKeyPem('secp384r1'), ecPublicKeyPem('secp384r1'), ecPublicKeyPem('prime256v1'), ecPublicKeyPem('prime256v1')]
  const arns: string[] = []
  for (const publicKeyMaterial of pems.slice(0, 3)) {
    arns.push((await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial }))).keyPair!.arn!)
  }
  const again = await failureOf(ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pems[0] })))
  t.match(again, { name: 'ConflictException', status: 409, message: new RegExp(`already imported as ${arns[0]}`) })
  const fourth = await failureOf(ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pems[3] })))
  t.match(fourth, { name: 'ServiceQuotaExceededException', status: 402, message: /At most 3 playback key pairs/ })

  const other = clientFor(server, { region: 'eu-west-1' })
  const elsewhere = await other.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pems[3] }))
  t.match(elsewhere.keyPair!.arn, /^arn:aws:ivs:eu-west-1:/, 'the quota is per region')
  t.match(await failureOf(ivs.send(new GetPlaybackKeyPairCommand({ arn: elsewhere.keyPair!.arn }))), { status: 404 },
    'another region\'s key pair names nothing here')

  const deleted = await ivs.send(new DeletePlaybackKeyPairCommand({ arn: arns[0] }))
  t.equal(deleted.$metadata.httpStatusCode, 200)
  t.match(await failureOf(ivs.send(new GetPlaybackKeyPairCommand({ arn: arns[0] }))),
    { name: 'ResourceNotFoundException', status: 404, message: `Playback key pair not found: ${arns[0]}` })
  t.match(await failureOf(ivs.send(new DeletePlaybackKeyPairCommand({ arn: arns[0] }))), { name: 'ResourceNotFoundException', status: 404 })
  const reimported = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pems[0] }))
  t.not(reimported.keyPair!.arn, arns[0], 'delete and re-import gives a new ARN, same fingerprint')
  t.equal(reimported.keyPair!.fingerprint, fingerprintOf(pems[0]))
})

t.test('playback restriction policies: defaults, echo, get, list, partial update', async (t) => {
  const bare = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}))
  t.match(bare.playbackRestrictionPolicy!.arn, new RegExp(`^arn:aws:ivs:us-west-2:${ACCOUNT}:playback-restriction-policy/[A-Za-z0-9]{12}$`))
  t.same(bare.playbackRestrictionPolicy, {
    arn: bare.playbackRestrictionPolicy!.arn, allowedCountries: [], allowedOrigins: [],
    enableStrictOriginEnforcement: false, name: '', tags: {},
  })
  const full = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({
    name: 'test-playback-restriction-policy', enableStrictOriginEnforcement: true, tags: { key1: 'value1', key2: 'value2' },
    allowedCountries: ['US', 'MX'], allowedOrigins: ['https://www.website1.com', 'https://www.website2.com'],
  }))
  const policy = full.playbackRestrictionPolicy!
  t.same(policy, {
    arn: policy.arn, allowedCountries: ['US', 'MX'], allowedOrigins: ['https://www.website1.com', 'https://www.website2.com'],
    enableStrictOriginEnforcement: true, name: 'test-playback-restriction-policy', tags: { key1: 'value1', key2: 'value2' },
  })
  t.same((await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy.arn }))).playbackRestrictionPolicy, policy)

  const third = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'third' }))
  const list = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({}))
  t.same(list.playbackRestrictionPolicies, [bare.playbackRestrictionPolicy, policy, third.playbackRestrictionPolicy],
    'the default page is 100, not the model\'s 1 (§9 #20); summaries carry every member')
  t.equal(list.nextToken, undefined)
  const page1 = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 2 }))
  t.equal(page1.playbackRestrictionPolicies!.length, 2)
  const page2 = await ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 2, nextToken: page1.nextToken }))
  t.same(page2.playbackRestrictionPolicies!.map((p) => p.name), ['third'])
  t.match(await failureOf(ivs.send(new ListPlaybackRestrictionPoliciesCommand({ nextToken: 'bm90LWEtdG9rZW4' }))),
    { name: 'ValidationException', status: 400 })

  const updated = await ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn: policy.arn, enableStrictOriginEnforcement: false }))
  t.same(updated.playbackRestrictionPolicy, { ...policy, enableStrictOriginEnforcement: false }, 'only given members change')
  const renamed = await ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn: policy.arn, name: 'renamed', allowedCountries: [] }))
  t.same(renamed.playbackRestrictionPolicy, { ...policy, enableStrictOriginEnforcement: false, name: 'renamed', allowedCountries: [] })
  t.same((await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy.arn }))).playbackRestrictionPolicy,
    renamed.playbackRestrictionPolicy, 'the update is stored')

  const unknown = `arn:aws:ivs:us-west-2:${ACCOUNT}:playback-restriction-policy/AAAAAAAAAAAA`
  for (const call of [
    ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: unknown })),
    ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn: unknown, name: 'x' })),
    ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: unknown })),
  ]) {
    t.match(await failureOf(call), { name: 'ResourceNotFoundException', status: 404, message: `Playback restriction policy not found: ${unknown}` })
  }
  t.match(await failureOf(ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedCountries: ['USA'] }))),
    { name: 'ValidationException', status: 400, message: /allowedCountries/ })
  t.match(await failureOf(ivs.send(new CreatePlaybackRestrictionPolicyCommand({ tags: { 'AWS:x': 'y' } }))),
    { name: 'ValidationException', status: 400, message: /reserved/ })
})

t.test('playback restriction policies: deleting one a channel uses is a 409 until UpdateChannel detaches it', async (t) => {
  const { playbackRestrictionPolicy } = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ allowedCountries: ['US'] }))
  const arn = playbackRestrictionPolicy!.arn!
  const { channel } = await ivs.send(new CreateChannelCommand({ playbackRestrictionPolicyArn: arn }))
  t.equal(channel!.playbackRestrictionPolicyArn, arn)
  const listed = await ivs.send(new ListChannelsCommand({ filterByPlaybackRestrictionPolicyArn: arn }))
  t.same(listed.channels!.map((c) => c.arn), [channel!.arn])

  const inUse = await failureOf(ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn })))
  t.match(inUse, { name: 'ConflictException', status: 409, message: new RegExp(`associated with 1 channel \\(${channel!.arn}\\).*playbackRestrictionPolicyArn: ""`) })
  await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, playbackRestrictionPolicyArn: '' }))
  const deleted = await ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn }))
  t.equal(deleted.$metadata.httpStatusCode, 204)
  t.match(await failureOf(ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn }))), { status: 404 })
  t.match(await failureOf(ivs.send(new UpdateChannelCommand({ arn: channel!.arn, playbackRestrictionPolicyArn: arn }))),
    { name: 'ResourceNotFoundException', status: 404 }, 'a deleted policy can no longer be attached')
})

t.test('recording configurations: CREATING on create then ACTIVE, defaults filled, summaries', async (t) => {
  const created = await ivs.send(new CreateRecordingConfigurationCommand({ destinationConfiguration: S3 }))
  const config = created.recordingConfiguration!
  t.match(config.arn, new RegExp(`^arn:aws:ivs:us-west-2:${ACCOUNT}:recording-configuration/[A-Za-z0-9]{12}$`))
  t.same(config, {
    arn: config.arn, name: '', destinationConfiguration: S3, state: 'CREATING', tags: {},
    thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 60, storage: ['SEQUENTIAL'] },
    recordingReconnectWindowSeconds: 0,
    renditionConfiguration: { renditionSelection: 'ALL', renditions: [] },
  }, 'no thumbnail resolution by default (source resolution)')
  const got = await ivs.send(new GetRecordingConfigurationCommand({ arn: config.arn }))
  t.same(got.recordingConfiguration, { ...config, state: 'ACTIVE' }, 'ACTIVE on every later read (§9 #4)')

  // CLI:create-recording-configuration, input and output.
  const example = await ivs.send(new CreateRecordingConfigurationCommand({
    name: 'test-recording-config', recordingReconnectWindowSeconds: 60, tags: { key1: 'value1', key2: 'value2' },
    renditionConfiguration: { renditionSelection: 'CUSTOM', renditions: ['HD'] },
    thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 1, storage: ['LATEST'], resolution: 'LOWEST_RESOLUTION' },
    destinationConfiguration: S3,
  }))
  t.same(example.recordingConfiguration, {
    arn: example.recordingConfiguration!.arn, name: 'test-recording-config', destinationConfiguration: S3, state: 'CREATING',
    tags: { key1: 'value1', key2: 'value2' },
    thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 1, resolution: 'LOWEST_RESOLUTION', storage: ['LATEST'] },
    recordingReconnectWindowSeconds: 60, renditionConfiguration: { renditionSelection: 'CUSTOM', renditions: ['HD'] },
  })
  const disabled = await ivs.send(new CreateRecordingConfigurationCommand({
    destinationConfiguration: S3, thumbnailConfiguration: { recordingMode: 'DISABLED' }, renditionConfiguration: { renditionSelection: 'NONE' },
  }))
  t.same(disabled.recordingConfiguration!.thumbnailConfiguration, { recordingMode: 'DISABLED', storage: ['SEQUENTIAL'] },
    'no interval when thumbnails are disabled')
  t.same(disabled.recordingConfiguration!.renditionConfiguration, { renditionSelection: 'NONE', renditions: [] })
  const partial = await ivs.send(new CreateRecordingConfigurationCommand({
    destinationConfiguration: S3, thumbnailConfiguration: { storage: ['SEQUENTIAL', 'LATEST'] },
  }))
  t.same(partial.recordingConfiguration!.thumbnailConfiguration,
    { recordingMode: 'INTERVAL', targetIntervalSeconds: 60, storage: ['SEQUENTIAL', 'LATEST'] }, 'members not given take their defaults')

  const list = await ivs.send(new ListRecordingConfigurationsCommand({}))
  t.same(list.recordingConfigurations, [config, example.recordingConfiguration!, disabled.recordingConfiguration!, partial.recordingConfiguration!]
    .map((c) => ({ arn: c.arn, name: c.name, destinationConfiguration: c.destinationConfiguration, state: 'ACTIVE', tags: c.tags })))
  const page = await ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 3 }))
  t.equal(page.recordingConfigurations!.length, 3)
  const last = await ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 3, nextToken: page.nextToken }))
  t.same(last.recordingConfigurations!.map((c) => c.arn), [partial.recordingConfiguration!.arn])
})

t.test('recording configurations: cross-field rules and model constraints are 400s', async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no destination', { destinationConfiguration: {} }, /exactly one destination/],
    ['interval with DISABLED', { destinationConfiguration: S3, thumbnailConfiguration: { recordingMode: 'DISABLED', targetIntervalSeconds: 30 } },
      /targetIntervalSeconds can be set only when recordingMode is INTERVAL/],
    ['CUSTOM without renditions', { destinationConfiguration: S3, renditionConfiguration: { renditionSelection: 'CUSTOM' } },
      /renditions must name at least one/],
    ['CUSTOM with []', { destinationConfiguration: S3, renditionConfiguration: { renditionSelection: 'CUSTOM', renditions: [] } },
      /renditions must name at least one/],
    ['bucket name', { destinationConfiguration: { s3: { bucketName: 'No_Caps' } } }, /bucketName/],
    ['reconnect window', { destinationConfiguration: S3, recordingReconnectWindowSeconds: 301 }, /recordingReconnectWindowSeconds/],
    ['interval', { destinationConfiguration: S3, thumbnailConfiguration: { targetIntervalSeconds: 61 } }, /targetIntervalSeconds/],
    ['aws: tag', { destinationConfiguration: S3, tags: { 'aws:cloudformation:stack': 'x' } }, /reserved/],
  ]
  for (const [what, input, message] of cases) {
    const err = await failureOf(ivs.send(new CreateRecordingConfigurationCommand(input as never)))
    t.match(err, { name: 'ValidationException', status: 400, message }, what)
  }
  t.same((await ivs.send(new ListRecordingConfigurationsCommand({}))).recordingConfigurations, [], 'nothing refused was created')
})

t.test('recording configurations: shared by channels, 409 while referenced, detach with "" then delete (204)', async (t) => {
  const arn = (await ivs.send(new CreateRecordingConfigurationCommand({ destinationConfiguration: S3 }))).recordingConfiguration!.arn!
  const a = (await ivs.send(new CreateChannelCommand({ name: 'a', recordingConfigurationArn: arn }))).channel!
  const b = (await ivs.send(new CreateChannelCommand({ name: 'b' }))).channel!
  const attached = await ivs.send(new UpdateChannelCommand({ arn: b.arn, recordingConfigurationArn: arn }))
  t.equal(attached.channel!.recordingConfigurationArn, arn)

  const inUse = await failureOf(ivs.send(new DeleteRecordingConfigurationCommand({ arn })))
  t.match(inUse, { name: 'ConflictException', status: 409 })
  t.match(inUse.message, `is associated with 2 channels (${a.arn}, ${b.arn})`)
  t.match(inUse.message, 'detach it from each with UpdateChannel recordingConfigurationArn: "" before deleting it')
  t.equal(inUse.exceptionMessage, inUse.message)

  await ivs.send(new UpdateChannelCommand({ arn: a.arn, recordingConfigurationArn: '' }))
  t.match(await failureOf(ivs.send(new DeleteRecordingConfigurationCommand({ arn }))), { status: 409, message: /1 channel \(/ },
    'still referenced by the second channel')
  await ivs.send(new DeleteChannelCommand({ arn: b.arn }))
  const deleted = await ivs.send(new DeleteRecordingConfigurationCommand({ arn }))
  t.equal(deleted.$metadata.httpStatusCode, 204)
  t.match(await failureOf(ivs.send(new GetRecordingConfigurationCommand({ arn }))),
    { name: 'ResourceNotFoundException', status: 404, message: `Recording configuration not found: ${arn}` })
  t.match(await failureOf(ivs.send(new DeleteRecordingConfigurationCommand({ arn }))), { status: 404 })
  t.match(await failureOf(ivs.send(new CreateChannelCommand({ recordingConfigurationArn: arn }))),
    { name: 'ResourceNotFoundException', status: 404 }, 'a deleted configuration can no longer be attached')
  t.equal((await ivs.send(new GetChannelCommand({ arn: a.arn }))).channel!.recordingConfigurationArn, '')
})

t.test('ad configurations: create, get, list, delete; 1–3 MediaTailor configs; 409 while referenced', async (t) => {
  const created = await ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }] }))
  const config = created.adConfiguration!
  t.match(config.arn, new RegExp(`^arn:aws:ivs:us-west-2:${ACCOUNT}:ad-configuration/[A-Za-z0-9]{12}$`))
  t.same(config, { arn: config.arn, name: '', mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }],
    postRollConfiguration: { enabled: false, durationSeconds: 15 }, tags: {} }, 'post-roll defaults to disabled, 15 s (model docs)')
  const three = Array.from({ length: 3 }, (_, i) => ({ playbackConfigurationArn: `${MEDIATAILOR}-${i}` }))
  const named = await ivs.send(new CreateAdConfigurationCommand({ name: 'ads', mediaTailorPlaybackConfigurations: three, tags: { k: 'v' } }))
  t.same(named.adConfiguration!.mediaTailorPlaybackConfigurations, three)
  t.same((await ivs.send(new GetAdConfigurationCommand({ arn: config.arn }))).adConfiguration, config)
  const list = await ivs.send(new ListAdConfigurationsCommand({}))
  t.same(list.adConfigurations, [config, named.adConfiguration], 'summaries carry every member')
  const page = await ivs.send(new ListAdConfigurationsCommand({ maxResults: 1 }))
  t.same(page.adConfigurations!.map((c) => c.arn), [config.arn])
  t.same((await ivs.send(new ListAdConfigurationsCommand({ maxResults: 1, nextToken: page.nextToken }))).adConfigurations!.map((c) => c.arn),
    [named.adConfiguration!.arn])

  for (const [what, mediaTailorPlaybackConfigurations] of [['none', []], ['four', [...three, three[0]]]] as const) {
    t.match(await failureOf(ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [...mediaTailorPlaybackConfigurations] }))),
      { name: 'ValidationException', status: 400, message: /mediaTailorPlaybackConfigurations/ }, what)
  }
  t.match(await failureOf(ivs.send(new CreateAdConfigurationCommand({
    mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: 'arn:aws:s3:::bucket' }],
  }))), { name: 'ValidationException', status: 400 })
  t.match(await failureOf(ivs.send(new CreateAdConfigurationCommand({
    mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }], tags: { 'aws:x': 'y' },
  }))), { name: 'ValidationException', status: 400, message: /reserved/ })

  const { channel } = await ivs.send(new CreateChannelCommand({ adConfigurationArn: config.arn }))
  t.equal(channel!.adConfigurationArn, config.arn)
  t.match(await failureOf(ivs.send(new DeleteAdConfigurationCommand({ arn: config.arn }))),
    { name: 'ConflictException', status: 409, message: /adConfigurationArn: ""/ })
  await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, adConfigurationArn: '' }))
  const deleted = await ivs.send(new DeleteAdConfigurationCommand({ arn: config.arn }))
  t.equal(deleted.$metadata.httpStatusCode, 204)
  for (const call of [ivs.send(new GetAdConfigurationCommand({ arn: config.arn })), ivs.send(new DeleteAdConfigurationCommand({ arn: config.arn }))]) {
    t.match(await failureOf(call), { name: 'ResourceNotFoundException', status: 404, message: `Ad configuration not found: ${config.arn}` })
  }
  t.match(await failureOf(ivs.send(new UpdateChannelCommand({ arn: channel!.arn, adConfigurationArn: config.arn }))), { status: 404 })
})

t.test('UpdateAdConfiguration: given members replace, others stay; post-roll as the model bounds it; 404 for an unknown ARN', async (t) => {
  const two = [{ playbackConfigurationArn: `${MEDIATAILOR}-a` }, { playbackConfigurationArn: `${MEDIATAILOR}-b` }]
  const { adConfiguration: created } = await ivs.send(new CreateAdConfigurationCommand({
    name: 'ads', mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }], tags: { team: 'video' },
    postRollConfiguration: { enabled: true, durationSeconds: 30 },
  }))
  t.same(created!.postRollConfiguration, { enabled: true, durationSeconds: 30 }, 'a post-roll given at create is kept')
  const { adConfiguration: renamed } = await ivs.send(new UpdateAdConfigurationCommand({ arn: created!.arn, name: 'renamed' }))
  t.same(renamed, { ...created, name: 'renamed' }, 'only the name changes')
  const { adConfiguration: updated } = await ivs.send(new UpdateAdConfigurationCommand({
    arn: created!.arn, mediaTailorPlaybackConfigurations: two, postRollConfiguration: { enabled: false, durationSeconds: 300 },
  }))
  t.same(updated, { ...renamed, mediaTailorPlaybackConfigurations: two, postRollConfiguration: { enabled: false, durationSeconds: 300 } })
  t.same((await ivs.send(new GetAdConfigurationCommand({ arn: created!.arn }))).adConfiguration, updated)
  t.same((await ivs.send(new ListAdConfigurationsCommand({}))).adConfigurations, [updated], 'the summary shows the update')

  for (const postRollConfiguration of [{ enabled: true, durationSeconds: 0 }, { enabled: true, durationSeconds: 301 }]) {
    t.match(await failureOf(ivs.send(new UpdateAdConfigurationCommand({ arn: created!.arn, postRollConfiguration }))),
      { name: 'ValidationException', status: 400, message: /postRollConfiguration.durationSeconds/ }, `durationSeconds ${postRollConfiguration.durationSeconds}`)
  }
  t.match(await failureOf(ivs.send(new UpdateAdConfigurationCommand({ arn: created!.arn, mediaTailorPlaybackConfigurations: [] }))),
    { name: 'ValidationException', status: 400, message: /mediaTailorPlaybackConfigurations/ })
  t.same((await ivs.send(new GetAdConfigurationCommand({ arn: created!.arn }))).adConfiguration, updated, 'a refused update changes nothing')
  const missing = `arn:aws:ivs:us-west-2:${ACCOUNT}:ad-configuration/abcdABCDefgh`
  t.match(await failureOf(ivs.send(new UpdateAdConfigurationCommand({ arn: missing, name: 'x' }))),
    { name: 'ResourceNotFoundException', status: 404, message: `Ad configuration not found: ${missing}` })
})

t.test('viewer-session revocation: 200 {} on a channel, 404 without; batch reports per pair', async (t) => {
  const { channel } = await ivs.send(new CreateChannelCommand({ authorized: true }))
  const started = await ivs.send(new StartViewerSessionRevocationCommand({ channelArn: channel!.arn, viewerId: 'viewer-1' }))
  t.equal(started.$metadata.httpStatusCode, 200)
  const revocations = server.simulator.state(ACCOUNT, 'us-west-2').viewerSessionRevocations
  t.match(revocations.get(channel!.arn!, 'viewer-1'), { versionsLessThanOrEqualTo: 0 }, 'version defaults to 0')
  await ivs.send(new StartViewerSessionRevocationCommand({ channelArn: channel!.arn, viewerId: 'viewer-1', viewerSessionVersionsLessThanOrEqualTo: 7 }))
  await ivs.send(new StartViewerSessionRevocationCommand({ channelArn: channel!.arn, viewerId: 'viewer-1', viewerSessionVersionsLessThanOrEqualTo: 3 }))
  t.equal(revocations.get(channel!.arn!, 'viewer-1')!.versionsLessThanOrEqualTo, 7, 'a later, narrower revocation does not un-revoke')

  const unknown = `arn:aws:ivs:us-west-2:${ACCOUNT}:channel/AAAAAAAAAAAA`
  t.match(await failureOf(ivs.send(new StartViewerSessionRevocationCommand({ channelArn: unknown, viewerId: 'v' }))),
    { name: 'ResourceNotFoundException', status: 404, message: `Channel not found: ${unknown}` })
  t.match(await failureOf(ivs.send(new StartViewerSessionRevocationCommand({ channelArn: channel!.arn, viewerId: 'x'.repeat(41) }))),
    { name: 'ValidationException', status: 400, message: /viewerId/ })

  const batch = await ivs.send(new BatchStartViewerSessionRevocationCommand({
    viewerSessions: [
      { channelArn: channel!.arn, viewerId: 'viewer-2', viewerSessionVersionsLessThanOrEqualTo: 1234567890 },
      { channelArn: unknown, viewerId: 'viewer-3' },
    ],
  }))
  t.equal(batch.$metadata.httpStatusCode, 200)
  t.same(batch.errors, [{ channelArn: unknown, viewerId: 'viewer-3', code: '404', message: `Channel not found: ${unknown}` }])
  t.equal(revocations.get(channel!.arn!, 'viewer-2')!.versionsLessThanOrEqualTo, 1234567890, 'the known pair is revoked')
  const clean = await ivs.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions: [{ channelArn: channel!.arn, viewerId: 'viewer-4' }] }))
  t.same(clean.errors, [])
  const allUnknown = await ivs.send(new BatchStartViewerSessionRevocationCommand({
    viewerSessions: [{ channelArn: unknown, viewerId: 'a' }, { channelArn: `arn:aws:ivs:eu-west-1:${ACCOUNT}:channel/${channel!.arn!.split('/')[1]}`, viewerId: 'b' }],
  }))
  t.same(allUnknown.errors!.map((e) => [e.viewerId, e.code]), [['a', '404'], ['b', '404']], 'never a request error; another region names nothing')
  t.match(await failureOf(ivs.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions: [] }))),
    { name: 'ValidationException', status: 400, message: /viewerSessions/ })
})

t.test('tags on all six taggable types: create-time tags on Get and List, TagResource, UntagResource', async (t) => {
  const tags = { team: 'video' }
  const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ tags }))
  const keyPair = (await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: ecPublicKeyPem('prime256v1'), tags }))).keyPair!
  const policy = (await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ tags }))).playbackRestrictionPolicy!
  const recording = (await ivs.send(new CreateRecordingConfigurationCommand({ destinationConfiguration: S3, tags }))).recordingConfiguration!
  const ads = (await ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }], tags }))).adConfiguration!

  // Every type: what Get and List show, after a TagResource and an UntagResource.
  const readers: [string, string, () => Promise<Record<string, string> | undefined>, () => Promise<Record<string, string> | undefined>][] = [
    ['channel', channel!.arn!,
      async () => (await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel!.tags,
      async () => (await ivs.send(new ListChannelsCommand({}))).channels![0].tags],
    ['stream key', streamKey!.arn!,
      async () => (await ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn }))).streamKey!.tags,
      async () => (await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn }))).streamKeys![0].tags],
    ['playback key pair', keyPair.arn!,
      async () => (await ivs.send(new GetPlaybackKeyPairCommand({ arn: keyPair.arn }))).keyPair!.tags,
      async () => (await ivs.send(new ListPlaybackKeyPairsCommand({}))).keyPairs![0].tags],
    ['playback restriction policy', policy.arn!,
      async () => (await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy.arn }))).playbackRestrictionPolicy!.tags,
      async () => (await ivs.send(new ListPlaybackRestrictionPoliciesCommand({}))).playbackRestrictionPolicies![0].tags],
    ['recording configuration', recording.arn!,
      async () => (await ivs.send(new GetRecordingConfigurationCommand({ arn: recording.arn }))).recordingConfiguration!.tags,
      async () => (await ivs.send(new ListRecordingConfigurationsCommand({}))).recordingConfigurations![0].tags],
    ['ad configuration', ads.arn!,
      async () => (await ivs.send(new GetAdConfigurationCommand({ arn: ads.arn }))).adConfiguration!.tags,
      async () => (await ivs.send(new ListAdConfigurationsCommand({}))).adConfigurations![0].tags],
  ]
  for (const [what, arn, get, list] of readers) {
    const expectedAtCreate = what === 'stream key' ? {} : tags // CreateChannel's tags are not copied to its key (§9 #23)
    t.same(await get(), expectedAtCreate, `${what}: create-time tags on Get`)
    t.same(await list(), expectedAtCreate, `${what}: create-time tags on List`)
    t.same((await ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, expectedAtCreate, `${what}: ListTagsForResource`)
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { team: 'live', cost: '42' } }))
    await ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['cost', 'absent'] }))
    t.same(await get(), { team: 'live' }, `${what}: TagResource overwrites, UntagResource removes`)
    t.same(await list(), { team: 'live' }, `${what}: and List shows it`)
    t.match(await failureOf(ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { 'aws:x': 'y' } }))),
      { name: 'ValidationException', status: 400, message: /reserved/ }, `${what}: aws: keys are refused`)
  }

  const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))
  t.match(await failureOf(ivs.send(new CreatePlaybackRestrictionPolicyCommand({ tags: fiftyOne }))),
    { name: 'ValidationException', status: 400, message: /tags.*less than or equal to 50/ })
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))
  const many = await ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: MEDIATAILOR }], tags: fifty }))
  t.equal(Object.keys(many.adConfiguration!.tags!).length, 50)
  t.match(await failureOf(ivs.send(new TagResourceCommand({ resourceArn: many.adConfiguration!.arn, tags: { one: 'more' } }))),
    { name: 'ValidationException', status: 400, message: /at most 50 tags/ })

  await ivs.send(new DeletePlaybackKeyPairCommand({ arn: keyPair.arn }))
  t.match(await failureOf(ivs.send(new ListTagsForResourceCommand({ resourceArn: keyPair.arn }))),
    { name: 'ResourceNotFoundException', status: 404 }, 'a deleted resource has no tags to list')
})

t.test('kept revocations are bounded: past the limit the least recently revoked go first', async (t) => {
  const revocations = new ViewerSessionRevocations()
  const at = new Date(0)
  const channelArn = `arn:aws:ivs:us-west-2:${ACCOUNT}:channel/AAAAAAAAAAAA`
  for (let i = 0; i < MAX_REVOCATIONS_PER_REGION; i++) {
    revocations.record({ channelArn, viewerId: `v${i}`, versionsLessThanOrEqualTo: 0, requestedAt: at })
  }
  revocations.record({ channelArn, viewerId: 'v0', versionsLessThanOrEqualTo: 1, requestedAt: at }) // refreshes v0
  revocations.record({ channelArn, viewerId: 'new', versionsLessThanOrEqualTo: 0, requestedAt: at })
  t.equal(revocations.size, MAX_REVOCATIONS_PER_REGION)
  t.equal(revocations.get(channelArn, 'v1'), undefined, 'the oldest untouched entry was dropped')
  t.equal(revocations.get(channelArn, 'v0')!.versionsLessThanOrEqualTo, 1, 'a re-revoked viewer counts as recent')
  t.ok(revocations.get(channelArn, 'new'))
})
