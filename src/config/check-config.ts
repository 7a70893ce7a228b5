// Checks a merged configuration field by field; the first bad field stops start-up with its name.
import path from 'node:path'
import { checkCredentials, CredentialProblem } from '../auth/credentials.js'
import { isLoopback } from '../http/host-guard.js'
import { ivs } from '../model/services.js'
import { ConfigError, logLevels, modes, type Config, type MatchRule, type Mode } from './config.js'

type Raw = Record<string, unknown>

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

function str(raw: Raw, field: string, path = field): string {
  const v = raw[field]
  if (typeof v !== 'string' || v === '') throw new ConfigError(path, `must be a non-empty string, got ${JSON.stringify(v)}`)
  return v
}

function int(raw: Raw, field: string, min: number, max: number, path = field): number {
  const v = raw[field]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(path, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`)
  }
  return v
}

function oneOf<T extends string>(raw: Raw, field: string, allowed: readonly T[], path = field): T {
  const v = raw[field]
  if (!allowed.includes(v as T)) throw new ConfigError(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`)
  return v as T
}

function section(raw: Raw, field: string): Raw {
  const v = raw[field]
  if (!isObject(v)) throw new ConfigError(field, 'must be an object')
  return v
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/
const ACCOUNT = /^\d{12}$/

/** What start-up needs to know about where it runs, beside the settings. */
export interface RunContext {
  /** Running under CI (the CI environment variable): record modes then need recording.allowInCi. */
  readonly ci: boolean
}

export function checkConfig(raw: Raw, context: RunContext = { ci: false }): Config {
  const known = new Set([
    'host', 'allowedHosts', 'port', 'region', 'regions', 'auth', 'maxSkewSeconds', 'signatureDiagnostics', 'credentials', 'logLevel', 'maxBodyBytes',
    'seed', 'control', 'events', 'mode', 'cassette', 'cassettesDir', 'state', 'upstream', 'recording', 'matching',
  ])
  for (const key of Object.keys(raw)) if (!known.has(key)) throw new ConfigError(key, 'is not a known setting')

  const region = str(raw, 'region')
  if (!REGION.test(region)) throw new ConfigError('region', `must look like us-west-2, got ${JSON.stringify(region)}`)
  // The regions this endpoint serves: by default only `region`, as a regional AWS endpoint does;
  // serving several on one port is the explicit `regions` list.
  const regions = raw.regions ?? [region]
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string' && REGION.test(r))) {
    throw new ConfigError('regions', 'must be a non-empty list of region names like us-west-2')
  }
  if (typeof (raw.signatureDiagnostics ?? true) !== 'boolean') throw new ConfigError('signatureDiagnostics', 'must be true or false')
  let checkedCredentials
  try {
    checkedCredentials = checkCredentials(raw.credentials)
  } catch (err) {
    if (err instanceof CredentialProblem) throw new ConfigError(err.field, err.problem)
    throw err
  }

  const seed = raw.seed
  if (seed !== null && seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) {
    throw new ConfigError('seed', `must be an integer or null, got ${JSON.stringify(seed)}`)
  }
  const control = section(raw, 'control')
  if (typeof control.enabled !== 'boolean') throw new ConfigError('control.enabled', 'must be true or false')
  const events = section(raw, 'events')
  const webhookUrl = events.webhookUrl ?? null
  if (webhookUrl !== null) {
    if (typeof webhookUrl !== 'string' || !/^https?:\/\//.test(webhookUrl) || !URL.canParse(webhookUrl)) {
      throw new ConfigError('events.webhookUrl', `must be an http(s) URL or null, got ${JSON.stringify(webhookUrl)}`)
    }
  }

  const cassettesDir = path.resolve(str(raw, 'cassettesDir'))
  const cassette = raw.cassette === null || raw.cassette === undefined ? null : resolveCassette(str(raw, 'cassette'), cassettesDir)
  const mode: Mode =
    raw.mode === null || raw.mode === undefined ? (cassette ? 'hybrid' : 'simulate') : oneOf(raw, 'mode', modes)
  if (mode !== 'simulate' && !cassette) throw new ConfigError('cassette', `is required in ${mode} mode (--cassette NAME)`)
  const upstream = section(raw, 'upstream')
  const upstreamUrl = nullableStr(upstream, 'url', 'upstream.url')
  if (upstreamUrl !== null && (!/^https?:\/\//.test(upstreamUrl) || !URL.canParse(upstreamUrl))) {
    throw new ConfigError('upstream.url', `must be an http(s) URL, got ${JSON.stringify(upstreamUrl)}`)
  }
  const caFile = nullableStr(upstream, 'caFile', 'upstream.caFile')
  const stsUrl = nullableStr(upstream, 'stsUrl', 'upstream.stsUrl')
  if (stsUrl !== null && (!/^https?:\/\//.test(stsUrl) || !URL.canParse(stsUrl))) {
    throw new ConfigError('upstream.stsUrl', `must be an http(s) URL, got ${JSON.stringify(stsUrl)}`)
  }
  const upstreamAccount = nullableStr(upstream, 'accountId', 'upstream.accountId')
  if (upstreamAccount !== null && !ACCOUNT.test(upstreamAccount)) throw new ConfigError('upstream.accountId', 'must be 12 digits')
  const recording = section(raw, 'recording')
  if (typeof recording.rewriteAccountId !== 'boolean') throw new ConfigError('recording.rewriteAccountId', 'must be true or false')
  if (typeof recording.allowInCi !== 'boolean') throw new ConfigError('recording.allowInCi', 'must be true or false')
  const maxAgeDays = recording.maxAgeDays === null || recording.maxAgeDays === undefined
    ? null : int(recording, 'maxAgeDays', 1, 100 * 365, 'recording.maxAgeDays')
  if ((mode === 'record' || mode === 'record-missing') && context.ci && !recording.allowInCi) {
    throw new ConfigError('mode', `${mode} refuses to start under CI=true, so CI never records (or calls real AWS) silently; ` +
      'set recording.allowInCi to true (or IVS_REPLAY_RECORD_IN_CI=true) to allow it')
  }
  const allowRemote = recording.allowRemote ?? false
  if (typeof allowRemote !== 'boolean') throw new ConfigError('recording.allowRemote', 'must be true or false')
  const overwrite = recording.overwrite ?? false
  if (typeof overwrite !== 'boolean') throw new ConfigError('recording.overwrite', 'must be true or false')
  if (overwrite && mode !== 'record' && mode !== 'record-missing') {
    throw new ConfigError('recording.overwrite', `(--overwrite) starts a recording over, so it needs --mode record or record-missing, not ${mode}`)
  }
  const host = str(raw, 'host')
  const allowedHosts = raw.allowedHosts ?? []
  if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(h))) {
    throw new ConfigError('allowedHosts', 'must be a list of host names or addresses (no port), e.g. ["my-laptop.local"]')
  }
  if ((mode === 'record' || mode === 'record-missing') && !isLoopback(host)) {
    // Whoever reaches the port would act with the user's real AWS credentials.
    if (!allowRemote) {
      throw new ConfigError('host', `${JSON.stringify(host)} is not a loopback address: in ${mode} mode anyone who reaches it acts with your real AWS credentials. ` +
        'Pass --allow-remote (recording.allowRemote) to listen there anyway, with local credentials of your own')
    }
    const weak = checkedCredentials.find((c) => c.accessKeyId === 'test' || c.secretAccessKey === 'test')
    if (weak) throw new ConfigError('credentials', `must not be the public test/test when ${mode} mode listens on the non-loopback ${JSON.stringify(host)}: set credentials of your own`)
  }

  return Object.freeze({
    mode,
    cassette,
    cassettesDir,
    state: raw.state === null || raw.state === undefined ? null : path.resolve(str(raw, 'state')),
    upstream: Object.freeze({
      url: upstreamUrl,
      caFile: caFile === null ? null : path.resolve(caFile),
      timeoutMs: int(upstream, 'timeoutMs', 100, 600_000, 'upstream.timeoutMs'),
      profile: nullableStr(upstream, 'profile', 'upstream.profile'),
      stsUrl,
      accountId: upstreamAccount,
    }),
    recording: Object.freeze({ rewriteAccountId: recording.rewriteAccountId, maxAgeDays, allowInCi: recording.allowInCi, allowRemote, overwrite }),
    matching: checkMatching(raw.matching),
    host,
    allowedHosts: Object.freeze((allowedHosts as string[]).map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'))),
    port: int(raw, 'port', 0, 65535),
    region,
    regions: Object.freeze([...new Set([region, ...(regions as string[])])]),
    auth: oneOf(raw, 'auth', ['sigv4', 'off'] as const),
    maxSkewSeconds: int(raw, 'maxSkewSeconds', 1, 7 * 24 * 3600),
    signatureDiagnostics: raw.signatureDiagnostics !== false,
    credentials: Object.freeze(checkedCredentials),
    logLevel: oneOf(raw, 'logLevel', logLevels),
    maxBodyBytes: int(raw, 'maxBodyBytes', 1024, 64 * 1024 * 1024),
    seed: typeof seed === 'number' ? seed : null,
    control: Object.freeze({ enabled: control.enabled }),
    events: Object.freeze({
      maxEvents: int(events, 'maxEvents', 1, 1_000_000, 'events.maxEvents'),
      webhookUrl: webhookUrl as string | null,
    }),
  })
}

function nullableStr(raw: Raw, field: string, path: string): string | null {
  return raw[field] === null || raw[field] === undefined ? null : str(raw, field, path)
}

/** A cassette name stays inside the cassettes folder; anything that looks like a path is used as one. */
const CASSETTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
/** Exported so `ivs-replay cassette …` resolves a NAME|PATH exactly as `--cassette` does. */
export function resolveCassette(value: string, cassettesDir: string): string {
  const looksLikePath = value.includes('/') || value.includes(path.sep) || value.endsWith('.sqlite')
  if (looksLikePath) return path.resolve(value)
  if (!CASSETTE_NAME.test(value) || value.includes('..')) {
    throw new ConfigError('cassette', `name must be letters, digits, '.', '_' or '-' (or a path to a .sqlite file), got ${JSON.stringify(value)}`)
  }
  return path.join(cassettesDir, `${value}.sqlite`)
}

function checkMatching(value: unknown): Readonly<Record<string, MatchRule>> {
  if (value === undefined || value === null) return Object.freeze({})
  if (!isObject(value)) throw new ConfigError('matching', 'must be an object of operation name → {ignore, patterns}')
  const out: Record<string, MatchRule> = {}
  for (const [op, rule] of Object.entries(value)) {
    const where = `matching.${op}`
    if (op !== '*' && !ivs.hasOperation(op)) throw new ConfigError(where, 'is not an IVS operation (or *)')
    if (!isObject(rule)) throw new ConfigError(where, 'must be an object {ignore, patterns}')
    const ignore = rule.ignore ?? []
    if (!Array.isArray(ignore) || !ignore.every((f) => typeof f === 'string' && f !== '')) {
      throw new ConfigError(`${where}.ignore`, 'must be a list of field paths')
    }
    const patterns = rule.patterns ?? {}
    if (!isObject(patterns)) throw new ConfigError(`${where}.patterns`, 'must map field paths to regular expressions')
    for (const [field, re] of Object.entries(patterns)) {
      if (typeof re !== 'string') throw new ConfigError(`${where}.patterns.${field}`, 'must be a regular expression string')
      try {
        new RegExp(re, 'u')
      } catch (err) {
        throw new ConfigError(`${where}.patterns.${field}`, `is not a valid regular expression: ${(err as Error).message}`)
      }
    }
    out[op] = Object.freeze({ ignore: Object.freeze([...ignore] as string[]), patterns: Object.freeze({ ...patterns } as Record<string, string>) })
  }
  return Object.freeze(out)
}
