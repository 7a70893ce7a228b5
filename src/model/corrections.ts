// Where the official model is wrong, it is corrected here, in one visible place.
import type { ServiceModel, ShapeModel } from './types.js'

const shapeCorrections: Readonly<Record<string, Partial<ShapeModel>>> = {
  // The model's ResourceArn pattern, `arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+`, allows a
  // single letter before the `/` and so refuses every real ARN (`…:channel/abcd…`). Real IVS accepts
  // them; the resource type is one or more letters and dashes.
  ResourceArn: { pattern: '^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$' },
}

export function applyCorrections(model: ServiceModel): ServiceModel {
  const shapes: Record<string, ShapeModel> = { ...model.shapes }
  for (const [name, fix] of Object.entries(shapeCorrections)) {
    shapes[name] = { ...shapes[name], ...fix } as ShapeModel
  }
  return { ...model, shapes }
}
