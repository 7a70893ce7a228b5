// What the models cannot say about errors, by hand and in one place. The models declare the errors
// a service's operations return (status, default text, members: see modeled-error.ts); the errors
// below come from the REST-JSON front door every AWS service shares, before any operation runs, so
// no service model lists them. Statuses as AWS's restJson1 services answer them.
//
// Also here: default texts for modeled errors whose documentation is empty (every ivschat error
// shape is documented as `<p/>`); the wording is ivs's for the same error type (ivs model).
// SigV4 refusals live with the verifier (src/auth/sigv4-errors.ts) and ivs-replay's own errors
// (cassette misses, upstream failures) where they are raised.

export const unmodeledErrors = {
  /** The body is not JSON, or a member has the wrong JSON type. */
  SerializationException: 400,
  /** No operation of the service is bound to the path. */
  UnknownOperationException: 404,
  /** The path is bound, but not for this method (an `Allow` header lists the ones that are). */
  MethodNotAllowedException: 405,
} as const

export const fallbackErrorText: Readonly<Record<string, string>> = {
  ValidationException: 'The input fails to satisfy the constraints specified by an Amazon Web Services service.',
  AccessDeniedException: 'User does not have sufficient access to perform this action.',
  PendingVerification: 'Your account is pending verification.',
  ServiceQuotaExceededException: 'Request would cause a service quota to be exceeded.',
  ResourceNotFoundException: 'Request references a resource which does not exist.',
  ConflictException: 'Updating or deleting a resource can cause an inconsistent state.',
  ThrottlingException: 'Request was denied due to request throttling.',
  InternalServerException: 'Unexpected error during processing of request.',
}
