// `ivs-replay cassette prune NAME|PATH [--dry-run] [--force] [--dir DIR]`: drops the interactions no
// replay run ever used (used_at null), so a cassette keeps only what the tests need.
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import { cassetteFile } from './cassette-file.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

/** `out` is where the report goes (stdout for the command line). */
export async function cassettePrune(args: readonly string[], out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): Promise<number> {
  const parsed = parseCommandArgs(args, { 'dry-run': { type: 'boolean' }, force: { type: 'boolean' }, dir: { type: 'string' } }, ['NAME|PATH'])
  const file = cassetteFile(parsed.positionals[0], stringFlag(parsed, 'dir'))
  const dryRun = parsed.values['dry-run'] === true
  const store = await SqliteCassetteStore.open(file, { readOnly: dryRun, create: false })
  try {
    const interactions = await store.all()
    const unused = interactions.filter((i) => i.usedAt === null).length
    if (dryRun) {
      out.write(`would drop ${unused} unused interactions and keep ${interactions.length - unused} (${file})\n`)
      return 0
    }
    // A cassette nothing was ever replayed from would be emptied: almost always a replay run that
    // has not happened yet, or a server still running (used_at is written when it closes).
    if (unused > 0 && unused === interactions.length && parsed.values.force !== true) {
      throw new CliError(
        `no interaction of ${file} was ever replayed, so pruning would empty it; ` +
          'run the tests in replay mode and stop the server first, or pass --force', 1)
    }
    // A server holding the cassette open would go on answering from an index of rows that are gone.
    await store.assertNotOpenElsewhere('pruning it')
    const dropped = await store.deleteUnused()
    const kept = (await store.indexEntries()).length
    out.write(`dropped ${dropped} unused interactions, kept ${kept} (${file})\n`)
    return 0
  } finally {
    await store.close()
  }
}
