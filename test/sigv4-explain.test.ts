// `ivs-replay sigv4 explain FILE` as a user runs it, on a request signed wrong on purpose and on
// requests captured with `curl -v` (skipped where curl lacks --aws-sigv4). Its own file: each run
// spawns the CLI, and the CLI file's other tests already use most of a file's time budget.
import { execFile, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import t from 'tap'
import { start } from '../src/index.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cli = ['--import', 'tsx', path.join(root, 'src/cli.ts')]
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IVS_REPLAY_')))

function run(args: string[]) {
  return spawnSync(process.execPath, [...cli, ...args], { env: cleanEnv, encoding: 'utf8', timeout: 90_000 })
}

t.test('sigv4 explain reads a captured request and says why its signature is (not) valid', async (t) => {
  const dir = t.testdir({})
  const explain = (file: string, ...more: string[]) => run(['sigv4', 'explain', path.join(dir, file), ...more])

  // A request signed the wrong way on purpose: Host signed without its port.
  const signer = new SignatureV4({ service: 'ivs', region: 'us-west-2', sha256: Sha256, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path: '/ListChannels', query: {},
    headers: { host: '127.0.0.1', 'content-type': 'application/json' }, body: '{}' })
  const lines = ['POST /ListChannels HTTP/1.1', 'Host: 127.0.0.1:4599']
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') lines.push(`${k}: ${v}`)
  writeFileSync(path.join(dir, 'no-port.http'), lines.join('\r\n') + '\r\n\r\n{}')
  const noPort = explain('no-port.http')
  t.equal(noPort.status, 1, 'exit 1: the server would refuse it')
  t.match(noPort.stdout, /^Request: {3}POST \/ListChannels\nVerdict: {3}refused, 403 InvalidSignatureException: The request signature we calculated does not match/)
  t.match(noPort.stdout, "\nHint:      Host without the port: the signature matches 'host:127.0.0.1'; sign the Host header as sent: 'host:127.0.0.1:4599'\n")
  t.match(noPort.stdout, /\nCanonical request:\nPOST\n\/ListChannels\n\ncontent-type:application\/json\nhost:127\.0\.0\.1:4599\n[^]*\n\nString-to-sign:\nAWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-west-2\/ivs\/aws4_request\n[0-9a-f]{64}\n\nExpected signature: [0-9a-f]{64}\n$/)

  // A usage mistake: exit 2.
  writeFileSync(path.join(dir, 'garbage.http'), 'hello\n')
  t.match(explain('garbage.http'), { status: 2, stderr: /not a request line/ })

  // A request captured with `curl -v` against a running server, correct and with a wrong secret.
  const hasCurl = spawnSync('curl', ['--help', 'all'], { encoding: 'utf8' }).stdout?.includes('--aws-sigv4') ?? false
  if (!hasCurl) {
    t.comment('curl with --aws-sigv4 (7.75+) is not installed: the curl -v capture is skipped')
    return
  }
  const server = await start()
  t.teardown(() => server.close())
  const capture = (secret: string) => new Promise<string>((resolve, reject) => {
    execFile('curl', ['-sv', '--max-time', '20', '--aws-sigv4', 'aws:amz:us-west-2:ivs', '--user', `test:${secret}`,
      '-H', 'content-type: application/json', '-d', '{}', `${server.endpoint}/ListChannels`], (err, _out, stderr) => (err ? reject(err) : resolve(stderr)))
  })
  const good = await capture('test')
  writeFileSync(path.join(dir, 'curl.txt'), good)
  const ok = explain('curl.txt', '--data', '{}')
  t.equal(ok.status, 0, `exit 0 for a valid signature${ok.status === 0 ? '' : `: ${ok.stdout}${ok.stderr}`}`)
  t.match(ok.stdout, /^Request: {3}POST \/ListChannels\nVerdict: {3}valid \(access key test, account 123456789012, region us-west-2\)\n/)
  const sent = /Signature=([0-9a-f]{64})/.exec(good)![1]
  t.match(ok.stdout, `\nExpected signature: ${sent}\n`, "the expected signature is curl's")
  writeFileSync(path.join(dir, 'curl-wrong.txt'), await capture('wrong'))
  const bad = explain('curl-wrong.txt')
  t.equal(bad.status, 1)
  t.match(bad.stdout, /\nNote: {6}the capture holds no body but Content-Length is 2 \(curl -v does not show it\): pass it with --data/)
  t.match(bad.stdout, /Verdict: {3}refused, 403 InvalidSignatureException/)
  t.notMatch(bad.stdout, /Hint:/, 'a wrong secret is no common mistake')
})
