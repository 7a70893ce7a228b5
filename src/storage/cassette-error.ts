/**
 * Everything a cassette store refuses or fails at: the message always names the cassette (its
 * file, for the SQLite store), the underlying SQLite/Node error (if any) is kept as `cause`.
 *
 * ```ts
 * try { await SqliteCassetteStore.open(file) } catch (e) { if (e instanceof CassetteError) console.error(e.message) }
 * ```
 */
export class CassetteError extends Error {
  /** The cassette concerned: its file's absolute path, or a store's `location`. */
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`cassette ${file}: ${message}`, options)
    this.name = 'CassetteError'
    this.file = file
  }
}
