// A cassette file (and folders) that opening is about to create, so that a start-up that fails after
// the open (no real credentials, an unreadable CA file, …) takes them away again: a failed
// `--mode record` must leave nothing behind that looks like an (empty) recording.
import { existsSync } from 'node:fs'
import { rm, rmdir } from 'node:fs/promises'
import path from 'node:path'

export interface NewCassetteFile {
  /** Whether the file did not exist before. */
  readonly isNew: boolean
  /** Removes the file, its SQLite side files and the folders made for it; nothing that existed before. */
  undo(): Promise<void>
}

export function newCassetteFile(file: string): NewCassetteFile {
  const abs = path.resolve(file)
  const isNew = !existsSync(abs)
  const newFolders: string[] = []
  for (let dir = path.dirname(abs); isNew && !existsSync(dir); dir = path.dirname(dir)) newFolders.push(dir)
  return {
    isNew,
    undo: async () => {
      if (!isNew) return
      for (const f of [abs, `${abs}-wal`, `${abs}-shm`, `${abs}-journal`]) await rm(f, { force: true })
      // Deepest first; a folder something else has been put into meanwhile stays.
      for (const dir of newFolders) await rmdir(dir).catch(() => undefined)
    },
  }
}
