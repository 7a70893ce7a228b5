// The server's configuration: its type, and the check every source passes through once at start-up.
// Sources, lowest first: config/default.json < --config FILE < IVS_REPLAY_* environment < flags.
import type { CredentialEntry } from '../auth/credentials.js'

export type AuthMode = 'sigv4' | 'off'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

export interface Config {
  readonly host: string
  /** 0 asks the OS for a free port. */
  readonly port: number
  /** The region the CLI prints and the library returns; requests may use any of `regions`. */
  readonly region: string
  readonly regions: readonly string[]
  readonly auth: AuthMode
  readonly maxSkewSeconds: number
  readonly credentials: readonly CredentialEntry[]
  readonly logLevel: LogLevel
  readonly maxBodyBytes: number
  /** Makes generated ids, keys and passphrases reproducible run to run. */
  readonly seed: number | null
  readonly control: { readonly enabled: boolean }
  readonly events: { readonly maxEvents: number; readonly webhookUrl: string | null }
}

/** A bad configuration value: the message names the field, and the CLI exits with code 2. */
export class ConfigError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`invalid configuration: ${field} ${problem}`)
    this.name = 'ConfigError'
  }
}
