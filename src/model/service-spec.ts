// One service's model as the rest of the program reads it: the generated data with its corrections
// applied, looked up by name, plus what can be derived from it once (the resource types its ARNs
// name). The generic REST-JSON layer (src/protocol/) takes one of these; it never imports a service.
import type { OperationModel, ServiceModel, ShapeModel, StructureShape } from './types.js'

/** The services ivs-replay has models for, by botocore's folder name. */
export type ServiceId = 'ivs' | 'ivschat' | 'ivs-realtime'

/**
 * `Op` and `ErrorName` are the generated `OperationName` and `ErrorName` of the service; the
 * protocol layer works with `ServiceSpec` (any names). Methods are bound, so that
 * `const { shapeOf } = ivs` works as a plain function.
 */
export class ServiceSpec<Op extends string = string, ErrorName extends string = string> {
  readonly id: ServiceId
  readonly model: ServiceModel
  /** Every operation name, in the model's (sorted) order. */
  readonly operationNames: readonly Op[]
  /**
   * The service part of its ARNs (`ivs`, `ivschat`) and the resource types they name
   * (`channel`, `stage`, `room`…), read from the model's `…Arn` patterns.
   */
  readonly arnService: string
  readonly resourceTypes: ReadonlySet<string>

  constructor(id: ServiceId, model: ServiceModel) {
    this.id = id
    this.model = model
    this.operationNames = Object.keys(model.operations) as Op[]
    const { arnService, resourceTypes } = arnNaming(model)
    this.arnService = arnService
    this.resourceTypes = resourceTypes
    this.shapeOf = this.shapeOf.bind(this)
    this.structureOf = this.structureOf.bind(this)
    this.operationOf = this.operationOf.bind(this)
    this.hasOperation = this.hasOperation.bind(this)
    this.errorShape = this.errorShape.bind(this)
  }

  shapeOf(name: string): ShapeModel {
    const shape = this.model.shapes[name]
    if (!shape) throw new Error(`${this.id} model has no shape ${name}`)
    return shape
  }

  structureOf(name: string): StructureShape {
    const shape = this.shapeOf(name)
    if (shape.type !== 'structure') throw new Error(`${this.id} shape ${name} is not a structure`)
    return shape
  }

  operationOf(name: Op): OperationModel {
    const op = this.model.operations[name]
    if (!op) throw new Error(`${this.id} model has no operation ${name}`)
    return op
  }

  hasOperation(name: string): name is Op {
    return Object.hasOwn(this.model.operations, name)
  }

  /** The error shape the model declares under this name (its status, default text, members). */
  errorShape(name: ErrorName): StructureShape | undefined {
    const shape = Object.hasOwn(this.model.shapes, name) ? this.model.shapes[name] : undefined
    return shape?.type === 'structure' && shape.errorStatus !== undefined ? shape : undefined
  }
}

/** `arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel/[a-zA-Z0-9-]+` names service `ivs`, type `channel`. */
const ARN_PATTERN = /arn:aws:([a-z0-9-]+):\[a-z0-9-\]\+:\[0-9\](?:\+|\{12\}):([a-z-]+)\//

function arnNaming(model: ServiceModel): { arnService: string; resourceTypes: ReadonlySet<string> } {
  // The generic ResourceArn (`…:[a-z-]/…`) names no type; it does name the service.
  const resourceArn = model.shapes.ResourceArn
  const own = resourceArn?.type === 'string' ? /^\^?arn:aws:([a-z0-9-]+):/.exec(resourceArn.pattern ?? '')?.[1] : undefined
  const arnService = own ?? model.signingName
  const resourceTypes = new Set<string>()
  for (const shape of Object.values(model.shapes)) {
    if (shape.type !== 'string' || shape.pattern === undefined) continue
    const m = ARN_PATTERN.exec(shape.pattern)
    if (m && m[1] === arnService) resourceTypes.add(m[2])
  }
  return { arnService, resourceTypes }
}
