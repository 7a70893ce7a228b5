// A request's identity, computed in one place for recording and for replay: the operation, the
// decoded path, the sorted query and the canonical JSON body (key order and whitespace do not
// matter). Authorization, X-Amz-Date, amz-sdk-*, User-Agent and every other header never matter.
// Per-operation rules drop fields (`ignore`) or match them by regular expression (`patterns`), so a
// channel named `test-${Date.now()}` replays. Members the model marks sensitive (PutMetadata's
// `metadata`) never take part: the cassette holds only stand-ins of them.
import { hash } from 'node:crypto'
import type { MatchRule } from '../config/config.js'
import { maskSensitive, type OperationShapesLookup } from '../model/sensitive-members.js'
import type { JsonValue } from '../protocol/deserialize.js'
import type { RecordedRequest } from '../storage/storage.js'
import { interactionShapes } from './interaction-shapes.js'
import { storedRequestBody } from './stored-request-body.js'

export interface RequestParts {
  readonly operation: string
  /** Percent-encoded path as sent (`/tags/arn%3Aaws%3A…`); decoded here. */
  readonly path: string
  readonly query: Readonly<Record<string, readonly string[]>>
  /** The parsed JSON body (`{}` when empty). */
  readonly body: JsonValue
}

/** What the identity hashes, also shown in miss diagnostics. */
export interface CanonicalRequest {
  readonly operation: string
  readonly path: string
  readonly query: readonly (readonly [string, string])[]
  readonly body: JsonValue
}

export type MatchRules = Readonly<Record<string, MatchRule>>

function ruleFor(rules: MatchRules, operation: string): MatchRule | undefined {
  const all = rules['*']
  const own = rules[operation]
  if (!all) return own
  if (!own) return all
  return { ignore: [...all.ignore, ...own.ignore], patterns: { ...all.patterns, ...own.patterns } }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** Sorted keys at every level, so `{"b":1,"a":2}` and `{ "a": 2, "b": 1 }` are one body. */
function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: JsonValue } = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key])
  return out
}

/** Applies `ignore` (delete) and `patterns` (replace a matching value by the pattern) at a dotted path. */
function applyAt(body: JsonValue, path: readonly string[], apply: (parent: { [key: string]: JsonValue }, key: string) => void): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return
  const [head, ...rest] = path
  const keys = head === '*' ? Object.keys(body) : [head]
  for (const key of keys) {
    if (!Object.hasOwn(body, key)) continue
    if (rest.length === 0) apply(body, key)
    else applyAt(body[key], rest, apply)
  }
}

/** What a sensitive member's value is in a canonical request. */
export const SENSITIVE_MASK = '~sensitive~'

export function canonicalRequest(parts: RequestParts, rules: MatchRules = {}, shapesOf: OperationShapesLookup = interactionShapes): CanonicalRequest {
  const rule = ruleFor(rules, parts.operation)
  const op = shapesOf(parts.operation)
  const own = op === undefined ? parts.body : maskSensitive(op.shapes, op.input, parts.body, SENSITIVE_MASK)
  // Rules edit the body, so they get a copy; without rules sortKeys copies anyway.
  const body = rule ? structuredClone(own) : own
  if (rule) {
    for (const field of rule.ignore) applyAt(body, field.split('.'), (parent, key) => delete parent[key])
    for (const [field, pattern] of Object.entries(rule.patterns)) {
      const re = new RegExp(pattern, 'u')
      applyAt(body, field.split('.'), (parent, key) => {
        const value = parent[key]
        if (typeof value === 'string' && re.test(value)) parent[key] = `~/${pattern}/`
      })
    }
  }
  const query: [string, string][] = []
  for (const [name, values] of Object.entries(parts.query)) for (const v of values) query.push([name, v])
  query.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
  return { operation: parts.operation, path: decodePath(parts.path), query, body: sortKeys(body) }
}

export function identityOf(canonical: CanonicalRequest): string {
  // The one-shot form: no Hash object per request. Strings hash as UTF-8, as update() did.
  return hash('sha256', JSON.stringify(canonical), 'hex')
}

export function requestIdentity(parts: RequestParts, rules: MatchRules = {}): string {
  return identityOf(canonicalRequest(parts, rules))
}

/**
 * A stored request as the parts a live one would have: the body parsed by the server's own parser
 * (empty or blank → {}). A body the server would refuse keeps its text, so it still has a stable
 * identity of its own (no live request can match it).
 */
export function recordedRequestParts(operation: string, request: RecordedRequest): RequestParts {
  const body: JsonValue = storedRequestBody(request.body) ?? request.body.toString('utf8')
  return { operation, path: request.path, query: request.query, body }
}
