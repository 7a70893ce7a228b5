// Bad input generated from a service model itself (ivs, ivs-realtime, ivschat alike): for every operation, valid inputs (required members
// only, every member, random subsets) and, for every member at every depth, inputs that break one
// constraint the model states — missing or null where required, too short, too long, pattern, enum,
// range, list and map sizes, map keys and values, null items, the wrong JSON type, unknown members,
// numbers past 2^53. Each mutation carries the answer the server owes: which error type, and for
// ValidationException which member path and which constraint sentence the message must name.
//
// Walking the model (rather than listing cases by hand) is the point: when the model is regenerated
// with a new member or constraint, or a new service is served, the suite grows with it.
// `modelCasesFor(spec)` holds one service's generator (its value pools and mutations are cached).
import { generateKeyPairSync } from 'node:crypto'
import { compiledPattern } from '../../src/model/compiled-pattern.js'
import type { ServiceId, ServiceSpec } from '../../src/model/service-spec.js'
import { specs } from '../../src/model/services.js'
import type { ShapeModel, StringShape } from '../../src/model/types.js'
import type { JsonObject, JsonValue } from '../../src/protocol/deserialize.js'
import { rfc3986 } from './fast-signer.js'
import { Prng } from './prng.js'

// ---------------------------------------------------------------------------------------------
// Raw JSON tokens: values JSON.stringify cannot write (2^53 + 1 exactly, 1e400, -0, 1.0).

const rawTokens = new Map<string, string>()
/** A placeholder that `toJsonText` replaces by `text` verbatim. */
export function rawJson(text: string): string {
  const marker = `\u0001raw${rawTokens.size}\u0001`
  rawTokens.set(marker, text)
  return marker
}
const RAW_MARKER = /"\\u0001raw\d+\\u0001"/g

export function toJsonText(value: JsonValue): string {
  const text = JSON.stringify(value)
  return text.includes('\\u0001raw') ? text.replace(RAW_MARKER, (m) => rawTokens.get(JSON.parse(m) as string) ?? m) : text
}

// ---------------------------------------------------------------------------------------------
// Paths into an input.

export type Step =
  | { readonly member: string }
  | { readonly index: number }
  | { readonly key: string; readonly part: 'key' | 'value' }

/** The member path as validate.ts reports it: `a.b`, lists `a.1.member`, maps `tags.k.key` / `tags.k.value`. */
export function validationPath(steps: readonly Step[]): string {
  let out = ''
  for (const s of steps) {
    if ('member' in s) out = out ? `${out}.${s.member}` : s.member
    else if ('index' in s) out = `${out}.${s.index + 1}.member`
    else out = `${out}.${s.key}.${s.part}`
  }
  return out
}

function stepKey(s: Step): string {
  return 'member' in s ? `m:${s.member}` : 'index' in s ? `i:${s.index}` : `k:${s.key}`
}

/** True when one path is a prefix of the other: such mutations would overwrite each other. */
export function overlaps(a: readonly Step[], b: readonly Step[]): boolean {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (stepKey(a[i]) !== stepKey(b[i])) return false
  return true
}

// ---------------------------------------------------------------------------------------------
// Valid values.

const IDS = ['abcdABCDefgh', 'Zz09Yy18Xx27', 'f99cde61-c2b0-4df3-8a2a-7e2b4f3d9b1a', 'q']
const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']
const TAG_ALPHABET = [...ALNUM, ...' _.:/=+-@', 'ü', 'ñ', '日', '本', 'Ω', '\u00a0', '٣', '𝒜']
/** Strings no ARN, enum or key shape is made of: the pools of free-form shapes draw from them. */
const FREE_FORM = [
  'arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/my-config-1',
  'st-1AuTyMDASvHUTSb8p5PvbsO', 'st-abcdefghijklmnopqrstuvw', 'st-abcdABCDefgh1', 'abcdABCDefgh',
  'rt_123456789012_us-west-2_abcdABCDefgh_c2VjcmV0',
  'demo', 'my-channel_1', 'team', 'US', 'DE', 'my-bucket.v1', 'viewer-1',
  'https://example.com', 'QUJDRA==', 'abc_-+/=', 'ü ñ', 'a.b:c/d=e+f-g@h_', '日本語 テスト', '{"metadata":1}',
  'A'.repeat(128), 'v'.repeat(40), 'x'.repeat(256), 'y'.repeat(1024), '',
]

