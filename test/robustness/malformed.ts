// Category 1b: bodies that are not the JSON the model describes, on every route — empty, truncated,
// invalid UTF-8, NUL bytes, deep nesting, duplicate keys, numbers past 2^53, other JSON roots, odd
// content types — plus methods and paths next to the real ones. Each must get a 4xx with the AWS
// error shape (or the answer a well-formed request gets), never a 5xx.
import type { OperationName } from '../../src/model/ivs/types.js'
import { ivs } from '../../src/model/services.js'
import type { JsonObject } from '../../src/protocol/deserialize.js'
import { basicProblem, judge, readError, type Answer } from './check.js'
import type { WireCase } from './cases.js'
import type { Budget } from './harness.js'
import { modelCasesFor, type Expectation } from './model-cases.js'

const { operationNames, operationOf, shapeOf, structureOf } = ivs
const { baselineInput, buildRequest } = modelCasesFor(ivs)

/** What an empty (or `{}`) body must get: every required body member reported missing. */
function emptyBodyExpectation(op: OperationName): Expectation {
  const input = operationOf(op).input
  if (!input) return { kind: 'accepted' }
  const shape = structureOf(input)
  const missing = (shape.required ?? []).filter((name) => !shape.members[name].location)
  return missing.length
    ? { kind: 'validation', violations: missing.map((path) => ({ path, phrase: 'Member must not be null' })) }
    : { kind: 'accepted' }
}

/** The target (labels and query) of an op's required-only input, with body members left out. */
function targetOf(op: OperationName): { method: string; target: string; full: JsonObject } {
  const required = baselineInput(op, 'required')
  const full = baselineInput(op, 'full')
  const req = buildRequest(op, required)
  return { method: req.method, target: req.target, full }
}

function bodyText(op: OperationName, input: JsonObject): string {
  return buildRequest(op, input).body.toString('utf8') || '{}'
}

const expectSerialization: Expectation = { kind: 'serialization' }
const clientOk: Expectation = { kind: 'client-ok' }

function nested(depth: number, leaf = '1'): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth)
}
function nestedObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

/** The first body member of `op` whose shape is `type`, if any. */
function bodyMemberOfType(op: OperationName, types: readonly string[]): string | undefined {
  const input = operationOf(op).input
  if (!input) return undefined
  for (const [name, member] of Object.entries(structureOf(input).members)) {
    if (!member.location && types.includes(shapeOf(member.shape).type)) return name
  }
  return undefined
}

function caseMaker(op: OperationName, method: string, target: string) {
  return (category: string, what: string, body: Buffer | string, expect: Expectation, headers?: Record<string, string>): WireCase => ({
    category: `malformed/${category}`, label: `${op} ${method} ${target.slice(0, 60)}: ${what}`, method, target,
    body: typeof body === 'string' ? Buffer.from(body) : body, headers, judge: (a) => judge(a, expect),
  })
}

