/**
 * Everything a `--state` file's store refuses or fails at: the message names the file, the
 * underlying SQLite/Node error (if any) is kept as `cause`.
 */
export class StateFileError extends Error {
  /** Absolute path of the state file concerned. */
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`state file ${file}: ${message}`, options)
    this.name = 'StateFileError'
    this.file = file
  }
}