/**
 * A resource type of `spec`'s ARNs that another service's endpoint owns: ivs-realtime names
 * `channel` (a composition's destination), but `arn:aws:ivs:…:channel/…` is ivs's, and one port
 * routes a request on `/tags/{resourceArn}` by that ARN (src/protocol/service-router.ts).
 */
function ownedElsewhere(spec: ServiceSpec, type: string): boolean {
  return Object.values(specs).some((other) =>
    other !== spec && other.arnService === spec.arnService && other.model.endpointPrefix === spec.arnService && other.resourceTypes.has(type))
}

let publicKeyPem: string | undefined
/** An EC P-384 public key, so ImportPlaybackKeyPair's and ImportPublicKey's valid input is really valid. */
function ecPublicKey(): string {
  publicKeyPem ??= generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
  return publicKeyPem
}

/** Shapes holding a PEM public key (ivs's PlaybackPublicKeyMaterial, ivs-realtime's PublicKeyMaterial). */
const isPublicKeyMaterial = (shapeName: string) => shapeName.endsWith('PublicKeyMaterial')

function codePoints(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/** Does `v` satisfy every constraint of a string shape? */
export function fits(shape: StringShape, v: string): boolean {
  const n = codePoints(v)
  if (shape.min !== undefined && n < shape.min) return false
  if (shape.max !== undefined && n > shape.max) return false
  if (shape.pattern !== undefined && !compiledPattern(shape.pattern).test(v)) return false
  if (shape.enum && !shape.enum.includes(v)) return false
  return true
}

export type Fill = 'required' | 'full' | 'random'

const DELETE = Symbol('delete')
type Placement = JsonValue | typeof DELETE

function childShape(shape: ShapeModel, step: Step): string {
  if ('member' in step) {
    if (shape.type !== 'structure') throw new Error('member step into a non-structure')
    return shape.members[step.member].shape
  }
  if ('index' in step) {
    if (shape.type !== 'list') throw new Error('index step into a non-list')
    return shape.member
  }
  if (shape.type !== 'map') throw new Error('key step into a non-map')
  return step.part === 'key' ? shape.key : shape.value
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function matchesKind(v: JsonValue, type: ShapeModel['type']): boolean {
  if (type === 'list') return Array.isArray(v)
  if (type === 'map' || type === 'structure') return isObject(v)
  return true
}

// ---------------------------------------------------------------------------------------------
// Mutations.

export type Category =
  | 'missing-required' | 'null-required' | 'null-optional' | 'too-short' | 'too-long' | 'pattern' | 'enum' | 'range'
  | 'big-number' | 'list-size' | 'map-size' | 'map-key' | 'null-item' | 'wrong-type' | 'unknown-member' | 'union' | 'valid'

export interface Violation {
  readonly path: string
  readonly phrase: string
}

export type Expectation =
  | { readonly kind: 'validation'; readonly violations: readonly Violation[] }
  | { readonly kind: 'serialization' }
  /** Routing fails first: an empty `{resourceArn}` label names no operation. */
  | { readonly kind: 'unknown-operation' }
  /** Model-valid: any answer but a SerializationException or a model-constraint ValidationException. */
  | { readonly kind: 'accepted' }
  /** Outside the model's reach (e.g. `1.0` for an integer): any well-formed non-5xx answer. */
  | { readonly kind: 'client-ok' }

export interface Mutation {
  readonly category: Category
  readonly label: string
  readonly steps: readonly Step[]
  readonly value: Placement
  readonly expect: Expectation
}

const NOT_NULL = 'Member must not be null'
const phrases = {
  notNull: NOT_NULL,
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  minValue: (n: number) => `Member must have value greater than or equal to ${n}`,
  maxValue: (n: number) => `Member must have value less than or equal to ${n}`,
  pattern: (p: string) => `Member must satisfy regular expression pattern: ${p}`,
  enumSet: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
  union: (members: readonly string[]) => `Member must have exactly one of [${members.join(', ')}] set`,
}

const wrongTypes: Readonly<Record<ShapeModel['type'], readonly JsonValue[]>> = {
  string: [5, true, ['x'], { a: 'x' }, 1.5],
  boolean: ['true', 1, [true], {}],
  integer: ['1', true, 1.5, [1], {}, rawJson('1e400'), rawJson('-1e400')],
  long: ['1', false, 2.5, [1], {}],
  float: ['1.5', true, [1], {}],
  double: ['1.5', false, [1], {}],
  timestamp: [true, [], {}],
  list: ['x', 1, {}, true],
  map: [[], 'x', 1, true, [['k', 'v']]],
  structure: [[], 'x', 1, false],
}

function violation(steps: readonly Step[], phrase: string): Expectation {
  return { kind: 'validation', violations: [{ path: validationPath(steps), phrase }] }
}

/** Repeats the last code point of `v` (or `fill`) until `v` is `length` code points long. */
function padTo(v: string, length: number, fill: string): string {
  const cps = [...v]
  const last = cps.length ? cps[cps.length - 1] : fill
  while (cps.length < length) cps.push(last)
  return cps.slice(0, length).join('')
}

function badPatternValues(shape: StringShape, valid: string): string[] {
  if (shape.pattern === undefined) return []
  const candidates = [
    `${valid}!`, `!${[...valid].slice(1).join('')}`, `${[...valid].slice(0, -1).join('')}<`, ` ${valid}`,
    `${valid}\n`, '\u0000', 'bad value<>', valid.toUpperCase(), valid.replace(/:/g, '::'), '%00', '*',
    `${[...valid].slice(0, -1).join('')}\u0000`, 'arn:aws:iam::123456789012:user/x',
  ]
  const out = new Set<string>()
  for (const c of candidates) {
    const n = codePoints(c)
    if ((shape.min === undefined || n >= shape.min) && (shape.max === undefined || n <= shape.max) && !compiledPattern(shape.pattern).test(c)) {
      out.add(c)
    }
    if (out.size >= 4) break
  }
  return [...out]
}

interface SiteContext {
  readonly op: string
  readonly location: 'uri' | 'querystring' | 'body'
  readonly required: boolean
  /** A member of a union: null leaves the union with none set, which it refuses. */
  readonly union?: { readonly steps: readonly Step[]; readonly phrase: string }
}

function label(ctx: SiteContext, steps: readonly Step[], what: string): string {
  return `${ctx.op} ${validationPath(steps) || '(input)'}: ${what}`
}

/**
 * Mutations of the input as a whole (a root that is not an object) cannot be placed inside an input;
 * malformed.ts sends those as raw bodies instead.
 */
export function isPlaceable(m: Mutation): boolean {
  return m.steps.length > 0
}

// ---------------------------------------------------------------------------------------------
// Cases: an input plus the answer it must get, turned into an HTTP request.

export interface ModelCase {
  readonly service: ServiceId
  readonly op: string
  readonly categories: readonly Category[]
  readonly label: string
  readonly input: JsonObject
  readonly expect: Expectation
}

/** Combines the expectations of mutations applied together, in the order the server checks. */
export function combine(expects: readonly Expectation[]): Expectation {
  if (expects.some((e) => e.kind === 'unknown-operation')) return { kind: 'unknown-operation' }
  if (expects.some((e) => e.kind === 'serialization')) return { kind: 'serialization' }
  const violations = expects.flatMap((e) => (e.kind === 'validation' ? e.violations : []))
  if (violations.length) return { kind: 'validation', violations }
  return expects.some((e) => e.kind === 'client-ok') ? { kind: 'client-ok' } : { kind: 'accepted' }
}

function cloneJson(v: JsonObject): JsonObject {
  return structuredClone(v)
}

export interface BuiltRequest {
  readonly method: string
  readonly target: string
  readonly body: Buffer
}

// ---------------------------------------------------------------------------------------------
// One service's generator.

/**
 * The cases of one service's model. Its methods are bound (`const { buildRequest } = modelCasesFor(ivs)`
 * works); its value pools and mutations are computed once per shape and operation.
 */
export class ModelCases {
  readonly spec: ServiceSpec
  /**
   * The resource ARNs valid inputs are made of (in the caller's account and region, and in another):
   * the service's own resource types first, then the types it names that another endpoint owns.
   * The stateful fuzzer swaps them for ARNs of resources that exist at the time of the call.
   */
  readonly sampleArns: readonly string[]
  readonly #foreignArns: ReadonlySet<string>
  readonly #sampleSet: ReadonlySet<string>
  readonly #pools = new Map<string, string[]>()
  readonly #mutations = new Map<string, Mutation[]>()

  constructor(spec: ServiceSpec) {
    this.spec = spec
    const types = [...spec.resourceTypes]
    const own = types.filter((t) => !ownedElsewhere(spec, t))
    const foreign = types.filter((t) => ownedElsewhere(spec, t))
    const arns = (list: readonly string[]) => [
      ...list.flatMap((type) => IDS.map((id) => `arn:aws:${spec.arnService}:us-west-2:123456789012:${type}/${id}`)),
      ...list.map((type) => `arn:aws:${spec.arnService}:eu-central-1:210987654321:${type}/abcdABCDefgh`),
    ]
    this.#foreignArns = new Set(arns(foreign))
    this.sampleArns = [...arns(own), ...this.#foreignArns]
    this.#sampleSet = new Set(this.sampleArns)
    for (const name of ['stringPool', 'validValue', 'baselineInput', 'place', 'mutationsOf', 'applyMutations', 'systematicCases', 'fuzzCase', 'buildRequest', 'constraintCount'] as const) {
      Object.defineProperty(this, name, { value: this[name].bind(this) })
    }
  }

  /** Whether `value` is one of sampleArns (and so stands for "a resource of that type"). */
  isSampleArn(value: string): boolean {
    return this.#sampleSet.has(value)
  }

  /** The operations of the service, in the model's order. */
  get operationNames(): readonly string[] {
    return this.spec.operationNames
  }

  #stringCandidates(shapeName: string, shape: StringShape): string[] {
    if (shape.enum) return [...shape.enum]
    if (isPublicKeyMaterial(shapeName)) return [ecPublicKey()]
    // A shape that takes an ARN of any type (the tagging API's ResourceArn) gets only the service's
    // own types: with another's, the request would be routed to (and judged by) that service.
    const anyType = fits(shape, `arn:aws:${this.spec.arnService}:us-west-2:123456789012:zz-unknown/abcdABCDefgh`)
    const arns = anyType ? this.sampleArns.filter((a) => !this.#foreignArns.has(a)) : this.sampleArns
    return [...arns, ...FREE_FORM].filter((v) => fits(shape, v))
  }

  /** Valid values of a string shape; throws when the candidates hold none (the generator needs updating). */
  stringPool(shapeName: string): string[] {
    let pool = this.#pools.get(shapeName)
    if (!pool) {
      const shape = this.spec.shapeOf(shapeName) as StringShape
      pool = this.#stringCandidates(shapeName, shape)
      if (pool.length === 0) throw new Error(`no valid sample value for ${this.spec.id} string shape ${shapeName}: add a candidate`)
      // Random fillers from a wide alphabet, kept only when they fit, widen the pool for the fuzzer.
      if (!shape.enum && !isPublicKeyMaterial(shapeName)) {
        const prng = new Prng(shapeName.length * 7919)
        for (let i = 0; i < 40; i++) {
          const alphabet = i % 2 === 0 ? ALNUM : TAG_ALPHABET
          const v = prng.string(alphabet, 1 + prng.int(Math.min(shape.max ?? 64, 64)))
          if (fits(shape, v)) pool.push(v)
        }
      }
      this.#pools.set(shapeName, pool)
    }
    return pool
  }

  /** A value of `shapeName` that satisfies the model; `random` picks members and values with `prng`. */
  validValue(shapeName: string, fill: Fill, prng?: Prng): JsonValue {
    const shape = this.spec.shapeOf(shapeName)
    const rnd = fill === 'random' && prng ? prng : undefined
    switch (shape.type) {
      case 'string': {
        const pool = this.stringPool(shapeName)
        return rnd ? rnd.pick(pool) : pool[0]
      }
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        const min = shape.min ?? 0
        const max = shape.max ?? min + 1000
        return rnd ? min + rnd.int(max - min + 1) : Math.max(min, Math.min(1, max))
      }
      case 'boolean':
        return rnd ? rnd.chance(0.5) : false
      case 'timestamp':
        return '2024-01-02T03:04:05Z'
      case 'list': {
        const min = shape.min ?? 0
        const max = Math.min(shape.max ?? 3, 3)
        const n = rnd ? min + rnd.int(Math.max(1, max - min + 1)) : Math.max(min, 1)
        return Array.from({ length: Math.min(n, shape.max ?? n) }, () => this.validValue(shape.member, fill, prng))
      }
      case 'map': {
        const n = rnd ? rnd.int(4) : 1
        const out: JsonObject = {}
        const keys = this.stringPool(shape.key)
        for (let i = 0; i < n; i++) out[rnd ? rnd.pick(keys) : keys[0]] = this.validValue(shape.value, fill, prng)
        return out
      }
      case 'structure': {
        const out: JsonObject = {}
        if (shape.union) {
          // A union (ivschat's DestinationConfiguration) has exactly one member set, whatever the fill.
          const names = Object.keys(shape.members)
          const name = rnd ? rnd.pick(names) : names[0]
          out[name] = this.validValue(shape.members[name].shape, fill, prng)
          return out
        }
        const required = new Set(shape.required ?? [])
        for (const [name, member] of Object.entries(shape.members)) {
          if (member.location === 'header') continue
          const include = required.has(name) || fill === 'full' || (rnd !== undefined && rnd.chance(0.5))
          if (include) out[name] = this.validValue(member.shape, fill, prng)
        }
        return out
      }
    }
  }

  baselineInput(op: string, fill: Fill, prng?: Prng): JsonObject {
    const inputShape = this.spec.operationOf(op).input
    if (!inputShape) return {}
    const input = this.validValue(inputShape, fill, prng) as JsonObject
    // A query string cannot say "an empty list": `tagKeys=[]` goes out as no tagKeys at all, which a
    // required member must refuse. Keep required query lists non-empty so "valid" means valid on the wire.
    for (const [name, member] of Object.entries(this.spec.structureOf(inputShape).members)) {
      const v = input[name]
      if (member.location === 'querystring' && Array.isArray(v) && v.length === 0) {
        v.push(this.validValue((this.spec.shapeOf(member.shape) as { member: string }).member, 'required'))
      }
    }
    return input
  }

  /** Sets (or deletes) the value at `steps` inside `root`, whose shape is `rootShape`, creating valid parents on the way. */
  place(root: JsonObject, rootShape: string, steps: readonly Step[], value: Placement): void {
    let container: JsonValue = root
    let shapeName = rootShape
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]
      const last = i === steps.length - 1
      const parent = this.spec.shapeOf(shapeName)
      if (last && 'member' in step && parent.type === 'structure' && !parent.members[step.member]) {
        // A member the model does not know: written as is.
        if (!isObject(container)) throw new Error('path runs through a non-object')
        if (value === DELETE) delete container[step.member]
        else container[step.member] = value
        return
      }
      const nextShape = childShape(parent, step)
      if ('member' in step || 'key' in step) {
        if (!isObject(container)) throw new Error('path runs through a non-object')
        // A map-key step writes a new entry whose key is the bad key; its value stays valid.
        const name = 'member' in step ? step.member : step.key
        // Writing under one member of a union chooses that member: the others go.
        if (parent.type === 'structure' && parent.union) for (const other of Object.keys(parent.members)) if (other !== name) delete container[other]
        const entryShape = 'key' in step && parent.type === 'map' ? parent.value : nextShape
        if (last) {
          if (value === DELETE) delete container[name]
          else if ('key' in step && step.part === 'key') container[name] = this.validValue(entryShape, 'required')
          else container[name] = value
          return
        }
        let child: JsonValue | undefined = container[name]
        const wanted = this.spec.shapeOf(entryShape).type
        if (child === undefined || child === null || !matchesKind(child, wanted)) {
          child = this.validValue(entryShape, 'required')
          container[name] = child
        }
        container = child
        shapeName = entryShape
      } else {
        if (!Array.isArray(container)) throw new Error('index step into a non-array')
        while (container.length <= step.index) container.push(this.validValue(nextShape, 'required'))
        if (last) {
          if (value === DELETE) container.splice(step.index, 1)
          else container[step.index] = value
          return
        }
        let child: JsonValue = container[step.index]
        if (child === null || !matchesKind(child, this.spec.shapeOf(nextShape).type)) {
          child = this.validValue(nextShape, 'required')
          container[step.index] = child
        }
        container = child
        shapeName = nextShape
      }
    }
  }

  #mutationsAt(shapeName: string, steps: readonly Step[], ctx: SiteContext, out: Mutation[]): void {
    const shape = this.spec.shapeOf(shapeName)
    const add = (category: Category, what: string, value: Placement, expect: Expectation, at: readonly Step[] = steps) =>
      out.push({ category, label: label(ctx, at, what), steps: at, value, expect })
    const inUri = ctx.location === 'uri'
    const inBody = ctx.location === 'body'

    // Absent and null.
    if (ctx.required) {
      const expect: Expectation = inUri ? { kind: 'unknown-operation' } : violation(steps, phrases.notNull)
      add('missing-required', 'missing', DELETE, expect)
      if (inBody) add('null-required', 'null', null, expect)
    } else if (inBody && steps.length > 0 && 'member' in steps[steps.length - 1]) {
      if (ctx.union) add('null-optional', 'null (the union\'s only member)', null, violation(ctx.union.steps, ctx.union.phrase))
      else add('null-optional', 'null (optional: same as absent)', null, { kind: 'accepted' })
    }

    // The wrong JSON type (only a JSON body has types).
    if (inBody) {
      for (const wrong of wrongTypes[shape.type]) add('wrong-type', `wrong type ${toJsonText(wrong)}`, wrong, { kind: 'serialization' })
    }

    switch (shape.type) {
      case 'string': {
        const valid = this.stringPool(shapeName)[0]
        if (shape.min !== undefined && shape.min > 0) {
          const short = [...valid].slice(0, shape.min - 1).join('')
          add('too-short', `too short (${shape.min - 1})`, short,
            inUri && short === '' ? { kind: 'unknown-operation' } : violation(steps, phrases.minLength(shape.min)))
        }
        if (shape.max !== undefined) {
          add('too-long', `too long (${shape.max + 1})`, padTo(valid, shape.max + 1, 'a'), violation(steps, phrases.maxLength(shape.max)))
          // Only a body can carry 100k characters: a URL that long is refused by HTTP itself (431).
          if (inBody) {
            add('too-long', 'far too long (100000)', padTo(valid, 100_000, 'a'), violation(steps, phrases.maxLength(shape.max)))
          }
        }
        for (const bad of badPatternValues(shape, valid)) {
          add('pattern', `pattern ${JSON.stringify(bad.slice(0, 40))}`, bad, violation(steps, phrases.pattern(shape.pattern!)))
        }
        if (shape.enum) {
          const set = phrases.enumSet(shape.enum)
          for (const bad of ['NOT_AN_ENUM_VALUE', shape.enum[0].toLowerCase(), '', ` ${shape.enum[0]}`, `${shape.enum[0]}\u0000`]) {
            add('enum', `enum ${JSON.stringify(bad)}`, bad, violation(steps, set))
          }
        }
        return
      }
      case 'integer':
      case 'long': {
        if (!inBody) return
        if (shape.min !== undefined) {
          add('range', `below min (${shape.min - 1})`, shape.min - 1, violation(steps, phrases.minValue(shape.min)))
          add('range', 'far below min (-2^31-1)', -2147483649, violation(steps, phrases.minValue(shape.min)))
          if (shape.min > 0) add('big-number', '-0 (= 0)', rawJson('-0'), violation(steps, phrases.minValue(shape.min)))
        }
        if (shape.max !== undefined) {
          add('range', `above max (${shape.max + 1})`, shape.max + 1, violation(steps, phrases.maxValue(shape.max)))
        }
        // 2^53 + 1 parses to 2^53: past any max, or a legal (if huge) value where there is none.
        const huge: Expectation = shape.max !== undefined ? violation(steps, phrases.maxValue(shape.max)) : { kind: 'accepted' }
        add('big-number', '2^53+1', rawJson('9007199254740993'), huge)
        add('big-number', '1e300', rawJson('1e300'), huge)
        add('big-number', '12345678901234567890123', rawJson('12345678901234567890123'), huge)
        add('big-number', 'negative 2^63', rawJson('-9223372036854775808'),
          shape.min !== undefined ? violation(steps, phrases.minValue(shape.min)) : { kind: 'accepted' })
        add('big-number', `${shape.min ?? 1}.0 (integral float)`, rawJson(`${shape.min ?? 1}.0`), { kind: 'client-ok' })
        return
      }
      case 'boolean':
      case 'timestamp':
        return
      case 'list': {
        const items = (n: number) => Array.from({ length: n }, () => this.validValue(shape.member, 'required'))
        if (shape.min !== undefined && shape.min > 0) {
          add('list-size', `${shape.min - 1} items`, items(shape.min - 1), violation(steps, phrases.minLength(shape.min)))
        }
        if (shape.max !== undefined) {
          add('list-size', `${shape.max + 1} items`, items(shape.max + 1), violation(steps, phrases.maxLength(shape.max)))
        }
        const itemSteps = [...steps, { index: 0 }]
        if (inBody) add('null-item', 'null item', null, violation(itemSteps, phrases.notNull), itemSteps)
        this.#mutationsAt(shape.member, itemSteps, { ...ctx, required: false, union: undefined }, out)
        return
      }
      case 'map': {
        const validKey = this.stringPool(shape.key)[0]
        const entries = (n: number) => {
          const m: JsonObject = {}
          for (let i = 0; i < n; i++) m[`${validKey}${i}`] = this.validValue(shape.value, 'required')
          return m
        }
        if (shape.min !== undefined && shape.min > 0) {
          add('map-size', `${shape.min - 1} entries`, entries(shape.min - 1), violation(steps, phrases.minLength(shape.min)))
        }
        if (shape.max !== undefined) {
          add('map-size', `${shape.max + 1} entries`, entries(shape.max + 1), violation(steps, phrases.maxLength(shape.max)))
        }
        const keyShape = this.spec.shapeOf(shape.key) as StringShape
        const badKeys: [string, string][] = []
        if (keyShape.min !== undefined && keyShape.min > 0) badKeys.push(['', phrases.minLength(keyShape.min)])
        if (keyShape.max !== undefined) badKeys.push([padTo(validKey, keyShape.max + 1, 'k'), phrases.maxLength(keyShape.max)])
        for (const bad of badPatternValues(keyShape, validKey)) badKeys.push([bad, phrases.pattern(keyShape.pattern!)])
        for (const [bad, phrase] of badKeys) {
          const keySteps = [...steps, { key: bad, part: 'key' as const }]
          add('map-key', `key ${JSON.stringify(bad.slice(0, 40))}`, 0, violation(keySteps, phrase), keySteps)
        }
        const valueSteps = [...steps, { key: validKey, part: 'value' as const }]
        add('null-item', 'null map value', null, violation(valueSteps, phrases.notNull), valueSteps)
        this.#mutationsAt(shape.value, valueSteps, { ...ctx, required: false, union: undefined }, out)
        return
      }
      case 'structure': {
        if (inBody) {
          const unknown = [...steps, { member: `unknownMember${steps.length}` }]
          out.push({
            category: 'unknown-member', label: label(ctx, unknown, 'unknown member'), steps: unknown,
            value: { nested: [1, 'two', { three: null }] }, expect: { kind: 'accepted' },
          })
        }
        const names = Object.keys(shape.members)
        const union = shape.union && steps.length > 0 ? { steps, phrase: phrases.union(names) } : undefined
        if (union && inBody) {
          // None set, and two set: both refused with the union's own sentence.
          add('union', 'no member set', {}, violation(steps, union.phrase))
          const two: JsonObject = {}
          for (const name of names.slice(0, 2)) two[name] = this.validValue(shape.members[name].shape, 'required')
          if (names.length > 1) add('union', `two members set (${names.slice(0, 2).join(', ')})`, two, violation(steps, union.phrase))
        }
        const required = new Set(shape.required ?? [])
        for (const [name, member] of Object.entries(shape.members)) {
          if (member.location === 'header') continue
          const location = member.location === 'uri' ? 'uri' : member.location === 'querystring' ? 'querystring' : 'body'
          this.#mutationsAt(member.shape, [...steps, { member: name }], { op: ctx.op, location: steps.length === 0 ? location : 'body', required: required.has(name), union }, out)
        }
        return
      }
    }
  }

  /** Every single-constraint mutation of an operation's input. */
  mutationsOf(op: string): Mutation[] {
    let list = this.#mutations.get(op)
    if (!list) {
      list = []
      const inputShape = this.spec.operationOf(op).input
      if (inputShape) this.#mutationsAt(inputShape, [], { op, location: 'body', required: false }, list)
      this.#mutations.set(op, list)
    }
    return list
  }

  applyMutations(op: string, base: JsonObject, mutations: readonly Mutation[]): ModelCase {
    const input = cloneJson(base)
    const inputShape = this.spec.operationOf(op).input!
    for (const m of mutations) this.place(input, inputShape, m.steps, m.value)
    return {
      service: this.spec.id, op, input, categories: mutations.map((m) => m.category),
      label: mutations.map((m) => m.label).join(' + '),
      expect: combine(mutations.map((m) => m.expect)),
    }
  }

  /** Every operation: its valid inputs, then each mutation on its own over the required-only input. */
  systematicCases(): ModelCase[] {
    const out: ModelCase[] = []
    const service = this.spec.id
    for (const op of this.operationNames) {
      const required = this.baselineInput(op, 'required')
      out.push({ service, op, categories: ['valid'], label: `${op}: required members only`, input: required, expect: { kind: 'accepted' } })
      out.push({ service, op, categories: ['valid'], label: `${op}: every member`, input: this.baselineInput(op, 'full'), expect: { kind: 'accepted' } })
      for (const m of this.mutationsOf(op).filter(isPlaceable)) out.push(this.applyMutations(op, required, [m]))
    }
    return out
  }

  /** One random case: a random valid input with 0–3 non-overlapping mutations (`validShare` stay valid). */
  fuzzCase(prng: Prng, validShare = 0.2): ModelCase {
    const op = prng.pick(this.operationNames)
    const base = this.baselineInput(op, 'random', prng)
    const all = this.mutationsOf(op).filter(isPlaceable)
    const chosen: Mutation[] = []
    const want = prng.chance(validShare) || all.length === 0 ? 0 : 1 + prng.int(3)
    for (let tries = 0; chosen.length < want && tries < 10; tries++) {
      const m = prng.pick(all)
      if (!chosen.some((c) => overlaps(c.steps, m.steps) || this.#otherUnionMembers(op, c.steps, m.steps))) chosen.push(m)
    }
    if (chosen.length === 0) return { service: this.spec.id, op, categories: ['valid'], label: `${op}: random valid input`, input: base, expect: { kind: 'accepted' } }
    return this.applyMutations(op, base, chosen)
  }

  /** True when two paths part at two members of one union: placing one removes the other. */
  #otherUnionMembers(op: string, a: readonly Step[], b: readonly Step[]): boolean {
    let shapeName = this.spec.operationOf(op).input
    for (let i = 0; shapeName !== undefined && i < Math.min(a.length, b.length); i++) {
      const shape = this.spec.shapeOf(shapeName)
      const [x, y] = [a[i], b[i]]
      if ('member' in x && 'member' in y && x.member !== y.member) return shape.type === 'structure' && shape.union === true
      if (!('member' in x) || shape.type !== 'structure' || !shape.members[x.member]) return false
      shapeName = shape.members[x.member].shape
    }
    return false
  }

  /** Puts an input on the wire the way the model binds it: path labels, query string, JSON body. */
  buildRequest(op: string, input: JsonObject): BuiltRequest {
    const operation = this.spec.operationOf(op)
    const members = operation.input ? this.spec.structureOf(operation.input).members : {}
    let path = operation.uri
    const query: string[] = []
    const body: JsonObject = {}
    for (const [name, value] of Object.entries(input)) {
      const member = members[name]
      if (member?.location === 'uri') {
        const text = typeof value === 'string' ? value : value === null ? '' : toJsonText(value)
        path = path.replace(`{${member.locationName ?? name}}`, rfc3986(text))
      } else if (member?.location === 'querystring') {
        const wire = member.locationName ?? name
        const values = Array.isArray(value) ? value : value === null ? [] : [value]
        for (const v of values) if (v !== null) query.push(`${rfc3986(wire)}=${rfc3986(typeof v === 'string' ? v : toJsonText(v))}`)
      } else {
        body[name] = value
      }
    }
    path = path.replace(/\{[^}]+\}/g, '')
    const hasBody = Object.keys(body).length > 0 || operation.method === 'POST'
    return {
      method: operation.method,
      target: query.length ? `${path}?${query.join('&')}` : path,
      body: hasBody ? Buffer.from(toJsonText(body)) : Buffer.alloc(0),
    }
  }

  /** How many constraints the model states on input shapes (for the report). */
  constraintCount(): { shapes: number; constraints: number } {
    let constraints = 0
    const seen = new Set<string>()
    const visit = (name: string) => {
      if (seen.has(name)) return
      seen.add(name)
      const s = this.spec.shapeOf(name)
      if (s.type === 'string') constraints += (s.min ? 1 : 0) + (s.max !== undefined ? 1 : 0) + (s.pattern ? 1 : 0) + (s.enum ? 1 : 0)
      if (s.type === 'integer' || s.type === 'long') constraints += (s.min !== undefined ? 1 : 0) + (s.max !== undefined ? 1 : 0)
      if (s.type === 'list') {
        constraints += (s.min ? 1 : 0) + (s.max !== undefined ? 1 : 0)
        visit(s.member)
      }
      if (s.type === 'map') {
        constraints += (s.min ? 1 : 0) + (s.max !== undefined ? 1 : 0)
        visit(s.key)
        visit(s.value)
      }
      if (s.type === 'structure') {
        constraints += s.required?.length ?? 0
        for (const m of Object.values(s.members)) visit(m.shape)
      }
    }
    for (const op of Object.values(this.spec.model.operations)) if (op.input) visit(op.input)
    return { shapes: seen.size, constraints }
  }
}

const generators = new Map<ServiceId, ModelCases>()
/** The generator of one service's cases (one per service, so its caches are shared). */
export function modelCasesFor(spec: ServiceSpec): ModelCases {
  let cases = generators.get(spec.id)
  if (!cases) generators.set(spec.id, (cases = new ModelCases(spec)))
  return cases
}
