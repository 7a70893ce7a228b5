// Errors a service's model declares, built from the model: the status is the error shape's
// httpStatusCode, the default message its documentation's short text. A name the model does not
// declare is a programming error, reported at once rather than sent with a guessed status.
import type { ServiceSpec } from '../model/service-spec.js'
import { AwsError } from './aws-error.js'
import type { JsonObject } from './deserialize.js'
import { fallbackErrorText } from './unmodeled-errors.js'

export function modeledError<E extends string>(
  spec: ServiceSpec<string, E>,
  name: E,
  message?: string,
  fields: JsonObject = {},
): AwsError {
  const shape = spec.errorShape(name)
  if (!shape?.errorStatus) throw new Error(`the ${spec.id} model declares no error ${name}`)
  return new AwsError(name, shape.errorStatus, message ?? shape.errorText ?? fallbackErrorText[name] ?? name, {}, fields)
}
