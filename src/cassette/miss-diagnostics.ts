// When a request matches nothing recorded, say what was closest: the recorded interaction of the
// same operation with the fewest differing fields, and those fields.
import type { JsonValue } from '../protocol/deserialize.js'
import type { Interaction, ReplaySource } from '../storage/storage.js'
import { canonicalRequest, recordedRequestParts, type CanonicalRequest, type MatchRules } from './request-identity.js'

export interface FieldDiff {
  readonly field: string
  readonly recorded: JsonValue | undefined
  readonly sent: JsonValue | undefined
}

export interface NearestMatch {
  readonly id: number
  readonly diffs: readonly FieldDiff[]
}

function flatten(canonical: CanonicalRequest): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>()
  out.set('path', canonical.path)
  canonical.query.forEach(([k, v], i) => out.set(`query.${k}[${i}]`, v))
  const walk = (value: JsonValue, at: string) => {
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
      if (entries.length === 0) out.set(at, value)
      for (const [k, v] of entries) walk(v, `${at}.${k}`)
    } else {
      out.set(at, value)
    }
  }
  walk(canonical.body, 'body')
  return out
}

function diff(recorded: CanonicalRequest, sent: CanonicalRequest): FieldDiff[] {
  const a = flatten(recorded)
  const b = flatten(sent)
  const diffs: FieldDiff[] = []
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const ra = a.get(field)
    const sb = b.get(field)
    if (JSON.stringify(ra) !== JSON.stringify(sb)) diffs.push({ field, recorded: ra, sent: sb })
  }
  return diffs.sort((x, y) => (x.field < y.field ? -1 : 1))
}

function recordedCanonical(i: Interaction, rules: MatchRules): CanonicalRequest {
  return canonicalRequest(recordedRequestParts(i.operation, i.request), rules)
}

export async function nearestRecorded(
  store: ReplaySource,
  sent: CanonicalRequest,
  rules: MatchRules,
): Promise<NearestMatch | undefined> {
  let best: NearestMatch | undefined
  for (const interaction of await store.ofOperation(sent.operation)) {
    const diffs = diff(recordedCanonical(interaction, rules), sent)
    if (!best || diffs.length < best.diffs.length) best = { id: interaction.id, diffs }
  }
  return best
}

const show = (v: JsonValue | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v))

/** `interaction #12 differs in 2 fields: body.name: recorded "a", sent "b"; …` */
export function describeNearest(nearest: NearestMatch | undefined, operation: string): string {
  if (!nearest) return `the cassette holds no ${operation} interaction`
  const fields = nearest.diffs.slice(0, 10).map((d) => `${d.field}: recorded ${show(d.recorded)}, sent ${show(d.sent)}`)
  const more = nearest.diffs.length > 10 ? `; and ${nearest.diffs.length - 10} more` : ''
  return `nearest is interaction #${nearest.id}, which differs in ${nearest.diffs.length} field${nearest.diffs.length === 1 ? '' : 's'}: ${fields.join('; ')}${more}`
}
