// `ivs-replay cassette <sub-command> …`: looks after cassette files without starting a server.
// Returns the exit code instead of exiting, so a long export on stdout is never cut short.
// A user's mistake is one line on stderr (exit 2 for the call, 1 for what it found); only a bug
// in ivs-replay itself prints a stack trace.
import { CassetteError } from '../storage/cassette-error.js'
import { CliError } from './cli-error.js'

export const cassetteUsage = `Usage: ivs-replay cassette <command> [options]

Commands:
  list [--dir DIR]                       the cassettes in the cassettes folder
  show NAME|PATH [--id N]                a summary, or one interaction in full
  export NAME|PATH [--out FILE]          stable, sorted JSON for review (stdout by default)
  import FILE --to NAME|PATH [--force]   read exported JSON into a cassette (--force replaces a non-empty one)
  prune NAME|PATH [--dry-run] [--force]  drop the interactions no replay run used
  scan NAME|PATH                         look for secrets; exit 1 if any is found
  merge A B [C…] --to NAME|PATH [--force] one cassette from several (parallel CI shards)
  verify NAME|PATH [--against URL] [--profile P]
                                         re-send every recorded request and report drift; exit 1 if any

A NAME is the cassette <DIR>/NAME.sqlite, DIR being --dir or the configured cassettes folder
(cassettes/ under the working directory); anything with a / or ending in .sqlite is a path.
`

type Subcommand = (args: readonly string[]) => Promise<number>

// Loaded on demand: the store pulls in kysely and SQLite, which a usage error should not wait for.
const commands: Readonly<Record<string, () => Promise<Subcommand>>> = {
  list: async () => (await import('./cassette-list.js')).cassetteList,
  show: async () => (await import('./cassette-show.js')).cassetteShow,
  export: async () => (await import('./cassette-export.js')).cassetteExport,
  import: async () => (await import('./cassette-import.js')).cassetteImport,
  prune: async () => (await import('./cassette-prune.js')).cassettePrune,
  scan: async () => (await import('./cassette-scan.js')).cassetteScan,
  merge: async () => (await import('./cassette-merge.js')).cassetteMerge,
  verify: async () => (await import('./cassette-verify.js')).cassetteVerify,
}

export async function cassetteCommand(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args
  if (name === undefined) {
    process.stderr.write(`ivs-replay cassette: missing command\n\n${cassetteUsage}`)
    return 2
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(cassetteUsage)
    return 0
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!load) {
    process.stderr.write(`ivs-replay cassette: unknown command ${JSON.stringify(name)}\n\n${cassetteUsage}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cassetteUsage)
    return 0
  }
  try {
    return await (await load())(rest)
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`ivs-replay cassette ${name}: ${err.message}\n`)
      return err.exitCode
    }
    // The store's refusals (missing, not SQLite, corrupt, newer schema) already name the file.
    if (err instanceof CassetteError) {
      process.stderr.write(`ivs-replay cassette ${name}: ${err.message}\n`)
      return 1
    }
    throw err
  }
}
