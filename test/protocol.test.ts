// Unit tests of the generic REST-JSON layer (src/protocol/) and the model layer it takes
// (src/model/), over all three service models: routing by service, parsing, validation and
// serialization. The HTTP-through-the-SDK tests cover the same code as users drive it; these pin
// what the SDK tests cannot reach yet (ivschat and ivs-realtime are modeled but not served). Also
// the guard against model drift: the installed @aws-sdk/client-ivs must know nothing the
// generated ivs model lacks.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import ts from 'typescript'
import { loadConfig } from '../src/config/load-config.js'
import { Dispatcher } from '../src/dispatch/dispatcher.js'
import { Logger } from '../src/log/logger.js'
import { ivs, ivsRealtime, ivschat } from '../src/model/services.js'
import { AwsError } from '../src/protocol/aws-error.js'
import { deserializeInput, type HttpBindings, type JsonObject } from '../src/protocol/deserialize.js'
import { modeledError } from '../src/protocol/modeled-error.js'
import { Router } from '../src/protocol/router.js'
import { scopeServiceOf, ServiceRouter } from '../src/protocol/service-router.js'
import { serializeError, serializeOutput } from '../src/protocol/serialize.js'
import { validateInput } from '../src/protocol/validate.js'
import { createIvsServer } from '../src/app/server.js'
import { Simulator } from '../src/simulator/simulator.js'
import { signedRequest } from './helpers/signed-request.js'

const ACCOUNT = '123456789012'
const arn = (service: string, type: string, id = 'abcdABCD1234') => `arn:aws:${service}:us-west-2:${ACCOUNT}:${type}/${id}`
const tagsPath = (resourceArn: string) => `/tags/${encodeURIComponent(resourceArn)}`

function thrown(fn: () => unknown): AwsError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AwsError) return err
    throw err
  }
  throw new Error('expected an AwsError')
}

function bindings(body: JsonObject, more: Partial<HttpBindings> = {}): HttpBindings {
  return { labels: {}, query: {}, headers: {}, body, ...more }
}

t.test('model layer: three services, their signing names, endpoints and ARN resource types', async (t) => {
  t.equal(ivs.operationNames.length, 41, 'ivs from botocore 1.43.107: 41 operations')
  t.ok(ivs.hasOperation('UpdateAdConfiguration'))
  t.equal(ivschat.operationNames.length, 17)
  t.equal(ivsRealtime.operationNames.length, 39)
  t.same([ivs, ivschat, ivsRealtime].map((s) => [s.model.signingName, s.model.endpointPrefix, s.arnService]),
    [['ivs', 'ivs', 'ivs'], ['ivschat', 'ivschat', 'ivschat'], ['ivs', 'ivsrealtime', 'ivs']])
  t.same([...ivs.resourceTypes].sort(), ['ad-configuration', 'channel', 'playback-key', 'playback-restriction-policy', 'recording-configuration', 'stream-key'])
  t.same([...ivschat.resourceTypes].sort(), ['logging-configuration', 'room'])
  for (const type of ['stage', 'composition', 'encoder-configuration', 'storage-configuration', 'public-key', 'ingest-configuration']) {
    t.ok(ivsRealtime.resourceTypes.has(type), `realtime names ${type}`)
  }
  // The corrected ResourceArn pattern accepts real ARNs in all three (the models' own refuses them).
  for (const [spec, service, type] of [[ivs, 'ivs', 'channel'], [ivschat, 'ivschat', 'room'], [ivsRealtime, 'ivs', 'stage']] as const) {
    const input = deserializeInput(spec, 'ListTagsForResourceRequest', bindings({}, { labels: { resourceArn: arn(service, type) } }))
    t.equal(validateInput(spec, 'ListTagsForResourceRequest', input), undefined, `${spec.id} accepts a ${type} ARN`)
  }
})

