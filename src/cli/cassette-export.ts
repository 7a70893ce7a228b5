// `ivs-replay cassette export NAME|PATH [--out FILE] [--dir DIR]`: the cassette as stable, sorted,
// reviewable JSON (see cassette-json.ts), on stdout unless --out names a file.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import type { Interaction } from '../storage/storage.js'
import { cassetteFile } from './cassette-file.js'
import { encodeCassetteJson } from './cassette-json.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

export async function cassetteExport(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { out: { type: 'string' }, dir: { type: 'string' } }, ['NAME|PATH'])
  const file = cassetteFile(parsed.positionals[0], stringFlag(parsed, 'dir'))
  const out = stringFlag(parsed, 'out')
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  let interactions: Interaction[]
  try {
    interactions = await store.all()
  } finally {
    await store.close()
  }
  const text = encodeCassetteJson(interactions)
  if (out === undefined) {
    process.stdout.write(text)
    return 0
  }
  try {
    await writeFile(out, text)
  } catch (err) {
    throw new CliError(`cannot write ${path.resolve(out)}: ${(err as Error).message}`, 1)
  }
  process.stdout.write(`exported ${interactions.length} interactions from ${file} to ${path.resolve(out)}\n`)
  return 0
}
