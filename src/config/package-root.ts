// The package's own folder, found from this file whether it runs as src/ (tsx, tap) or dist/src/.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

export function packageRoot(): string {
  if (root) return root
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('ivs-replay: cannot find its package.json')
    dir = parent
  }
  return (root = dir)
}