t.test('router: exact paths, labels decoded once, 404 and 405 in the AWS shape', async (t) => {
  const router = new Router(ivs)
  t.same(router.route('POST', '/CreateChannel'), { operation: 'CreateChannel', labels: {} })
  const channel = arn('ivs', 'channel')
  t.same(router.route('GET', tagsPath(channel)), { operation: 'ListTagsForResource', labels: { resourceArn: channel } })
  t.equal(router.route('DELETE', tagsPath(channel)).operation, 'UntagResource')
  t.match(thrown(() => router.route('POST', '/CreateStage')), { code: 'UnknownOperationException', status: 404 })
  t.match(thrown(() => router.route('POST', '/tags/')), { code: 'UnknownOperationException', status: 404 }, 'an empty label binds nothing')
  const wrongMethod = thrown(() => router.route('GET', '/CreateChannel'))
  t.match(wrongMethod, { code: 'MethodNotAllowedException', status: 405, headers: { Allow: 'POST' } })
  t.equal(thrown(() => router.route('PUT', tagsPath(channel))).headers.Allow, 'GET, POST, DELETE')
  t.equal(new Router(ivsRealtime).route('POST', '/CreateStage').operation, 'CreateStage')
})

t.test('service router: signing name, host, path, and the ARN on the shared tags path', async (t) => {
  const all = new ServiceRouter([ivs, ivschat, ivsRealtime])
  const to = (request: Parameters<ServiceRouter['route']>[0]) => {
    const { spec, route } = all.route(request)
    return `${spec.id} ${route.operation}`
  }
  t.equal(to({ method: 'POST', path: '/CreateChannel', signingName: 'ivs' }), 'ivs CreateChannel')
  t.equal(to({ method: 'POST', path: '/CreateStage', signingName: 'ivs' }), 'ivs-realtime CreateStage', 'signed ivs, a realtime path')
  t.equal(to({ method: 'POST', path: '/CreateRoom', signingName: 'ivschat' }), 'ivschat CreateRoom')
  t.equal(to({ method: 'POST', path: '/CreateRoom' }), 'ivschat CreateRoom', 'unsigned (auth off): the path alone')
  // The shared path: the ARN's service, then its resource type.
  t.equal(to({ method: 'GET', path: tagsPath(arn('ivs', 'channel')), signingName: 'ivs' }), 'ivs ListTagsForResource')
  t.equal(to({ method: 'GET', path: tagsPath(arn('ivs', 'stage')), signingName: 'ivs' }), 'ivs-realtime ListTagsForResource')
  t.equal(to({ method: 'POST', path: tagsPath(arn('ivs', 'composition')), signingName: 'ivs' }), 'ivs-realtime TagResource')
  t.equal(to({ method: 'POST', path: tagsPath(arn('ivs', 'ad-configuration')), signingName: 'ivs' }), 'ivs TagResource')
  t.equal(to({ method: 'DELETE', path: tagsPath(arn('ivschat', 'room')) }), 'ivschat UntagResource', 'unsigned: the ARN names chat')
  t.equal(to({ method: 'GET', path: tagsPath(arn('ivs', 'no-such-type')), signingName: 'ivs' }), 'ivs ListTagsForResource', 'unknown type: ivs validates it')
  t.equal(to({ method: 'GET', path: '/tags/not-an-arn', signingName: 'ivs' }), 'ivs ListTagsForResource')
  // The host, where it names an AWS endpoint.
  t.equal(to({ method: 'GET', path: tagsPath(arn('ivs', 'channel')), host: 'ivsrealtime.us-west-2.amazonaws.com', signingName: 'ivs' }),
    'ivs-realtime ListTagsForResource', 'the realtime endpoint answers for realtime')
  t.equal(to({ method: 'POST', path: '/CreateChannel', host: '127.0.0.1:4599', signingName: 'ivs' }), 'ivs CreateChannel')
  // A chat path signed for ivs: ivs's 404, not chat's operation.
  t.match(thrown(() => all.route({ method: 'POST', path: '/CreateRoom', signingName: 'ivs' })), { code: 'UnknownOperationException', status: 404 })
  t.match(thrown(() => all.route({ method: 'GET', path: '/CreateStage', signingName: 'ivs' })), { code: 'MethodNotAllowedException' })

  t.equal(all.signingNameFor('ivschat'), 'ivschat')
  t.equal(all.signingNameFor('s3'), 'ivs', 'an unknown scope is verified as ivs (and refused there)')
  const ivsOnly = new ServiceRouter([ivs])
  t.equal(ivsOnly.signingNameFor('ivschat'), 'ivs', 'chat is not served: verified as ivs, as before')
  t.match(thrown(() => ivsOnly.route({ method: 'POST', path: '/CreateStage', signingName: 'ivs' })), { status: 404 })
  t.equal(ivsOnly.route({ method: 'GET', path: tagsPath(arn('ivschat', 'room')) }).spec.id, 'ivs')

  t.equal(scopeServiceOf('AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/ivschat/aws4_request, SignedHeaders=host, Signature=00', ''), 'ivschat')
  t.equal(scopeServiceOf(undefined, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-west-2%2Fivs%2Faws4_request'), 'ivs')
  t.equal(scopeServiceOf('Bearer x', ''), undefined)
  t.equal(scopeServiceOf('AWS4-HMAC-SHA256 Credential=AKID/20260101/ivs', ''), undefined, 'a short scope names nothing')
})

t.test('deserialize: bindings from labels, query and body; JSON types; unknown and null members dropped', async (t) => {
  const resourceArn = arn('ivs', 'channel')
  const untag = deserializeInput(ivs, 'UntagResourceRequest', bindings({}, { labels: { resourceArn }, query: { tagKeys: ['a', 'b'] } }))
  t.same(untag, { resourceArn, tagKeys: ['a', 'b'] }, 'a list bound to the query keeps every value')
  const created = deserializeInput(ivs, 'CreateChannelRequest', bindings({ name: 'x', latencyMode: null, nope: 1, tags: { k: 'v' } }))
  t.same(created, { name: 'x', tags: { k: 'v' } })
  t.match(thrown(() => deserializeInput(ivs, 'CreateChannelRequest', bindings({ name: 5 }))),
    { code: 'SerializationException', status: 400, message: "Unexpected value type at 'name': expected string, got number" })
  t.match(thrown(() => deserializeInput(ivs, 'CreateChannelRequest', bindings({ insecureIngest: 'true' }))), { code: 'SerializationException' })
  // float shapes (realtime's Framerate) take fractions; integer shapes do not.
  const video = { width: 1280, height: 720, framerate: 29.97, bitrate: 2_500_000 }
  t.same(deserializeInput(ivsRealtime, 'CreateEncoderConfigurationRequest', bindings({ video })), { video })
  t.match(thrown(() => deserializeInput(ivsRealtime, 'CreateEncoderConfigurationRequest', bindings({ video: { ...video, width: 1280.5 } }))),
    { code: 'SerializationException', message: /'video.width': expected integer/ })
  t.match(thrown(() => deserializeInput(ivsRealtime, 'CreateEncoderConfigurationRequest', bindings({ video: { framerate: '30' } }))),
    { code: 'SerializationException', message: /'video.framerate': expected number/ })
})

t.test('validate: every constraint, the Coral message, unions, and each service\'s error members', async (t) => {
  const invalid = validateInput(ivs, 'CreateChannelRequest', { name: 'bad name!', latencyMode: 'FAST' })
  t.match(invalid, {
    code: 'ValidationException', status: 400,
    message: "2 validation errors detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]*; " +
      "Value 'FAST' at 'latencyMode' failed to satisfy constraint: Member must satisfy enum value set: [NORMAL, LOW]",
    fields: {},
  })
  t.equal(validateInput(ivs, 'CreateChannelRequest', { name: 'ok' }), undefined)
  t.match(validateInput(ivs, 'UpdateAdConfigurationRequest', { arn: arn('ivs', 'ad-configuration'), postRollConfiguration: { enabled: true } }),
    { message: /Value null at 'postRollConfiguration.durationSeconds' failed to satisfy constraint: Member must not be null/ })
  t.match(validateInput(ivs, 'UpdateAdConfigurationRequest', { arn: arn('ivs', 'ad-configuration'), postRollConfiguration: { enabled: true, durationSeconds: 301 } }),
    { message: /at 'postRollConfiguration.durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 300/ })
  // float ranges
  t.match(validateInput(ivsRealtime, 'CreateEncoderConfigurationRequest', { video: { framerate: 60.5 } }),
    { message: /Value '60.5' at 'video.framerate' failed to satisfy constraint: Member must have value less than or equal to 60/ })

  // A union takes exactly one member (ivschat's DestinationConfiguration).
  const s3 = { bucketName: 'my-bucket' }
  t.equal(validateInput(ivschat, 'CreateLoggingConfigurationRequest', { destinationConfiguration: { s3 } }), undefined)
  const two = validateInput(ivschat, 'CreateLoggingConfigurationRequest', {
    destinationConfiguration: { s3, cloudWatchLogs: { logGroupName: 'group' } },
  })
  t.match(two?.message, /at 'destinationConfiguration' failed to satisfy constraint: Member must have exactly one of \[s3, cloudWatchLogs, firehose\] set/)
  t.ok(validateInput(ivschat, 'CreateLoggingConfigurationRequest', { destinationConfiguration: {} }), 'none set is refused too')

  // ivschat's ValidationException carries reason and fieldList (its model requires reason).
  const chat = validateInput(ivschat, 'CreateRoomRequest', { name: 'bad name!' })
  t.match(chat, { code: 'ValidationException', status: 400, fields: { reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'name' }] } })
  const body = JSON.parse(serializeError(chat!, ivschat).body.toString()) as Record<string, unknown>
  t.same(Object.keys(body).sort(), ['fieldList', 'message', 'reason'], 'chat errors carry their modeled members, no exceptionMessage')
  const sensitive = validateInput(ivs, 'ImportPlaybackKeyPairRequest', { publicKeyMaterial: '' })
  t.notMatch(sensitive?.message ?? '', /Value ''/, 'a sensitive value is never echoed')
})

t.test('serialize: modeled members only, 204 without a body, timestamps, errors per service', async (t) => {
  const get = serializeOutput(ivs, ivs.operationOf('GetAdConfiguration'), {
    adConfiguration: { arn: 'a', mediaTailorPlaybackConfigurations: [], postRollConfiguration: { enabled: false, durationSeconds: 15 }, secret: 1 },
    extra: true,
  })
  t.equal(get.status, 200)
  t.equal(get.headers['Content-Type'], 'application/json')
  t.same(JSON.parse(get.body.toString()), { adConfiguration: { arn: 'a', mediaTailorPlaybackConfigurations: [], postRollConfiguration: { enabled: false, durationSeconds: 15 } } })
  const deleted = serializeOutput(ivs, ivs.operationOf('DeleteChannel'), undefined)
  t.same([deleted.status, deleted.body.length, deleted.headers['Content-Type']], [204, 0, undefined])
  const batch = serializeOutput(ivs, ivs.operationOf('BatchGetChannel'), { channels: [], errors: [] })
  t.equal(batch.headers['Access-Control-Allow-Origin'], '*', 'headers the model binds on Batch* outputs')
  const stage = serializeOutput(ivsRealtime, ivsRealtime.operationOf('GetStageSession'), {
    stageSession: { sessionId: 'st-1', startTime: new Date('2026-01-02T03:04:05.678Z') },
  })
  t.same(JSON.parse(stage.body.toString()), { stageSession: { sessionId: 'st-1', startTime: '2026-01-02T03:04:05Z' } }, 'ISO 8601 without milliseconds')
  t.equal(serializeOutput(ivsRealtime, ivsRealtime.operationOf('DeleteStage'), {}).status, 200, "realtime's deletes answer 200 {}")

  const ivsError = serializeError(modeledError(ivs, 'ResourceNotFoundException'), ivs)
  t.equal(ivsError.status, 404)
  t.equal(ivsError.headers['x-amzn-ErrorType'], 'ResourceNotFoundException')
  t.same(JSON.parse(ivsError.body.toString()), {
    exceptionMessage: 'Request references a resource which does not exist.', message: 'Request references a resource which does not exist.',
  }, 'ivs: the model\'s own text, as exceptionMessage and message')
  const chatError = serializeError(modeledError(ivschat, 'ResourceNotFoundException', 'Room not found', { resourceId: 'abc', resourceType: 'ROOM' }), ivschat)
  t.same(JSON.parse(chatError.body.toString()), { resourceId: 'abc', resourceType: 'ROOM', message: 'Room not found' })
  const unmodeled = serializeError(new AwsError('SerializationException', 400, 'bad'), ivschat)
  t.same(JSON.parse(unmodeled.body.toString()), { exceptionMessage: 'bad', message: 'bad' }, 'an error no model declares: both, as before')
})

t.test('modeled errors: status and default text from the model, a name it lacks is a bug', async (t) => {
  const cases = [
    [ivs, 'ServiceQuotaExceededException', 402, 'Request would cause a service quota to be exceeded.'],
    [ivs, 'ChannelNotBroadcasting', 404, 'The stream is offline for the given channel ARN.'],
    [ivs, 'PendingVerification', 403, 'Your account is pending verification.'],
    [ivs, 'StreamUnavailable', 503, 'The stream is temporarily unavailable.'],
    [ivsRealtime, 'ConflictException', 409, 'Updating or deleting a resource can cause an inconsistent state.'],
    // ivschat documents its errors as <p/>: the hand-kept fallback text (unmodeled-errors.ts).
    [ivschat, 'ThrottlingException', 429, 'Request was denied due to request throttling.'],
  ] as const
  for (const [spec, name, status, text] of cases) {
    t.match(modeledError(spec, name), { code: name, status, message: text }, `${spec.id} ${name}`)
  }
  t.equal(modeledError(ivs, 'ValidationException', 'specific').message, 'specific')
  t.throws(() => modeledError(ivs, 'NoSuchException' as 'ValidationException'), /declares no error NoSuchException/)
})

t.test('over HTTP: a server given several services verifies and routes by the scope; by default only ivs is served', async (t) => {
  const config = loadConfig({ base: { logLevel: 'silent', port: 0 } })
  const simulator = new Simulator()
  const start = async (services?: Parameters<typeof createIvsServer>[0]['services']) => {
    const server = createIvsServer({ config, logger: new Logger('silent'), dispatcher: new Dispatcher([simulator]), services })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const badRoom = JSON.stringify({ name: 'bad name!' })

  // Chat modeled beside ivs: a chat-signed request is verified as ivschat and validated by chat's model.
  const both = await start([ivs, ivschat])
  const chat = await signedRequest(both, { path: '/CreateRoom', body: badRoom, service: 'ivschat' })
  t.equal(chat.status, 400)
  t.equal(chat.headers.get('x-amzn-errortype'), 'ValidationException')
  t.match(chat.json, { reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: 'name' }], message: /at 'name' failed to satisfy constraint/ })
  t.notOk('exceptionMessage' in chat.json, "chat's error body is chat's model")
  const ivsHere = await signedRequest(both, { path: '/CreateChannel', body: JSON.stringify({ name: 'bad name!' }) })
  t.match([ivsHere.status, ivsHere.json], [400, { exceptionMessage: /at 'name'/, message: /at 'name'/ }])
  t.equal((await signedRequest(both, { path: '/CreateChannel', body: '{}', service: 'ivschat' })).status, 404, 'an ivs path signed for chat is chat\'s 404')

  // The default (what ivs-replay serves today): a chat-signed request is refused as before.
  const ivsOnly = await start()
  const refused = await signedRequest(ivsOnly, { path: '/CreateRoom', body: badRoom, service: 'ivschat' })
  t.equal(refused.status, 403)
  t.equal(refused.headers.get('x-amzn-errortype'), 'InvalidSignatureException')
  t.match(refused.json.message, /ivs/)
  t.equal((await signedRequest(ivsOnly, { path: '/CreateStage', body: '{}' })).status, 404, 'a realtime path: 404 as before')
})

// The guard against drift: the installed @aws-sdk/client-ivs knows no operation, member or enum
// value the generated model lacks. Read from the SDK's public declarations (dist-types): one
// command file per operation, one interface (or error class) per structure, one const per enum.
t.test('the ivs model knows every operation, member and enum value of the installed @aws-sdk/client-ivs', async (t) => {
  const require = createRequire(import.meta.url)
  const sdk = path.join(path.dirname(require.resolve('@aws-sdk/client-ivs/package.json')), 'dist-types')
  const version = (JSON.parse(readFileSync(path.join(sdk, '..', 'package.json'), 'utf8')) as { version: string }).version
  const operations = readdirSync(path.join(sdk, 'commands')).filter((f) => f.endsWith('Command.d.ts')).map((f) => f.slice(0, -'Command.d.ts'.length))
  t.ok(operations.length >= 41, `client-ivs ${version} has ${operations.length} commands`)
  t.same(operations.filter((op) => !ivs.hasOperation(op)), [], 'every SDK operation is in the model')

  const gaps: string[] = []
  let structures = 0
  for (const file of readdirSync(path.join(sdk, 'models')).filter((f) => f.endsWith('.d.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(path.join(sdk, 'models', file), 'utf8'), ts.ScriptTarget.Latest)
    for (const statement of source.statements) {
      if ((ts.isInterfaceDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
        const name = statement.name.text
        if (name === 'IvsServiceException') continue // the SDK's base class, no shape
        // The SDK renames a shape that collides with a JavaScript name (`Stream` → `_Stream`).
        const shape = ivs.model.shapes[name] ?? ivs.model.shapes[name.replace(/^_/, '')]
        if (shape?.type !== 'structure') {
          gaps.push(`structure ${name}`)
          continue
        }
        structures++
        for (const member of statement.members) {
          const readonly = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)
          // An error class's readonly `name` and `$fault` are the SDK's own.
          if (readonly || !member.name || !ts.isIdentifier(member.name)) continue
          if (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) {
            if (!Object.hasOwn(shape.members, member.name.text)) gaps.push(`member ${name}.${member.name.text}`)
          }
        }
      } else if (ts.isVariableStatement(statement)) {
        // export declare const ChannelType: { readonly BASIC: "BASIC"; … }
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !declaration.type || !ts.isTypeLiteralNode(declaration.type)) continue
          const name = declaration.name.text
          const shape = ivs.model.shapes[name]
          if (shape?.type !== 'string' || !shape.enum) {
            gaps.push(`enum ${name}`)
            continue
          }
          for (const member of declaration.type.members) {
            if (!ts.isPropertySignature(member) || !member.type || !ts.isLiteralTypeNode(member.type) || !ts.isStringLiteral(member.type.literal)) continue
            if (!shape.enum.includes(member.type.literal.text)) gaps.push(`enum value ${name}.${member.type.literal.text}`)
          }
        }
      }
    }
  }
  t.ok(structures > 100, `${structures} SDK structures compared`)
  t.same(gaps, [], 'nothing the SDK knows is missing from src/model/ivs (regenerate: npm run generate:model)')
})

// The import graph of src/, read from the sources as TypeScript reads them (imports, re-exports,
// dynamic import(), `import type` too: a type-only import is still a dependency of the design).
const srcRoot = path.join(import.meta.dirname, '..', 'src')

function sourceImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith('.ts')) {
        const from = path.relative(srcRoot, file)
        const targets = new Set<string>()
        for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
          if (fileName.startsWith('.')) targets.add(path.relative(srcRoot, path.resolve(dir, fileName)).replace(/\.js$/, '.ts'))
        }
        graph.set(from, targets)
      }
    }
  }
  walk(srcRoot)
  return graph
}

