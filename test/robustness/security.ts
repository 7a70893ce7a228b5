// Category 4: secure defaults. The server listens on loopback unless told otherwise; /_mock/ is
// served only when the control API is enabled (otherwise those paths go through SigV4 like any other);
// and no secret — secret access key, session token, Authorization header, signature, stream-key
// value, SRT passphrase, PutMetadata payload — reaches a log line, even at debug level.
import { Writable } from 'node:stream'
import {
  BatchGetStreamKeyCommand, CreateChannelCommand, CreateStreamKeyCommand, DeleteStreamKeyCommand, GetChannelCommand,
  GetStreamKeyCommand, IvsClient, ListStreamKeysCommand, PutMetadataCommand,
} from '@aws-sdk/client-ivs'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { start } from '../../src/index.js'
import { readError } from './check.js'
import { signRequest } from './fast-signer.js'
import { HttpDriver, type WireResponse } from './wire.js'

// Key-shaped ids assembled at run time, so no key-shaped literal sits in the source (secret scanners).
const LEAK_KEY_ID = 'AKIA' + 'LEAKCHECKEXAMPLE'
const LEAK_SESSION_KEY_ID = 'ASIA' + 'LEAKCHECKSESSION'

const SECRET = 'Sup3rS3cretAccessKeyForLeakCheck+/0123456789'
const SESSION_SECRET = 'SessionSecretKeyForLeakCheck/abcdefghij+987'
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjSESSIONtokenForLeakCheck//+=='

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

async function send(driver: HttpDriver, method: string, target: string, body: string, sign?: { accessKeyId: string; secretAccessKey: string }): Promise<WireResponse> {
  const bytes = Buffer.from(body)
  const headers = sign
    ? signRequest({ method, target, host: driver.hostHeader, headers: { 'content-type': 'application/json' }, body: bytes }, { ...sign, region: 'us-west-2' })
    : { 'content-type': 'application/json' }
  return driver.send({ method, target, headers, body: bytes })
}

export async function listensOnLoopback(t: Test): Promise<void> {
  const defaults = loadConfig({ env: {} })
  t.equal(defaults.host, '127.0.0.1', 'the default configuration listens on 127.0.0.1')
  const server = await start()
  try {
    t.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/, 'start() with no options listens on 127.0.0.1')
    t.equal(server.config.host, '127.0.0.1')
  } finally {
    await server.close()
  }
}

export async function controlApiOnlyWhereConfigured(t: Test): Promise<void> {
  const key = { accessKeyId: 'test', secretAccessKey: 'test' }
  for (const enabled of [true, false]) {
    const server = await start({ config: { control: { enabled } } })
    const driver = new HttpDriver('127.0.0.1', server.port, 4)
    try {
      const cases: [string, string, string][] = [['GET', '/_mock/health', ''], ['POST', '/_mock/reset', '{}'], ['POST', '/_mock/streams/start', '{"channelArn":"x"}'], ['GET', '/_mock/events', '']]
      for (const [method, path, body] of cases) {
        const unsigned = await send(driver, method, path, body)
        const signed = await send(driver, method, path, body, key)
        if (enabled) {
          t.not(unsigned.status, 403, `control enabled: ${method} ${path} is served without a signature (${unsigned.status})`)
        } else {
          const u = readError(unsigned)
          const s = readError(signed)
          t.equal(unsigned.status, 403, `control disabled: unsigned ${method} ${path} → 403`)
          t.equal(typeof u === 'string' ? u : u.type, 'MissingAuthenticationTokenException', `control disabled: unsigned ${method} ${path} is refused by SigV4`)
          t.equal(signed.status, 404, `control disabled: signed ${method} ${path} → 404`)
          t.equal(typeof s === 'string' ? s : s.type, 'UnknownOperationException', `control disabled: signed ${method} ${path} names no operation`)
        }
      }
      if (!enabled) {
        const before = await send(driver, 'POST', '/CreateChannel', '{"name":"kept"}', key)
        t.equal(before.status, 200)
        await send(driver, 'POST', '/_mock/reset', '{}')
        await send(driver, 'POST', '/_mock/reset', '{}', key)
        const listed = await send(driver, 'POST', '/ListChannels', '{}', key)
        t.equal((JSON.parse(listed.body.toString()) as { channels: unknown[] }).channels.length, 1, 'control disabled: /_mock/reset reset nothing')
      }
    } finally {
      driver.close()
      await server.close()
    }
  }
}

