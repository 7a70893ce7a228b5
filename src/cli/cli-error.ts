// A failure the user can act on, printed as one line without a stack trace. The exit code says whose
// move it is: 2 for how the command was called (a missing argument, a bad name, an import file of
// the wrong shape), 1 for what happened when it ran (a missing cassette, secrets found, a refusal).
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message)
    this.name = 'CliError'
  }
}
