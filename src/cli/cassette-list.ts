// `ivs-replay cassette list [--dir DIR]`: one line per cassette in the cassettes folder.
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import { cassettesDir } from './cassette-file.js'
import { formatTable } from './format-table.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

const SUFFIX = '.sqlite'

export async function cassetteList(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { dir: { type: 'string' } }, [])
  const dir = cassettesDir(stringFlag(parsed, 'dir'))
  let names: string[]
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith(SUFFIX)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    names = []
  }
  if (names.length === 0) {
    process.stdout.write(`no cassettes in ${dir}\n`)
    return 0
  }
  const rows: string[][] = [['NAME', 'INTERACTIONS', 'OPERATIONS', 'SIZE', 'LAST RECORDED']]
  let unreadable = 0
  for (const fileName of names) {
    const file = path.join(dir, fileName)
    const name = fileName.slice(0, -SUFFIX.length)
    try {
      const size = (await stat(file)).size
      const store = await SqliteCassetteStore.open(file, { readOnly: true })
      try {
        const interactions = await store.all()
        const operations = new Set(interactions.map((i) => i.operation)).size
        const last = interactions.reduce<string | undefined>((max, i) => (max === undefined || i.recordedAt > max ? i.recordedAt : max), undefined)
        rows.push([name, String(interactions.length), String(operations), formatSize(size), last ?? '-'])
      } finally {
        await store.close()
      }
    } catch (err) {
      // One broken file should not hide the others: it gets its row, and the exit code says so.
      unreadable++
      rows.push([name, `unreadable: ${err instanceof Error ? err.message : String(err)}`])
    }
  }
  process.stdout.write(formatTable(rows))
  return unreadable === 0 ? 0 : 1
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
