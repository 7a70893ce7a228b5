// Generates src/model/ivs-model.ts from the official IVS service model that ships with botocore.
//
//   npm run generate:model [-- path/to/service-2.json.gz]
//
// Without an argument it asks python3 where botocore is installed. The output keeps what the
// protocol layer needs (operations, HTTP bindings, shapes, constraints, error statuses) and drops
// all documentation text. It is committed, so nothing at run time depends on Python.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import type { MemberModel, OperationModel, ServiceModel, ShapeModel } from './types.js'

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
  error?: { httpStatusCode: number }
}
interface RawModel {
  metadata: { apiVersion: string; signingName: string }
  operations: Record<string, {
    http: { method: string; requestUri: string; responseCode?: number }
    input?: { shape: string }
    output?: { shape: string }
    errors?: { shape: string }[]
  }>
  shapes: Record<string, RawShape>
}

function defaultModelPath(): string {
  const dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim()
  return path.join(dir, 'data', 'ivs', '2020-07-14', 'service-2.json.gz')
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
      return { type: raw.type, ...limits, ...sensitive }
    case 'boolean':
    case 'timestamp':
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
      return {
        type: 'structure', members, ...sensitive,
        ...(raw.required?.length && { required: raw.required }),
        ...(raw.error && { errorStatus: raw.error.httpStatusCode }),
      }
    }
    default:
      throw new Error(`unsupported shape type ${raw.type}`)
  }
}

export function convertModel(raw: RawModel): ServiceModel {
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
  return { apiVersion: raw.metadata.apiVersion, signingName: raw.metadata.signingName, operations, shapes }
}

// One operation or shape per line: compact, and a model update shows as a readable diff.
function printModel(model: ServiceModel): string {
  const table = (entries: Record<string, unknown>) =>
    Object.entries(entries).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')
  return [
    '{',
    `  apiVersion: ${JSON.stringify(model.apiVersion)},`,
    `  signingName: ${JSON.stringify(model.signingName)},`,
    '  operations: {', table(model.operations), '  },',
    '  shapes: {', table(model.shapes), '  },',
    '}',
  ].join('\n')
}

// TypeScript types for every shape, so handlers get typed input and output. Shapes that are plain
// strings/numbers become aliases; enums become unions of their literals.
function printTypes(model: ServiceModel): string {
  const typeOf = (name: string): string => {
    const shape = model.shapes[name]
    switch (shape.type) {
      case 'string':
        return shape.enum ? shape.enum.map((v) => JSON.stringify(v)).join(' | ') : 'string'
      case 'integer':
      case 'long':
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
    lines.push(`export interface ${name} {${members.length ? '\n' + members.join('\n') + '\n' : ''}}`)
  }
  const ops = Object.entries(model.operations).map(
    ([name, op]) => `  ${name}: { input: ${op.input ?? 'Record<string, never>'}; output: ${op.output ?? 'void'} }`,
  )
  return [
    '// GENERATED by src/model/generate.ts from botocore ivs/2020-07-14/service-2.json.gz. Do not edit.',
    '/* eslint-disable */',
    ...lines,
    '',
    '/** Every operation with its input and output type. */',
    'export interface IvsOperations {',
    ...ops,
    '}',
    'export type OperationName = keyof IvsOperations',
    '',
  ].join('\n')
}

function main(): void {
  const source = process.argv[2] ?? defaultModelPath()
  const raw = JSON.parse(gunzipSync(readFileSync(source)).toString('utf8')) as RawModel
  const model = convertModel(raw)
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ivs-model.ts')
  const text =
    '// GENERATED by src/model/generate.ts from botocore ivs/2020-07-14/service-2.json.gz. Do not edit:\n' +
    '// run `npm run generate:model`. Corrections to the model live in src/model/corrections.ts.\n' +
    "import type { ServiceModel } from './types.js'\n\n" +
    `export const ivsModel: ServiceModel = ${printModel(model)}\n`
  writeFileSync(out, text)
  const typesOut = path.join(path.dirname(out), 'ivs-types.ts')
  writeFileSync(typesOut, printTypes(model))
  console.log(`wrote ${out}: ${Object.keys(model.operations).length} operations, ${Object.keys(model.shapes).length} shapes`)
}

main()
