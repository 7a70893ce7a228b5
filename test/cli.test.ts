// The command line as a user runs it: `ivs-replay serve` prints where to point a client, answers
// signed requests, stops cleanly on SIGTERM, and refuses a bad configuration with exit code 2.
import { ListChannelsCommand } from '@aws-sdk/client-ivs'
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { clientFor } from './helpers/ivs-client.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cli = ['--import', 'tsx', path.join(root, 'src/cli.ts')]
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IVS_REPLAY_')))

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [...cli, ...args], { env: { ...cleanEnv, ...env }, encoding: 'utf8', timeout: 90_000 })
}

t.test('serve prints the endpoint, answers, and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [...cli, 'serve', '--port', '0', '--seed', '7'], { env: cleanEnv })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (m) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  t.match(stdout, /region: +us-west-2/)
  t.match(stdout, /access key test \/ secret test \(account 123456789012\)/)
  const out = await clientFor({ endpoint }).send(new ListChannelsCommand({}))
  t.same(out.channels, [])
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'clean exit on SIGTERM')
  t.match(stderr, /request .*op=ListChannels status=200/, 'one log line per request')
  t.notMatch(stderr, /Signature=|Credential=/, 'no signature material in logs')
})

t.test('output to a reader that has gone does not stop the server', async (t) => {
  // `ivs-replay serve | head -1`: after head exits, every write to stdout or stderr fails with EPIPE.
  const child = spawn(process.execPath, [...cli, 'serve', '--port', '0', '--log-level', 'info'], { env: cleanEnv })
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (m) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}`)))
  })
  child.stdout.destroy()
  child.stderr.destroy()
  const ivs = clientFor({ endpoint })
  // Each request logs a line to the closed stderr; the server keeps answering.
  for (let i = 0; i < 3; i++) t.same((await ivs.send(new ListChannelsCommand({}))).channels, [])
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'still a clean exit on SIGTERM (its message goes nowhere)')
})

t.test('a bad configuration exits 2 and names the field', async (t) => {
  const dir = t.testdir({ 'bad.json': JSON.stringify({ auth: 'maybe' }), 'broken.json': '{ nope' })
  const cases: [string, ReturnType<typeof run>, RegExp][] = [
    ['flag', run(['serve', '--port', 'abc']), /--port must be a number/],
    ['flag range', run(['serve', '--port', '70000']), /port must be an integer from 0 to 65535/],
    ['config file', run(['serve', '--config', path.join(dir, 'bad.json')]), /auth must be one of sigv4, off/],
    ['unreadable file', run(['serve', '--config', path.join(dir, 'missing.json')]), /--config .*missing\.json cannot be read/],
    ['invalid JSON', run(['serve', '--config', path.join(dir, 'broken.json')]), /is not valid JSON/],
    ['environment', run(['serve'], { IVS_REPLAY_LOG_LEVEL: 'loud' }), /logLevel must be one of/],
    ['unknown flag', run(['serve', '--prot', '1']), /Unknown option '--prot'/],
    ['unknown command', run(['launch']), /unknown command "launch"/],
  ]
  for (const [what, result, message] of cases) {
    t.equal(result.status, 2, what)
    t.match(result.stderr, message, what)
  }
  writeFileSync(path.join(dir, 'creds.json'), JSON.stringify({ credentials: [{ accessKeyId: 'a', secretAccessKey: 's', accountId: '12' }] }))
  const creds = run(['serve', '--config', path.join(dir, 'creds.json')])
  t.equal(creds.status, 2)
  t.match(creds.stderr, /credentials\[0\]\.accountId must be 12 digits/)
  const help = run(['--help'])
  t.equal(help.status, 0)
  t.match(help.stdout, /Usage: ivs-replay serve/)
})
