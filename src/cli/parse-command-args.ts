// One argument parser for every `cassette` sub-command, so each names its missing or surplus
// arguments the same way and a parse error is a usage error (exit 2) rather than a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError } from './cli-error.js'

type Options = NonNullable<ParseArgsConfig['options']>

export interface ParsedCommandArgs {
  /** The positional arguments, exactly as many as `positionals` named. */
  readonly positionals: readonly string[]
  readonly values: Readonly<Record<string, string | boolean | undefined>>
}

/**
 * Parses `args` strictly: unknown flags, missing and extra positionals are `CliError`s with exit
 * code 2. A last positional name ending in `...` takes any number of further arguments.
 */
export function parseCommandArgs(args: readonly string[], options: Options, positionals: readonly string[]): ParsedCommandArgs {
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] }
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new CliError((err as Error).message, 2)
  }
  if (parsed.positionals.length < positionals.length) {
    throw new CliError(`missing argument ${positionals[parsed.positionals.length]}`, 2)
  }
  const variadic = positionals.length > 0 && positionals[positionals.length - 1].endsWith('...')
  if (!variadic && parsed.positionals.length > positionals.length) {
    throw new CliError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.length])}`, 2)
  }
  const values: Record<string, string | boolean | undefined> = {}
  for (const [name, value] of Object.entries(parsed.values)) {
    // No option is declared `multiple`, so arrays never come back; the check keeps the type honest.
    values[name] = Array.isArray(value) ? value[value.length - 1] : value
  }
  return { positionals: parsed.positionals, values }
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(parsed: ParsedCommandArgs, name: string): string | undefined {
  const value = parsed.values[name]
  return typeof value === 'string' ? value : undefined
}
