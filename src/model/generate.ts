// Generates src/model/<service>/model.ts and types.ts for every IVS service ivs-replay knows, from the
// official service models that ship with botocore.
//
//   npm run generate:model [-- --botocore DIR] [-- --service ivschat]
//
// DIR is a botocore package directory (the one holding data/), or its data/ directory; without it
// the IVS_REPLAY_BOTOCORE environment variable is used, else python3 is asked where botocore is
// installed. The output keeps what the protocol layer needs (operations, HTTP bindings, shapes,
// constraints, error statuses and the short text of each error shape) and drops the rest of the
// documentation. It refuses what the protocol layer does not implement (another protocol, a
// timestamp format other than ISO 8601, an unknown shape type). It is committed, so nothing at run
// time depends on Python.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import type { MemberModel, OperationModel, ServiceModel, ShapeModel, StructureShape } from './types.js'

/** The services ivs-replay generates, by botocore data folder; all three share one API version. */
const generatedServices = ['ivs', 'ivschat', 'ivs-realtime'] as const
const API_VERSION = '2020-07-14'

interface RawMember { shape: string; location?: string; locationName?: string }
interface RawShape {
  type: string
  members?: Record<string, RawMember>
  required?: string[]
  member?: { shape: string }
  key?: { shape: string }
  value?: { shape: string }
  min?: number
  max?: number
  pattern?: string
  enum?: string[]
  sensitive?: boolean
  union?: boolean
  timestampFormat?: string
  error?: { httpStatusCode: number }
  documentation?: string
}
interface RawModel {
  metadata: { apiVersion: string; signingName: string; endpointPrefix: string; protocol: string }
  operations: Record<string, {
    http: { method: string; requestUri: string; responseCode?: number }
    input?: { shape: string }
    output?: { shape: string }
    errors?: { shape: string }[]
  }>
  shapes: Record<string, RawShape>
}

/** The botocore data directory: --botocore, then IVS_REPLAY_BOTOCORE, then the installed botocore. */
function dataDir(option: string | undefined): string {
  const given = option ?? process.env.IVS_REPLAY_BOTOCORE
  const root = given ?? execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim()
  const data = existsSync(path.join(root, 'data')) ? path.join(root, 'data') : root
  if (!existsSync(path.join(data, 'ivs'))) throw new Error(`${root} holds no botocore data (no ivs/ in ${data})`)
  return data
}

/** The short text of an error shape's documentation (`<p>…</p>`), as its default message. */
function plainText(html: string | undefined): string | undefined {
  if (!html) return undefined
  const text = html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  return text || undefined
}

function convertShape(raw: RawShape): ShapeModel {
  const limits = { ...(raw.min !== undefined && { min: raw.min }), ...(raw.max !== undefined && { max: raw.max }) }
  const sensitive = raw.sensitive ? { sensitive: true } : {}
  switch (raw.type) {
    case 'string':
      return {
        type: 'string', ...limits, ...sensitive,
        ...(raw.pattern !== undefined && { pattern: raw.pattern }),
        ...(raw.enum && { enum: raw.enum }),
      }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { type: raw.type, ...limits, ...sensitive }
    case 'boolean':
      return { type: raw.type, ...sensitive }
    case 'timestamp':
      // The serializer writes ISO 8601 (`2020-05-05T21:55:38Z`), as every IVS model asks.
      if (raw.timestampFormat !== undefined && raw.timestampFormat !== 'iso8601') {
        throw new Error(`unsupported timestamp format ${raw.timestampFormat}`)
      }
      return { type: raw.type, ...sensitive }
    case 'list':
      return { type: 'list', member: raw.member!.shape, ...limits, ...sensitive }
    case 'map':
      return { type: 'map', key: raw.key!.shape, value: raw.value!.shape, ...limits, ...sensitive }
    case 'structure': {
      const members: Record<string, MemberModel> = {}
      for (const [name, m] of Object.entries(raw.members ?? {})) {
        members[name] = {
          shape: m.shape,
          ...(m.location && { location: m.location as MemberModel['location'] }),
          ...(m.locationName && { locationName: m.locationName }),
        }
      }
      const errorText = raw.error ? plainText(raw.documentation) : undefined
      return {
        type: 'structure', members, ...sensitive,
        ...(raw.required?.length && { required: raw.required }),
        ...(raw.union && { union: true }),
        ...(raw.error && { errorStatus: raw.error.httpStatusCode }),
        ...(errorText && { errorText }),
      } satisfies StructureShape
    }
    default:
      throw new Error(`unsupported shape type ${raw.type}`)
  }
}

