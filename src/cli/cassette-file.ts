// Where a NAME or PATH argument points: exactly the rule `serve --cassette` applies (check-config's
// resolveCassette), so a name such as `a..b` is refused here too and `demo` is the same file in both.
import path from 'node:path'
import { resolveCassette } from '../config/check-config.js'
import { ConfigError } from '../config/config.js'
import { loadConfig } from '../config/load-config.js'
import { CliError } from './cli-error.js'

/** The cassettes folder, absolute: `dir` if given, else config.cassettesDir. */
export function cassettesDir(dir: string | undefined): string {
  // The default comes from config/default.json through the same loader as `serve`, resolved
  // against the working directory, rather than from a second copy of the literal here.
  return dir === undefined ? loadConfig({ env: {} }).cassettesDir : path.resolve(dir)
}

/** The absolute file for `nameOrPath`; a name resolves to `<cassettes folder>/<name>.sqlite`. */
export function cassetteFile(nameOrPath: string, dir: string | undefined): string {
  try {
    return resolveCassette(nameOrPath, cassettesDir(dir))
  } catch (err) {
    // The same refusal as `serve --cassette`, but a usage error of this command rather than of a
    // configuration file.
    if (err instanceof ConfigError) throw new CliError(err.message, 2)
    throw err
  }
}
