// The server's configuration: its type. load-config.ts merges the sources, lowest first:
// config/default.json < --config FILE < IVS_REPLAY_* environment < flags; check-config.ts checks the
// result once, at start-up.
import type { CredentialEntry } from '../auth/credentials.js'

export type AuthMode = 'sigv4' | 'off'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

/**
 * Where answers come from: `simulate` (the simulator only), `replay` (the cassette only; a miss is an
 * error), `hybrid` (the cassette, then the simulator), `record` (real IVS, recorded), `record-missing`
 * (the cassette, then real IVS, recorded).
 */
export type Mode = 'simulate' | 'replay' | 'hybrid' | 'record' | 'record-missing'
export const modes: readonly Mode[] = ['simulate', 'replay', 'hybrid', 'record', 'record-missing']

/** Per-operation matching rules (`*` applies to every operation). */
export interface MatchRule {
  /** Body fields that never matter, as dotted paths (`tags.build`, `name`). */
  readonly ignore: readonly string[]
  /** Body fields matched by a regular expression instead of by value (`name`: `^test-\\d+$`). */
  readonly patterns: Readonly<Record<string, string>>
}

export interface Config {
  readonly host: string
  /** Bound to loopback, Host names (lowercase, no port) accepted besides loopback ones. */
  readonly allowedHosts: readonly string[]
  /** 0 asks the OS for a free port. */
  readonly port: number
  /** The region the CLI prints and the library returns. */
  readonly region: string
  /** The regions a request's credential scope may name: `region` unless set explicitly. */
  readonly regions: readonly string[]
  readonly auth: AuthMode
  readonly maxSkewSeconds: number
  /**
   * InvalidSignatureException carries the canonical request and string-to-sign we computed, as AWS's
   * JSON services send them (default true).
   */
  readonly signatureDiagnostics: boolean
  readonly credentials: readonly CredentialEntry[]
  readonly logLevel: LogLevel
  readonly maxBodyBytes: number
  /** Makes generated ids, keys and passphrases reproducible run to run. */
  readonly seed: number | null
  readonly control: { readonly enabled: boolean }
  readonly events: { readonly maxEvents: number; readonly webhookUrl: string | null }
  /** Resolved: `hybrid` when a cassette is given and no mode, else `simulate`. */
  readonly mode: Mode
  /** Absolute path of the cassette file, or null. */
  readonly cassette: string | null
  /** Where cassette names resolve: `<cassettesDir>/<name>.sqlite`. */
  readonly cassettesDir: string
  /** A SQLite file that keeps the simulator's state across restarts, or null. */
  readonly state: string | null
  readonly upstream: {
    /** Default: `https://ivs.<region>.amazonaws.com`, the region taken from the client's signature. */
    readonly url: string | null
    /** A PEM file of extra CAs to trust for the upstream (a private or test CA). */
    readonly caFile: string | null
    readonly timeoutMs: number
    /** The shared-config profile for the real credentials (default: the AWS default chain). */
    readonly profile: string | null
    /** Where record modes ask STS GetCallerIdentity (default: `url`, else `https://sts.<region>.amazonaws.com`). */
    readonly stsUrl: string | null
    /** The real account id, when known: record modes then skip the STS call (so does AWS_ACCOUNT_ID). */
    readonly accountId: string | null
  }
  readonly recording: {
    /** Rewrite the real account id to the local one in every recorded ARN (and back when forwarding). */
    readonly rewriteAccountId: boolean
    /** Recordings older than this many days make start-up warn (null: never). */
    readonly maxAgeDays: number | null
    /** Let `record` and `record-missing` start under CI=true (they refuse by default, so CI never records silently). */
    readonly allowInCi: boolean
    /** Record modes may listen on a non-loopback address (with non-default local credentials). */
    readonly allowRemote: boolean
    /** `record`: drop what the cassette holds before recording starts over. */
    readonly overwrite: boolean
  }
  readonly matching: Readonly<Record<string, MatchRule>>
}

/** A bad configuration value: the message names the field, and the CLI exits with code 2. */
export class ConfigError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`invalid configuration: ${field} ${problem}`)
    this.name = 'ConfigError'
  }
}
