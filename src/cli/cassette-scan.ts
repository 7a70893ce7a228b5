// `ivs-replay cassette scan NAME|PATH [--dir DIR]`: the recorder's secret check over every stored
// interaction, for cassettes recorded before it existed or edited since. Exit 1 when anything is found.
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import { scanInteraction } from '../cassette/secret-scan.js'
import { cassetteFile } from './cassette-file.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

export async function cassetteScan(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { dir: { type: 'string' } }, ['NAME|PATH'])
  const file = cassetteFile(parsed.positionals[0], stringFlag(parsed, 'dir'))
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  let findings = 0
  let count = 0
  try {
    for (const interaction of await store.all()) {
      count++
      for (const f of scanInteraction(interaction)) {
        findings++
        process.stdout.write(`#${interaction.id} ${f.field}: ${f.kind}\n`)
      }
    }
  } finally {
    await store.close()
  }
  if (findings === 0) {
    process.stdout.write(`no secrets found in ${count} interactions (${file})\n`)
    return 0
  }
  process.stderr.write(`${findings} possible secret${findings === 1 ? '' : 's'} in ${file}\n`)
  return 1
}
