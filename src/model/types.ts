// The shape of the generated IVS model (ivs-model.ts). Kept apart from the generator so that
// runtime code depends only on these types, never on botocore.

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH'

export interface OperationModel {
  readonly method: HttpMethod
  /** URI template, e.g. `/CreateChannel` or `/tags/{resourceArn}`. */
  readonly uri: string
  /** Success status: 200, or 204 for operations that answer with an empty body. */
  readonly status: number
  readonly input?: string
  readonly output?: string
  readonly errors: readonly string[]
}

export type MemberLocation = 'uri' | 'querystring' | 'header'

export interface MemberModel {
  readonly shape: string
  /** Absent: the member travels in the JSON body. */
  readonly location?: MemberLocation
  /** The wire name for uri/querystring/header members. */
  readonly locationName?: string
}

interface ShapeBase {
  readonly sensitive?: boolean
}
export interface StringShape extends ShapeBase {
  readonly type: 'string'
  readonly min?: number
  readonly max?: number
  /** The model's pattern, as written there (Java regex syntax; matched over the whole value). */
  readonly pattern?: string
  readonly enum?: readonly string[]
}
export interface NumberShape extends ShapeBase {
  readonly type: 'integer' | 'long'
  readonly min?: number
  readonly max?: number
}
export interface BooleanShape extends ShapeBase {
  readonly type: 'boolean'
}
export interface TimestampShape extends ShapeBase {
  readonly type: 'timestamp'
}
export interface ListShape extends ShapeBase {
  readonly type: 'list'
  readonly member: string
  readonly min?: number
  readonly max?: number
}
export interface MapShape extends ShapeBase {
  readonly type: 'map'
  readonly key: string
  readonly value: string
  readonly min?: number
  readonly max?: number
}
export interface StructureShape extends ShapeBase {
  readonly type: 'structure'
  readonly members: Readonly<Record<string, MemberModel>>
  readonly required?: readonly string[]
  /** Set on error shapes: the HTTP status the service answers with. */
  readonly errorStatus?: number
}

export type ShapeModel =
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | ListShape
  | MapShape
  | StructureShape

export interface ServiceModel {
  readonly apiVersion: string
  readonly signingName: string
  readonly operations: Readonly<Record<string, OperationModel>>
  readonly shapes: Readonly<Record<string, ShapeModel>>
}
