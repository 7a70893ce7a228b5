/**
 * Everything the cassette store refuses or fails at: the message always names the cassette file,
 * the underlying SQLite/Node error (if any) is kept as `cause`.
 *
 * ```ts
 * try { await CassetteStore.open(file) } catch (e) { if (e instanceof CassetteError) console.error(e.message) }
 * ```
 */
export class CassetteError extends Error {
  /** Absolute path of the cassette file concerned. */
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`cassette ${file}: ${message}`, options)
    this.name = 'CassetteError'
    this.file = file
  }
}
