// Merges the configuration sources, lowest first: config/default.json < the file named by --config
// (or IVS_REPLAY_CONFIG) < IVS_REPLAY_* environment variables < explicit overrides (CLI flags or the
// library's options). Objects merge key by key; lists and scalars replace.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { checkConfig } from './check-config.js'
import { ConfigError, type Config } from './config.js'
import { packageRoot } from './package-root.js'

type Raw = Record<string, unknown>

export interface ConfigSources {
  /** Settings between config/default.json and the file (the library's own defaults, e.g. port 0). */
  readonly base?: Raw
  /** A JSON file to layer over the defaults. */
  readonly file?: string
  /** Usually process.env; pass {} to ignore the environment (the library does by default). */
  readonly env?: NodeJS.ProcessEnv
  readonly overrides?: Raw
  /** Where CI is read from (default process.env). */
  readonly ci?: NodeJS.ProcessEnv
}

/** IVS_REPLAY_* variables and the settings they set, with how to read their text. */
const envSettings: readonly [string, string, (text: string) => unknown][] = [
  ['IVS_REPLAY_HOST', 'host', String],
  ['IVS_REPLAY_PORT', 'port', Number],
  ['IVS_REPLAY_REGION', 'region', String],
  ['IVS_REPLAY_REGIONS', 'regions', (text: string) => text.split(',').map((r) => r.trim())],
  ['IVS_REPLAY_AUTH', 'auth', String],
  ['IVS_REPLAY_MAX_SKEW_SECONDS', 'maxSkewSeconds', Number],
  ['IVS_REPLAY_LOG_LEVEL', 'logLevel', String],
  ['IVS_REPLAY_SEED', 'seed', Number],
  ['IVS_REPLAY_MODE', 'mode', String],
  ['IVS_REPLAY_CASSETTE', 'cassette', String],
  ['IVS_REPLAY_STATE', 'state', String],
]

/** Variables read from process.env even when `env` is not: they describe the machine, not one server. */
const machineSettings: readonly [string, (text: string) => Raw][] = [
  ['IVS_REPLAY_RECORD_IN_CI', (text) => ({ recording: { allowInCi: isTrue(text) } })],
  ['IVS_REPLAY_MAX_RECORDING_AGE_DAYS', (text) => ({ recording: { maxAgeDays: Number(text) } })],
]

function isTrue(text: string): boolean {
  return text !== '' && !/^(0|false|no|off)$/i.test(text)
}

/**
 * CI services set CI (GitHub Actions, GitLab, CircleCI, Travis, Buildkite: `true`; some `1`). Read
 * from process.env even by the library, whose servers otherwise ignore the environment: a test
 * suite that starts a recorder in CI is exactly what the refusal is for.
 */
export function runningInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return isTrue(env.CI ?? '')
}

function readJson(file: string, what: string): Raw {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(what, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(what, `is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(what, 'must hold a JSON object')
  }
  return parsed as Raw
}

function merge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue
    const current = out[key]
    const bothObjects = [current, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    out[key] = bothObjects ? merge(current as Raw, value as Raw) : value
  }
  return out
}

export function defaultConfigFile(): string {
  return path.join(packageRoot(), 'config', 'default.json')
}

export function loadConfig(sources: ConfigSources = {}): Config {
  let raw = readJson(defaultConfigFile(), 'config/default.json')
  if (sources.base) raw = merge(raw, sources.base)
  const env = sources.env ?? {}
  const file = sources.file ?? env.IVS_REPLAY_CONFIG
  if (file) raw = merge(raw, readJson(file, `--config ${file}`))
  const fromEnv: Raw = {}
  for (const [name, field, read] of envSettings) {
    const text = env[name]
    if (text !== undefined && text !== '') fromEnv[field] = read(text)
  }
  for (const [name, read] of machineSettings) {
    const text = env[name] ?? process.env[name]
    if (text !== undefined && text !== '') raw = merge(raw, read(text))
  }
  raw = merge(raw, fromEnv)
  if (sources.overrides) raw = merge(raw, sources.overrides)
  return checkConfig(raw, { ci: runningInCi(sources.ci ?? process.env) })
}