export async function noSecretsInLogs(t: Test): Promise<void> {
  const logs = collector()
  const server = await start({
    logStream: logs.stream,
    config: {
      logLevel: 'debug',
      credentials: [
        { accessKeyId: LEAK_KEY_ID, secretAccessKey: SECRET, accountId: '123456789012' },
        { accessKeyId: LEAK_SESSION_KEY_ID, secretAccessKey: SESSION_SECRET, accountId: '210987654321', sessionToken: SESSION_TOKEN },
      ],
    },
  })
  const secrets = new Map<string, string>([['secret access key', SECRET], ['session secret', SESSION_SECRET], ['session token', SESSION_TOKEN]])
  const signatures: string[] = []
  const authorizations: string[] = []
  const client = (accessKeyId: string, secretAccessKey: string, sessionToken?: string) => {
    const c = new IvsClient({
      endpoint: server.endpoint, region: 'us-west-2', maxAttempts: 1,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) },
    })
    // Keep every Authorization the SDK sends (the deserialize step runs after signing), to look for
    // its signature in the logs afterwards.
    c.middlewareStack.add((next) => async (args) => {
      const auth = (args.request as { headers?: Record<string, string> }).headers?.authorization
      if (auth) {
        authorizations.push(auth)
        const m = /Signature=([0-9a-f]{64})/.exec(auth)
        if (m) signatures.push(m[1])
      }
      return next(args)
    }, { step: 'deserialize', name: 'leakCheckCapture' })
    return c
  }
  const ivs = client(LEAK_KEY_ID, SECRET)
  const temporary = client(LEAK_SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN)
  const wrongSecret = client(LEAK_KEY_ID, `${SECRET}-wrong`)
  const wrongToken = client(LEAK_SESSION_KEY_ID, SESSION_SECRET, `${SESSION_TOKEN}x`)
  try {
    for (let i = 0; i < 3; i++) {
      for (const c of [ivs, temporary]) {
        const { channel, streamKey } = await c.send(new CreateChannelCommand({ name: `leak-${i}`, tags: { i: String(i) } }))
        secrets.set(`stream key ${streamKey!.arn}`, streamKey!.value!)
        secrets.set(`SRT passphrase ${channel!.arn}`, channel!.srt!.passphrase!)
        await c.send(new GetChannelCommand({ arn: channel!.arn }))
        await c.send(new GetStreamKeyCommand({ arn: streamKey!.arn }))
        await c.send(new BatchGetStreamKeyCommand({ arns: [streamKey!.arn!] }))
        await c.send(new ListStreamKeysCommand({ channelArn: channel!.arn }))
        await c.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }))
        const fresh = await c.send(new CreateStreamKeyCommand({ channelArn: channel!.arn }))
        secrets.set(`stream key ${fresh.streamKey!.arn}`, fresh.streamKey!.value!)
        // Go live by stream-key value (a secret in a control body), then send metadata.
        const driver = new HttpDriver('127.0.0.1', server.port, 1)
        await send(driver, 'POST', '/_mock/streams/start', JSON.stringify({ streamKey: fresh.streamKey!.value }))
        driver.close()
        const metadata = `leak-check-metadata-${i}-${channel!.arn!.slice(-12)}`
        secrets.set(`PutMetadata payload ${i}`, metadata)
        await c.send(new PutMetadataCommand({ channelArn: channel!.arn, metadata })).catch(() => undefined)
      }
    }
    await wrongSecret.send(new CreateChannelCommand({})).catch(() => undefined)
    await wrongToken.send(new CreateChannelCommand({})).catch(() => undefined)
    // A presigned URL carries its signature in the query string, where a logged URL would show it.
    const presigner = new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, credentials: { accessKeyId: LEAK_KEY_ID, secretAccessKey: SECRET } })
    const url = new URL(server.endpoint)
    const presigned = await presigner.presign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/ListChannels', headers: { host: url.host }, query: {}, body: '{}' }, { expiresIn: 60 })
    const presignedSignature = String(presigned.query?.['X-Amz-Signature'])
    signatures.push(presignedSignature)
    const driver = new HttpDriver('127.0.0.1', server.port, 1)
    const query = Object.entries(presigned.query ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')
    const answered = await driver.send({ method: 'POST', target: `/ListChannels?${query}`, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') })
    t.equal(answered.status, 200, 'the presigned request was accepted')
    // Refusals must not echo what they refuse.
    const refused = await driver.send({ method: 'POST', target: '/ListChannels', headers: { 'content-type': 'application/json', authorization: `AWS4-HMAC-SHA256 Credential=${LEAK_KEY_ID}/20240101/us-west-2/ivs/aws4_request, SignedHeaders=host, Signature=${'ab'.repeat(32)}` }, body: Buffer.from('{}') })
    t.notMatch(refused.body.toString(), /Signature=|ab{64}/, 'a refused request is not echoed back')
    driver.close()
  } finally {
    await server.close()
  }

  const text = logs.text()
  const lines = text.split('\n').filter(Boolean)
  t.ok(lines.length >= 40, `the workload was logged at debug level (${lines.length} lines)`)
  for (const [what, value] of secrets) t.notOk(text.includes(value), `no ${what} in the logs`)
  t.notOk(/Signature=/i.test(text), "no 'Signature=' in the logs")
  t.notOk(/X-Amz-Signature/i.test(text), 'no presigned signature parameter in the logs')
  t.notOk(/AWS4-HMAC-SHA256 Credential/i.test(text), 'no Authorization header in the logs')
  t.notOk(/authorization/i.test(text), "not even the word 'authorization'")
  t.notOk(/sk_us-west-2_/.test(text), 'no stream-key value shape in the logs')
  t.ok(signatures.length >= 40, `collected ${signatures.length} signatures the clients sent`)
  const leaked = signatures.filter((s) => text.includes(s))
  t.same(leaked, [], 'none of those signatures is in the logs')
  t.ok(authorizations.every((a) => !text.includes(a)), 'none of the Authorization headers is in the logs')
  t.comment(`leak check: ${lines.length} log lines at debug, ${secrets.size} secret values and ${signatures.length} signatures looked for`)
}