export function* malformedCases(budget: Budget): Generator<WireCase> {
  // Empty bodies on every route, sample or not: they mean {} (botocore sends none on GET/DELETE).
  for (const op of operationNames) {
    const { method, target } = targetOf(op)
    const c = caseMaker(op, method, target)
    const empty = emptyBodyExpectation(op)
    yield c('empty-body', 'empty body', '', empty)
    yield c('empty-body', '{}', '{}', empty)
    yield c('empty-body', 'whitespace only', ' \r\n\t ', empty)
  }

  const ops = budget.everyRoute ? operationNames : (['CreateChannel', 'GetChannel', 'TagResource', 'UntagResource', 'ListTagsForResource', 'BatchStartViewerSessionRevocation'] as OperationName[])
  for (const op of ops) {
    const { method, target, full } = targetOf(op)
    const empty = emptyBodyExpectation(op)
    const fullText = bodyText(op, full)
    const c = caseMaker(op, method, target)

    // Not an object at the root.
    for (const root of ['null', '[]', '"text"', '0', 'true', '[{}]', '""']) yield c('json-root', root, root, expectSerialization)

    // Truncated JSON at several points of a full, valid body.
    const cuts = new Set([1, 2, Math.floor(fullText.length / 3), Math.floor(fullText.length / 2), fullText.length - 1])
    for (const cut of cuts) {
      const text = fullText.slice(0, cut)
      if (cut <= 0 || cut >= fullText.length || text.trim() === '' || isJson(text)) continue
      yield c('truncated', `truncated at ${cut}/${fullText.length}`, text, expectSerialization)
    }
    yield c('truncated', 'trailing garbage', `${fullText}}`, expectSerialization)
    yield c('truncated', 'two documents', `${fullText}${fullText}`, expectSerialization)
    yield c('truncated', 'trailing comma', fullText.replace(/}$/, ',}'), expectSerialization)
    yield c('truncated', 'single quotes', `{'a': 1}`, expectSerialization)
    yield c('truncated', 'JS comment', `{/* c */}`, expectSerialization)
    yield c('truncated', 'NaN', `{"maxResults": NaN}`, expectSerialization)

    // Invalid UTF-8, inside a string and between tokens.
    const utf8Bad: [string, number[]][] = [
      ['0xff byte', [0xff]], ['overlong /', [0xc0, 0xaf]], ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['cut multibyte', [0xe6, 0x97]], ['0xfe 0xfe', [0xfe, 0xfe]], ['5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ]
    for (const [what, bytes] of utf8Bad) {
      yield c('invalid-utf8', `${what} in a string`, Buffer.concat([Buffer.from('{"x":"a'), Buffer.from(bytes), Buffer.from('"}')]), expectSerialization)
      yield c('invalid-utf8', `${what} at the end`, Buffer.concat([Buffer.from(fullText), Buffer.from(bytes)]), expectSerialization)
    }
    // A BOM is not JSON, but a decoder may strip it: either answer is fine, a 5xx is not.
    yield c('invalid-utf8', 'UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fullText)]), clientOk)
    yield c('invalid-utf8', 'UTF-16LE body', Buffer.from(fullText, 'utf16le'), expectSerialization)

    // NUL bytes: raw (never valid JSON) and escaped (valid JSON; a value the model then judges).
    yield c('nul-bytes', 'raw NUL inside a string', Buffer.from('{"x":"a\u0000b"}'), expectSerialization)
    yield c('nul-bytes', 'raw NUL between tokens', Buffer.from(`{\u0000}`), expectSerialization)
    yield c('nul-bytes', 'NUL after the document', Buffer.concat([Buffer.from(fullText), Buffer.from([0])]), expectSerialization)
    yield c('nul-bytes', 'all NUL', Buffer.alloc(64), expectSerialization)
    yield c('nul-bytes', 'escaped NUL in an unknown member', '{"unknown":"a\\u0000b"}', empty)
    const stringMember = bodyMemberOfType(op, ['string'])
    if (stringMember) yield c('nul-bytes', `escaped NUL in ${stringMember}`, `{"${stringMember}":"\\u0000"}`, clientOk)

    // Deep nesting: ignored in unknown members, a type error in known ones; never a stack overflow.
    for (const depth of [100, 1000, 100_000]) {
      yield c('nesting', `${depth}-level array in an unknown member`, `{"unknown":${nested(depth)}}`, empty)
      yield c('nesting', `${depth}-level object in an unknown member`, `{"unknown":${nestedObject(depth)}}`, empty)
      yield c('nesting', `${depth}-level array at the root`, nested(depth, '{}'), expectSerialization)
      const known = bodyMemberOfType(op, ['string', 'list', 'map', 'structure', 'integer', 'long', 'boolean'])
      if (known) {
        const t = shapeOf(structureOf(operationOf(op).input!).members[known].shape).type
        // Deep arrays in a list member, deep objects in a structure member: the walk must not recurse forever.
        const value = t === 'list' ? nested(depth, '"x"') : t === 'structure' || t === 'map' ? nestedObject(depth) : nested(depth)
        yield c('nesting', `${depth}-level value in ${known} (${t})`, `{"${known}":${value}}`, t === 'structure' ? clientOk : expectSerialization)
      }
    }

    // Duplicate keys: the last one wins (JSON.parse, and Jackson's default).
    const dupMember = bodyMemberOfType(op, ['string', 'integer', 'long', 'boolean', 'list', 'map', 'structure'])
    if (dupMember) {
      const valid = JSON.stringify(full[dupMember] ?? null)
      yield c('duplicate-keys', `${dupMember} twice, wrong type last`, `{"${dupMember}":${valid},"${dupMember}":{"not":["this"]}}`,
        shapeOf(structureOf(operationOf(op).input!).members[dupMember].shape).type === 'structure' ? clientOk : expectSerialization)
      yield c('duplicate-keys', `${dupMember} twice, valid last`, `{"${dupMember}":{"not":["this"]},"${dupMember}":${valid}}`, clientOk)
      yield c('duplicate-keys', 'the same unknown key 1000 times', `{${Array.from({ length: 1000 }, (_, i) => `"k":${i}`).join(',')}}`, empty)
    }

    // Numbers past what a double holds exactly, in unknown members (ignored) and at the root.
    for (const n of ['9007199254740993', '1e400', '-1e400', '123456789012345678901234567890', '0.1e-400', '-0']) {
      yield c('big-numbers', `${n} in an unknown member`, `{"unknown":${n}}`, empty)
    }
    const intMember = bodyMemberOfType(op, ['integer', 'long'])
    if (intMember) {
      yield c('big-numbers', `1e400 in ${intMember}`, `{"${intMember}":1e400}`, expectSerialization)
      yield c('big-numbers', `2^53+1 in ${intMember}`, `{"${intMember}":9007199254740993}`, clientOk)
    }

    // Content types the server has no reason to care about.
    for (const ct of ['text/plain', 'application/x-amz-json-1.1', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1']) {
      yield c('content-type', `content-type ${JSON.stringify(ct)}`, fullText, clientOk, { 'content-type': ct })
    }
  }

  // Methods and paths next to the real ones (every route in the full suite).
  for (const op of ops) {
    const { method, target } = targetOf(op)
    const [path, query = ''] = target.split('?')
    const routing = (what: string, m: string, t: string, check: (a: Answer) => string | undefined): WireCase => ({
      category: 'malformed/routing', label: `${op}: ${what} (${m} ${t.slice(0, 80)})`, method: m, target: t,
      body: Buffer.from(m === 'GET' || m === 'DELETE' || m === 'HEAD' ? '' : '{}'), judge: check,
    })
    for (const other of ['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'OPTIONS']) {
      if (other === method || (path.startsWith('/tags/') && ['GET', 'POST', 'DELETE'].includes(other))) continue
      yield routing(`method ${other}`, other, target, expectError(405, 'MethodNotAllowedException'))
    }
    yield routing('HEAD', 'HEAD', target, (a) => (a.status === 405 || a.status === 404 ? undefined : `HEAD answered ${a.status}`))
    yield routing('trailing slash', method, `${path}/${query ? `?${query}` : ''}`, expectError(404, 'UnknownOperationException'))
    // Lower-casing an encoded ARN label would still route; change the operation part only.
    const lowered = path.startsWith('/tags/') ? path.replace('/tags/', '/Tags/') : path.toLowerCase()
    yield routing('other case', method, `${lowered}${query ? `?${query}` : ''}`, expectError(404, 'UnknownOperationException'))
    yield routing('double slash', method, `/${target}`, expectError(404, 'UnknownOperationException'))
    yield routing('unknown query parameter', method, `${target}${query ? '&' : '?'}unknownParam=1`, (a) => judge(a, { kind: 'client-ok' }))
    yield routing('prototype-named query parameter', method, `${target}${query ? '&' : '?'}__proto__=x&constructor=y`, (a) => judge(a, { kind: 'client-ok' }))
    yield routing('bad percent-encoding in the query', method, `${target}${query ? '&' : '?'}x=%zz`, (a) => judge(a, { kind: 'client-ok' }))
  }
  for (const [what, m, t] of [
    ['root', 'POST', '/'], ['unknown operation', 'POST', '/DoSomething'], ['tags without ARN', 'GET', '/tags/'],
    ['tags with two segments', 'GET', '/tags/a/b'], ['bad percent-encoding in a label', 'GET', '/tags/%ZZ'],
    ['dot segments', 'POST', '/../CreateChannel'], ['encoded slash', 'POST', '/Create%2FChannel'], ['NUL in path', 'POST', '/Create%00Channel'],
    ['control prefix without route', 'GET', '/_mock/'], ['asterisk', 'OPTIONS', '*'],
  ] as const) {
    yield {
      category: 'malformed/routing', label: what, method: m, target: t, body: Buffer.from(m === 'POST' ? '{}' : ''),
      judge: (a) => (t.startsWith('/_mock/') ? controlProblem(a) : basicProblem(a)) ?? (a.status >= 400 && a.status < 500 ? undefined : `expected a 4xx, got ${a.status}`),
    }
  }
}

function expectError(status: number, type: string): (a: Answer) => string | undefined {
  return (a) => {
    const basic = basicProblem(a)
    if (basic) return basic
    const err = readError(a)
    if (a.status !== status || typeof err === 'string' || err.type !== type) {
      return `expected ${status} ${type}, got ${a.status} ${typeof err === 'string' ? err : err.type}`
    }
    return undefined
  }
}

/** The /_mock/ API is not AWS: its refusals are JSON with a message, and never a 5xx. */
export function controlProblem(a: Answer): string | undefined {
  if (a.status >= 500) return `control API answered ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`
  try {
    const body = JSON.parse(a.body.toString('utf8')) as { message?: unknown }
    if (a.status >= 400 && typeof body.message !== 'string') return `control API refusal without a message: ${a.body.toString('utf8').slice(0, 200)}`
  } catch {
    return `control API answered ${a.status} with a body that is not JSON`
  }
  return undefined
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * The /_mock/ control API takes unsigned JSON from tests: wrong types, odd shapes and odd query
 * values must be a 4xx with a message, never a 5xx (it shares the process with the IVS endpoint).
 */
export function* controlCases(): Generator<WireCase> {
  const arn = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh'
  const bodies = [
    '', '{', '[]', 'null', '"x"', '{"__proto__":{"x":1}}', '{"constructor":"x"}', `{"unknown":${nested(1000)}}`,
    '{"accountId":{}}', '{"accountId":"12345678901x"}', '{"accountId":123456789012}',
    '{"channelArn":5}', '{"channelArn":{}}', '{"channelArn":""}', '{"channelArn":"arn:aws:ivs:us-west-2:123456789012:stream-key/x"}',
    `{"channelArn":"${arn}"}`, `{"channelArn":"${arn}","streamKey":"sk_x"}`, '{"streamKey":[]}', '{"streamKey":"sk_"}', '{"streamKey":"not-a-key"}',
    `{"channelArn":"${arn}","accountId":"210987654321"}`, `{"channelArn":"${arn}","region":{}}`,
    `{"channelArn":"${arn}","ingestConfiguration":"x"}`, `{"channelArn":"${arn}","ingestConfiguration":{"video":[]}}`,
    `{"channelArn":"${arn}","ingestConfiguration":{"video":{"targetBitrate":1e400}}}`, `{"channelArn":"${arn}","ingestConfiguration":{"video":{"targetBitrate":-1}}}`,
    `{"channelArn":"${arn}","ingestConfiguration":{"audio":{"codec":5,"__proto__":1}}}`, `{"channelArn":"${arn}","health":"SICK"}`, `{"channelArn":"${arn}","health":null}`,
    `{"channelArn":"${'a'.repeat(100_000)}"}`,
  ]
  const routes: [string, string][] = [['POST', 'reset'], ['POST', 'streams/start'], ['POST', 'streams/stop'], ['POST', 'streams/health'], ['GET', 'health'], ['GET', 'events'],
    ['POST', 'streams/takeover'], ['POST', 'faults'], ['GET', 'faults'], ['DELETE', 'faults'], ['POST', 'cassette'], ['GET', 'cassette']]
  for (const [method, route] of routes) {
    for (const body of bodies) {
      yield {
        category: 'malformed/control-api', label: `${method} /_mock/${route} ${body.slice(0, 80)}`, method, target: `/_mock/${route}`,
        body: Buffer.from(body), judge: controlProblem,
      }
    }
  }
  for (const q of ['since=', 'since=__proto__', 'since=constructor', 'since=%zz', 'since=1&since=2', '__proto__=1', 'toString', `since=${'9'.repeat(400)}`]) {
    yield { category: 'malformed/control-api', label: `GET /_mock/events?${q.slice(0, 60)}`, method: 'GET', target: `/_mock/events?${q}`, body: Buffer.alloc(0), judge: controlProblem }
  }
  for (const [method, path] of [['PUT', 'reset'], ['DELETE', 'health'], ['POST', 'nothing'], ['GET', 'streams/'], ['POST', '../reset'], ['POST', 'reset/']]) {
    yield { category: 'malformed/control-api', label: `${method} /_mock/${path}`, method, target: `/_mock/${path}`, body: Buffer.from('{}'), judge: controlProblem }
  }
}
