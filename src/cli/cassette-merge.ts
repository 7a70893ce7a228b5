// `ivs-replay cassette merge A B [C…] --to TARGET [--force] [--dir DIR]`: one cassette from the ones
// parallel CI shards recorded. Interactions keep their recording order within each source, sources in
// the order given; an interaction recorded the same way in an earlier source (same request identity,
// same status, same answer bytes) is left out, so shards that each recorded the same setup call do not
// turn it into a sequence. Different answers to one request stay, in source order, and are counted.
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import type { Interaction, NewInteraction } from '../storage/storage.js'
import { cassetteFile } from './cassette-file.js'
import { CliError } from './cli-error.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'
import { recordedIdentity } from './recorded-identity.js'

/** `out` is where the report goes (stdout for the command line). */
export async function cassetteMerge(args: readonly string[], out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): Promise<number> {
  const parsed = parseCommandArgs(args, { to: { type: 'string' }, force: { type: 'boolean' }, dir: { type: 'string' } }, ['A', 'B...'])
  const sources = parsed.positionals
  const dir = stringFlag(parsed, 'dir')
  const to = stringFlag(parsed, 'to')
  if (to === undefined) throw new CliError('missing --to NAME|PATH (the cassette to write)', 2)
  const target = cassetteFile(to, dir)
  const files = sources.map((s) => cassetteFile(s, dir))

  const merged: NewInteraction[] = []
  const seen = new Map<string, string[]>()
  let duplicates = 0
  let conflicting = 0
  for (const file of files) {
    for (const i of await interactionsOf(file)) {
      const identity = recordedIdentity(i.operation, i.request)
      const answer = `${i.response.status}\n${i.response.body.toString('latin1')}`
      const answers = seen.get(identity)
      if (answers?.includes(answer)) {
        duplicates++
        continue
      }
      if (answers) {
        conflicting++
        answers.push(answer)
      } else {
        seen.set(identity, [answer])
      }
      merged.push({ operation: i.operation, identity, request: i.request, response: i.response, recordedAt: i.recordedAt })
    }
  }

  const store = await SqliteCassetteStore.open(target)
  try {
    const existing = (await store.indexEntries()).length
    // The target may be new, empty, or one of the sources (its interactions are in the merge).
    if (existing > 0 && !files.includes(target) && parsed.values.force !== true) {
      throw new CliError(`${target} already holds ${existing} interactions and is not one of the sources; pass --force to replace them`, 1)
    }
    await store.assertNotOpenElsewhere('merging into it')
    await store.replaceAll(merged)
  } finally {
    await store.close()
  }
  out.write(`merged ${files.length} cassettes into ${target}: ${merged.length} interactions` +
    ` (${duplicates} recorded identically in an earlier source left out` +
    `${conflicting > 0 ? `; ${conflicting} answer a request an earlier source answered differently, and replay in source order` : ''})\n`)
  return 0
}

async function interactionsOf(file: string): Promise<Interaction[]> {
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  try {
    return await store.all()
  } finally {
    await store.close()
  }
}