function convertModel(raw: RawModel): ServiceModel {
  if (raw.metadata.protocol !== 'rest-json') throw new Error(`unsupported protocol ${raw.metadata.protocol}`)
  const operations: Record<string, OperationModel> = {}
  for (const name of Object.keys(raw.operations).sort()) {
    const op = raw.operations[name]
    operations[name] = {
      method: op.http.method as OperationModel['method'],
      uri: op.http.requestUri,
      status: op.http.responseCode ?? 200,
      ...(op.input && { input: op.input.shape }),
      ...(op.output && { output: op.output.shape }),
      errors: (op.errors ?? []).map((e) => e.shape),
    }
  }
  const shapes: Record<string, ShapeModel> = {}
  for (const name of Object.keys(raw.shapes).sort()) shapes[name] = convertShape(raw.shapes[name])
  const { signingName, endpointPrefix } = raw.metadata
  return { signingName, endpointPrefix, operations, shapes }
}

// One operation or shape per line: compact, and a model update shows as a readable diff.
function printModel(model: ServiceModel): string {
  const table = (entries: Record<string, unknown>) =>
    Object.entries(entries).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')
  return [
    '{',
    `  signingName: ${JSON.stringify(model.signingName)},`,
    `  endpointPrefix: ${JSON.stringify(model.endpointPrefix)},`,
    '  operations: {', table(model.operations), '  },',
    '  shapes: {', table(model.shapes), '  },',
    '}',
  ].join('\n')
}

// TypeScript types for every shape, so handlers get typed input and output. Shapes that are plain
// strings/numbers become aliases; enums become unions of their literals.
function printTypes(service: string, model: ServiceModel): string {
  const typeOf = (name: string): string => {
    const shape = model.shapes[name]
    switch (shape.type) {
      case 'string':
        return shape.enum ? shape.enum.map((v) => JSON.stringify(v)).join(' | ') : 'string'
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return 'number'
      case 'boolean':
        return 'boolean'
      case 'timestamp':
        return 'string'
      case 'list':
        return `${shape.member}[]`
      case 'map':
        return `Record<${shape.key}, ${shape.value}>`
      case 'structure':
        return name
    }
  }
  const lines: string[] = []
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.type !== 'structure') {
      lines.push(`export type ${name} = ${typeOf(name)}`)
      continue
    }
    const required = new Set(shape.required ?? [])
    const members = Object.entries(shape.members)
      .filter(([, m]) => m.location !== 'header') // CORS-style headers the protocol layer adds itself
      .map(([m, def]) => `  ${m}${required.has(m) ? '' : '?'}: ${def.shape}`)
    // A union sets exactly one member; validation enforces it, the type only lists the choices.
    const note = shape.union ? '/** A union: exactly one member is set. */\n' : ''
    lines.push(`${note}export interface ${name} {${members.length ? '\n' + members.join('\n') + '\n' : ''}}`)
  }
  const ops = Object.entries(model.operations).map(
    ([name, op]) => `  ${name}: { input: ${op.input ?? 'Record<string, never>'}; output: ${op.output ?? 'void'} }`,
  )
  const errors = Object.entries(model.shapes)
    .filter(([, s]) => s.type === 'structure' && s.errorStatus !== undefined)
    .map(([name]) => JSON.stringify(name))
  return [
    `// GENERATED by src/model/generate.ts from botocore ${service}/${API_VERSION}/service-2.json.gz. Do not edit.`,
    '/* eslint-disable */',
    ...lines,
    '',
    '/** Every operation with its input and output type. */',
    'export interface Operations {',
    ...ops,
    '}',
    'export type OperationName = keyof Operations',
    '/** The error shapes the model declares (their status and default text are in the model). */',
    `export type ErrorName = ${errors.join(' | ')}`,
    '',
  ].join('\n')
}

function main(): void {
  const { values } = parseArgs({
    options: { botocore: { type: 'string' }, service: { type: 'string', multiple: true } },
  })
  const data = dataDir(values.botocore)
  const wanted = values.service ?? [...generatedServices]
  for (const service of wanted) {
    if (!(generatedServices as readonly string[]).includes(service)) throw new Error(`unknown service ${service}`)
    const source = path.join(data, service, API_VERSION, 'service-2.json.gz')
    const raw = JSON.parse(gunzipSync(readFileSync(source)).toString('utf8')) as RawModel
    const model = convertModel(raw)
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), service)
    mkdirSync(dir, { recursive: true })
    const text =
      `// GENERATED by src/model/generate.ts from botocore ${service}/${API_VERSION}/service-2.json.gz. Do not edit:\n` +
      '// run `npm run generate:model`. Corrections to the model live in src/model/corrections.ts.\n' +
      "import type { ServiceModel } from '../types.js'\n\n" +
      `export const model: ServiceModel = ${printModel(model)}\n`
    writeFileSync(path.join(dir, 'model.ts'), text)
    writeFileSync(path.join(dir, 'types.ts'), printTypes(service, model))
    const ops = Object.keys(model.operations).length
    console.log(`wrote src/model/${service}/: ${ops} operations, ${Object.keys(model.shapes).length} shapes (from ${source})`)
  }
}

main()
