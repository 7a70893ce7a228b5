// The errors IVS Chat's business rules raise, as the ivschat model declares them: status and
// default text from the model, and the members it requires beside `message` (serialize.ts writes
// them into the body): ValidationException `reason` (+ `fieldList`), ResourceNotFoundException and
// ConflictException `resourceId` + `resourceType`, ServiceQuotaExceededException also `limit`
// (docs/ivs-behavior.md §14).
import { ivschat } from '../../model/services.js'
import type { ResourceType } from '../../model/ivschat/types.js'
import { modeledError } from '../../protocol/modeled-error.js'
import type { AwsError } from '../../protocol/aws-error.js'

/**
 * The model's ResourceType enum names only ROOM; a logging configuration is named
 * LOGGING_CONFIGURATION (docs/ivs-behavior.md §14: decided, an SDK reads any string there).
 */
export type ChatErrorResourceType = ResourceType | 'LOGGING_CONFIGURATION'

/** A business rule on one field: reason FIELD_VALIDATION_FAILED and that field in `fieldList`. */
export function fieldInvalid(field: string, message: string): AwsError {
  return modeledError(ivschat, 'ValidationException', message, { reason: 'FIELD_VALIDATION_FAILED', fieldList: [{ name: field, message }] })
}

/** A refusal that names no single field (a bad pagination token): reason OTHER. */
export function validationOther(message: string): AwsError {
  return modeledError(ivschat, 'ValidationException', message, { reason: 'OTHER' })
}

export function notFound(resourceType: ChatErrorResourceType, resourceId: string, message: string): AwsError {
  return modeledError(ivschat, 'ResourceNotFoundException', message, { resourceId, resourceType })
}

export function conflict(resourceType: ChatErrorResourceType, resourceId: string, message: string): AwsError {
  return modeledError(ivschat, 'ConflictException', message, { resourceId, resourceType })
}

export function quotaExceeded(resourceType: ChatErrorResourceType, resourceId: string, limit: number, message: string): AwsError {
  return modeledError(ivschat, 'ServiceQuotaExceededException', message, { resourceId, resourceType, limit })
}
