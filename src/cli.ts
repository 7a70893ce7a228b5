#!/usr/bin/env node
// The command line: `ivs-replay serve [flags]`. Prints where to point a client, and shuts down
// cleanly on SIGINT/SIGTERM. A bad configuration exits with code 2 and names the bad field.
// `ivs-replay cassette …` looks after cassette files (src/cli/cassette-command.ts).
import { parseArgs } from 'node:util'
import { startApp } from './app/app.js'
import { CassetteError } from './storage/cassette-error.js'
import { StateFileError } from './storage/state-file-error.js'
import { ConfigError } from './config/config.js'
import { loadConfig } from './config/load-config.js'

const usage = `Usage: ivs-replay serve [options]
       ivs-replay cassette list|show|export|import|prune|scan|merge|verify …   (ivs-replay cassette --help)
       ivs-replay sigv4 explain FILE [--config FILE] [--data TEXT]   why a captured request's signature is (not) valid

Options:
  --port N            port to listen on (default 4599; 0 = any free port)
  --host HOST         address to listen on (default 127.0.0.1)
  --config FILE       JSON settings layered over config/default.json
  --region REGION     the region this endpoint serves (default us-west-2)
  --regions R1,R2     serve several regions on one port (signatures may be scoped to any of them)
  --auth sigv4|off    verify SigV4 signatures (default sigv4)
  --log-level LEVEL   debug, info, warn, error or silent (default info)
  --seed N            make generated ids, keys and passphrases reproducible
  --mode MODE         simulate | replay | hybrid | record | record-missing
                      (default: hybrid with --cassette, simulate without)
  --cassette NAME     the cassette cassettes/NAME.sqlite, or a path to a .sqlite file
  --state FILE        keep the simulator's state in this SQLite file across restarts
  --upstream URL      where record modes forward (default https://ivs.<region>.amazonaws.com)
  --upstream-ca FILE  extra CA certificates (PEM) to trust for the upstream
  --profile NAME      the AWS profile whose real credentials re-sign recorded requests
  --keep-account-id   record the real account id instead of rewriting it to the local one
  --overwrite         record mode: start a cassette that already holds interactions over
  --allow-remote      record modes: allow a non-loopback --host (needs credentials other than test/test)
  -h, --help          show this help

Environment: IVS_REPLAY_CONFIG, IVS_REPLAY_HOST, IVS_REPLAY_PORT, IVS_REPLAY_REGION, IVS_REPLAY_REGIONS, IVS_REPLAY_AUTH,
IVS_REPLAY_MAX_SKEW_SECONDS, IVS_REPLAY_LOG_LEVEL, IVS_REPLAY_SEED, IVS_REPLAY_MODE,
IVS_REPLAY_CASSETTE, IVS_REPLAY_STATE, IVS_REPLAY_RECORD_IN_CI, IVS_REPLAY_MAX_RECORDING_AGE_DAYS (flags win over them).
Under CI=true, record modes refuse to start unless recording.allowInCi (IVS_REPLAY_RECORD_IN_CI=true).
`

function flagOverrides(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const asNumber = (flag: string): number | undefined => {
    const text = values[flag]
    if (text === undefined) return undefined
    const n = Number(text)
    if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`--${flag}`, `must be a number, got ${JSON.stringify(text)}`)
    return n
  }
  return {
    port: asNumber('port'),
    host: values.host,
    region: values.region,
    regions: typeof values.regions === 'string' ? values.regions.split(',').map((r) => r.trim()) : undefined,
    auth: values.auth,
    logLevel: values['log-level'],
    seed: asNumber('seed'),
    mode: values.mode,
    cassette: values.cassette,
    state: values.state,
    upstream: { url: values.upstream, caFile: values['upstream-ca'], profile: values.profile },
    recording: {
      ...(values['keep-account-id'] && { rewriteAccountId: false }),
      ...(values.overwrite && { overwrite: true }),
      ...(values['allow-remote'] && { allowRemote: true }),
    },
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      region: { type: 'string' },
      regions: { type: 'string' },
      auth: { type: 'string' },
      'log-level': { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      cassette: { type: 'string' },
      state: { type: 'string' },
      upstream: { type: 'string' },
      'upstream-ca': { type: 'string' },
      profile: { type: 'string' },
      'keep-account-id': { type: 'boolean' },
      overwrite: { type: 'boolean' },
      'allow-remote': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(usage)
    return
  }
  const config = loadConfig({ file: values.config, env: process.env, overrides: flagOverrides(values) })
  const running = await startApp(config)
  const { accessKeyId, secretAccessKey } = running.credentials
  process.stdout.write(
    `ivs-replay listening on ${running.endpoint}\n` +
      `  region:      ${running.region}\n` +
      // A secret of the user's own stays off the screen (and out of terminal logs); only the public one is shown.
      `  credentials: access key ${accessKeyId} / secret ${secretAccessKey === 'test' ? 'test' : '(as configured)'} (account ${running.accountId})\n` +
      `  auth:        ${config.auth === 'sigv4' ? 'SigV4 verified' : 'OFF (signatures are not checked)'}\n` +
      `  try:         aws ivs list-channels --endpoint-url ${running.endpoint} --region ${running.region}\n`,
  )
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) {
      // A second signal: the user will not wait. Everything acknowledged is committed already.
      process.stdout.write(`ivs-replay: ${signal} again, exiting without waiting for requests under way\n`)
      process.exit(1)
    }
    closing = true
    // Requests under way get their answers (up to 10 s), then the cassette is flushed and closed.
    process.stdout.write(`ivs-replay: ${signal}, shutting down\n`)
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

// `ivs-replay serve | head -1`: once the reader of our output is gone, every write to it fails with
// EPIPE. Losing that output must not take the server (and a cleanly closed cassette) down with it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
  })
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve':
      return serve(rest)
    case 'sigv4': {
      const { sigv4Command } = await import('./cli/sigv4-command.js')
      process.exitCode = await sigv4Command(rest)
      return
    }
    case 'cassette': {
      // Loaded on demand so `serve` does not pay for the cassette tools. exitCode rather than
      // exit(): an export written to a pipe must be flushed before the process ends.
      const { cassetteCommand } = await import('./cli/cassette-command.js')
      process.exitCode = await cassetteCommand(rest)
      return
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage)
      return
    default:
      process.stderr.write(`ivs-replay: unknown command ${JSON.stringify(command)}\n\n${usage}`)
      process.exit(2)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // A cassette or state file that is missing, corrupt or from a newer ivs-replay is the user's to
  // fix, like a bad setting: one line naming the file and the problem, no stack trace.
  if (err instanceof ConfigError || err instanceof CassetteError || err instanceof StateFileError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`ivs-replay: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`)
    process.exit(2)
  }
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    process.stderr.write(`ivs-replay: cannot listen: ${(err as Error).message}\n`)
    process.exit(1)
  }
  process.stderr.write(`ivs-replay: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
