// The IVS model as the rest of the program sees it: the generated model with its corrections applied,
// regular expressions compiled once.
import { applyCorrections } from './corrections.js'
import { model as ivsModel } from './ivs/model.js'
import type { OperationName } from './ivs/types.js'
import type { OperationModel, ServiceModel, ShapeModel, StructureShape } from './types.js'

export const model: ServiceModel = applyCorrections(ivsModel)

export function shapeOf(name: string): ShapeModel {
  const shape = model.shapes[name]
  if (!shape) throw new Error(`model has no shape ${name}`)
  return shape
}

export function structureOf(name: string): StructureShape {
  const shape = shapeOf(name)
  if (shape.type !== 'structure') throw new Error(`shape ${name} is not a structure`)
  return shape
}

export function operationOf(name: OperationName): OperationModel {
  return model.operations[name]
}

export const operationNames = Object.keys(model.operations) as OperationName[]

const patternCache = new Map<string, RegExp>()
/**
 * The model's patterns are Java regexes matched against the whole value; `\p{L}` and friends need
 * JavaScript's `u` flag. Patterns that already carry `^…$` alternatives keep working inside the group.
 */
export function compiledPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern)
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u')
    patternCache.set(pattern, re)
  }
  return re
}
