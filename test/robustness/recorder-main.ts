// A recorder ivs-replay in its own process, for the recording-fault checks (issues #4 and #6): it
// must be a separate process so it can be SIGKILLed at any moment, run under a file-size limit, or
// run as another user, without touching the test runner. Started by recorder-process.ts with the
// configuration as JSON in argv[2]; prints one JSON line `{"endpoint":…}` on stdout once it listens.
// The real credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in its environment, as
// they would for a real recording.
import { start } from '../../src/index.js'

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
const server = await start({ config }).catch((err: unknown) => {
  // A refusal to start (an unopenable cassette, say) is one line on stderr and exit code 1, as the CLI does.
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`)
  process.exit(1)
})

// SIGTERM is the orderly end (close: in-flight calls finish and are recorded, WAL checkpointed);
// SIGKILL is what the checks use to prove nothing acknowledged is lost without it.
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`close failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
})
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint, port: server.port })}\n`)