/** The cycles of a graph whose nodes are `nodeOf(file)` (undefined: left out), each as its edges with the files behind them. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>, nodeOf: (file: string) => string | undefined): string[] {
  const edges = new Map<string, Map<string, string[]>>()
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = nodeOf(from)
      const b = nodeOf(to)
      if (a === undefined || b === undefined || a === b) continue
      if (!edges.has(a)) edges.set(a, new Map())
      const via = edges.get(a)!
      via.set(b, [...(via.get(b) ?? []), `${path.basename(from)}→${path.basename(to)}`])
    }
  }
  // Tarjan's strongly connected components: every component of more than one node is a cycle.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do component.push((w = stack.pop()!))
    while (w !== v)
    if (component.length < 2) return
    const inside = [...component].sort().flatMap((a) =>
      [...(edges.get(a) ?? [])].filter(([b]) => component.includes(b)).map(([b, files]) => `${a} -> ${b} (${files.slice(0, 3).join(', ')})`))
    found.push(inside.join('; '))
  }
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v)
  return found
}

/** src/<folder>/** is one node, files directly in src/ are the node `src`. */
const topFolder = (file: string) => (file.includes(path.sep) ? `src/${file.split(path.sep)[0]}` : 'src')

t.test('structure: no folder of src/ imports a folder that imports it back; no file cycle; the call seam is a leaf', async (t) => {
  t.same(cycles(new Map([['a/x.ts', new Set(['b/y.ts'])], ['b/y.ts', new Set(['a/z.ts'])]]), topFolder),
    ['src/a -> src/b (x.ts→y.ts); src/b -> src/a (y.ts→z.ts)'], 'the cycle finder names a cycle\'s edges')
  const graph = sourceImports()
  t.ok(graph.size > 150 && graph.get(path.join('app', 'app.ts'))?.has(path.join('app', 'server.ts')), `${graph.size} source files read`)

  t.same(cycles(graph, topFolder), [], 'folders (src/<folder>/**, and src/*.ts as `src`)')
  t.same(cycles(graph, (file) => file), [], 'files (channels.ts ↔ stream-keys.ts and cassette-store.ts ↔ db/response-reader.ts were two)')
  // Inside a folder, its own files are the hub its subfolders share (the simulator's handler table,
  // the cassette's error type): the subfolders among themselves must not go round.
  const folders = [...new Set([...graph.keys()].map((file) => path.dirname(file)))].filter((folder) => folder !== '.')
  const subfolderCycles = folders.flatMap((folder) => cycles(graph, (file) => {
    const rest = path.relative(folder, file).split(path.sep)
    return !rest[0].startsWith('..') && rest.length > 1 ? `src/${folder}/${rest[0]}` : undefined
  }))
  t.same(subfolderCycles, [], `the subfolders of each of ${folders.length} folders (resources/ ↔ streams/ went round through setLiveCheck)`)

  // The types every backend shares import nothing of ours but the model's types, and the model nothing.
  const outside = (folder: string, allowed: readonly string[]) =>
    [...graph].filter(([file]) => topFolder(file) === folder)
      .flatMap(([file, targets]) => [...targets].filter((to) => ![folder, ...allowed].includes(topFolder(to))).map((to) => `${file} → ${to}`))
  t.same(outside('src/backend', ['src/model']), [], 'src/backend/ is a leaf (model types aside)')
  t.same(outside('src/model', []), [], 'src/model/ is a leaf')
})
