// `ivs-replay cassette import FILE --to NAME|PATH [--force] [--dir DIR]`: reads the JSON form back
// into a cassette in one transaction (replaceAll). Identities are recomputed, never read from the
// file; every interaction passes the secret scan first, and a non-empty cassette is only replaced
// with --force.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import type { NewInteraction } from '../storage/storage.js'
import { scanInteraction } from '../cassette/secret-scan.js'
import { cassetteFile } from './cassette-file.js'
import { decodeCassetteJson } from './cassette-json.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'
import { recordedIdentity } from './recorded-identity.js'

/** `out` is where the report goes (stdout for the command line). */
export async function cassetteImport(args: readonly string[], out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): Promise<number> {
  const parsed = parseCommandArgs(args, { to: { type: 'string' }, force: { type: 'boolean' }, dir: { type: 'string' } }, ['FILE'])
  const to = stringFlag(parsed, 'to')
  if (to === undefined) throw new CliError('missing --to NAME|PATH (the cassette to import into)', 2)
  const file = cassetteFile(to, stringFlag(parsed, 'dir'))
  const source = path.resolve(parsed.positionals[0])

  let text: string
  try {
    text = await readFile(source, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read ${source}: ${(err as Error).message}`, 1)
  }
  let items: NewInteraction[]
  try {
    items = decodeCassetteJson(text).map((i) => ({ ...i, identity: recordedIdentity(i.operation, i.request) }))
  } catch (err) {
    if (err instanceof CliError) throw new CliError(`${source}: ${err.message}`, err.exitCode)
    throw err
  }

  // All findings at once, so a hand-edited file is fixed in one pass rather than one error per run.
  const findings = items.flatMap((item, n) => scanInteraction(item).map((f) => `interactions[${n}] ${f.field}: ${f.kind}`))
  if (findings.length > 0) {
    process.stderr.write(findings.map((f) => `${f}\n`).join(''))
    throw new CliError(`${source} holds ${findings.length} possible secret${findings.length === 1 ? '' : 's'}; refusing to import (redact them first)`, 1)
  }

  const store = await SqliteCassetteStore.open(file)
  try {
    const existing = (await store.indexEntries()).length
    if (existing > 0 && parsed.values.force !== true) {
      throw new CliError(`${file} already holds ${existing} interactions; pass --force to replace them`, 1)
    }
    // A server holding the cassette open would go on answering from an index of rows that are gone.
    await store.assertNotOpenElsewhere('replacing its interactions')
    await store.replaceAll(items)
    out.write(`imported ${items.length} interactions into ${file}${existing > 0 ? ` (replacing ${existing})` : ''}\n`)
    return 0
  } finally {
    await store.close()
  }
}
