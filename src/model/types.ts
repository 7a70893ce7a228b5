// The shape of a generated service model (src/model/<service>/model.ts). Kept apart from the
// generator so that runtime code depends only on these types, never on botocore.

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
  /** integer/long must be whole numbers; float/double may not be. */
  readonly type: 'integer' | 'long' | 'float' | 'double'
  readonly min?: number
  readonly max?: number
}
export interface BooleanShape extends ShapeBase {
  readonly type: 'boolean'
}
/** Always ISO 8601 on the wire: the generator refuses any other format. */
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
  /** A union: exactly one member may be set. */
  readonly union?: boolean
  /** Set on error shapes: the HTTP status the service answers with. */
  readonly errorStatus?: number
  /** Set on error shapes whose documentation has text: the default message. */
  readonly errorText?: string
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
  /** The SigV4 scope's service: `ivs` for both ivs and ivs-realtime, `ivschat` for chat. */
  readonly signingName: string
  /** The host's first label at AWS: `ivs`, `ivschat`, `ivsrealtime`. */
  readonly endpointPrefix: string
  readonly operations: Readonly<Record<string, OperationModel>>
  readonly shapes: Readonly<Record<string, ShapeModel>>
}
