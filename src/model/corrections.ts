// Where an official model is wrong, it is corrected here, in one visible place, per service.
import type { ServiceId } from './service-spec.js'
import type { ServiceModel, ShapeModel } from './types.js'

/**
 * The models' ResourceArn pattern, `arn:aws:<service>:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+`,
 * allows a single letter before the `/` and so refuses every real ARN (`…:channel/abcd…`). Real
 * IVS accepts them; the resource type is one or more letters and dashes. All three models share it.
 */
const resourceArn = (service: string): Partial<ShapeModel> => ({
  pattern: `^arn:aws:${service}:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$`,
})

const shapeCorrections: Readonly<Record<ServiceId, Readonly<Record<string, Partial<ShapeModel>>>>> = {
  ivs: { ResourceArn: resourceArn('ivs') },
  ivschat: { ResourceArn: resourceArn('ivschat') },
  'ivs-realtime': { ResourceArn: resourceArn('ivs') },
}

export function applyCorrections(service: ServiceId, model: ServiceModel): ServiceModel {
  const shapes: Record<string, ShapeModel> = { ...model.shapes }
  for (const [name, fix] of Object.entries(shapeCorrections[service])) {
    if (!shapes[name]) throw new Error(`correction for ${service} shape ${name}, which the model lacks`)
    shapes[name] = { ...shapes[name], ...fix } as ShapeModel
  }
  return { ...model, shapes }
}
