// `ivs-replay cassette show NAME|PATH [--id N] [--dir DIR]`: a summary of the cassette, or one
// interaction in full with its bodies pretty-printed when they are JSON.
import { SqliteCassetteStore } from '../storage/sqlite/sqlite-cassette-store.js'
import type { Interaction } from '../storage/storage.js'
import { cassetteFile } from './cassette-file.js'
import { CliError } from './cli-error.js'
import { formatTable } from './format-table.js'
import { parseCommandArgs, stringFlag } from './parse-command-args.js'

export async function cassetteShow(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { id: { type: 'string' }, dir: { type: 'string' } }, ['NAME|PATH'])
  const file = cassetteFile(parsed.positionals[0], stringFlag(parsed, 'dir'))
  const idText = stringFlag(parsed, 'id')
  const id = idText === undefined ? undefined : Number(idText)
  if (id !== undefined && (!/^\d+$/.test(idText ?? '') || !Number.isSafeInteger(id))) {
    throw new CliError(`--id must be an interaction number, got ${JSON.stringify(idText)}`, 2)
  }
  const store = await SqliteCassetteStore.open(file, { readOnly: true })
  try {
    if (id === undefined) {
      process.stdout.write(summary(file, await store.all()))
      return 0
    }
    const interaction = await store.get(id)
    if (!interaction) throw new CliError(`${file} holds no interaction #${id}`, 1)
    process.stdout.write(details(interaction))
    return 0
  } finally {
    await store.close()
  }
}

function summary(file: string, interactions: readonly Interaction[]): string {
  const unused = interactions.filter((i) => i.usedAt === null).length
  const lines = [file, `interactions: ${interactions.length} (${unused} never replayed)`]
  if (interactions.length > 0) {
    const times = interactions.map((i) => i.recordedAt).sort()
    lines.push(`recorded:     ${times[0]} to ${times[times.length - 1]}`)
    const perOperation = new Map<string, { count: number; unused: number }>()
    for (const i of interactions) {
      const entry = perOperation.get(i.operation) ?? { count: 0, unused: 0 }
      entry.count++
      if (i.usedAt === null) entry.unused++
      perOperation.set(i.operation, entry)
    }
    const rows = [...perOperation].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([operation, { count, unused }]) => ['  ' + operation, String(count), unused ? `(${unused} never replayed)` : ''])
    lines.push('operations:', formatTable(rows).trimEnd())
  }
  return lines.join('\n') + '\n'
}

function details(i: Interaction): string {
  const query = Object.entries(i.request.query)
    .flatMap(([name, values]) => values.map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`))
    .join('&')
  return [
    `#${i.id} ${i.operation}`,
    `recorded: ${i.recordedAt}`,
    `first replayed: ${i.usedAt ?? 'never'}`,
    `identity: ${i.identity} (seq ${i.seq})`,
    '',
    `request: ${i.request.method} ${i.request.path}${query ? `?${query}` : ''}`,
    ...headerLines(i.request.headers),
    '',
    bodyText(i.request.body),
    '',
    `response: ${i.response.status}`,
    ...headerLines(i.response.headers),
    '',
    bodyText(i.response.body),
  ].join('\n') + '\n'
}

function headerLines(headers: Record<string, string>): string[] {
  return Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** JSON pretty-printed, other text as is, anything else as base64; for reading, not for round trips. */
function bodyText(bytes: Buffer): string {
  if (bytes.length === 0) return '(empty body)'
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return `(${bytes.length} bytes, not UTF-8, as base64)\n${bytes.toString('base64')}`
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
