// One error type for everything the server refuses. The protocol layer serializes it the way IVS
// does: the status, an `x-amzn-ErrorType` header and a JSON body with `exceptionMessage` (the
// modeled member, read by the JS SDK) and `message` (read by botocore and by the JS SDK's
// `err.message`).

/** Texts of the model's error shapes, used when a handler gives no more specific message. */
export const modeledErrorText: Readonly<Record<string, string>> = {
  ValidationException: 'The input fails to satisfy the constraints specified by an Amazon Web Services service.',
  AccessDeniedException: 'User does not have sufficient access to perform this action.',
  PendingVerification: 'Your account is pending verification.',
  ServiceQuotaExceededException: 'Request would cause a service quota to be exceeded.',
  ResourceNotFoundException: 'Request references a resource which does not exist.',
  ChannelNotBroadcasting: 'The stream is offline for the given channel ARN.',
  ConflictException: 'Updating or deleting a resource can cause an inconsistent state.',
  ThrottlingException: 'Request was denied due to request throttling.',
  InternalServerException: 'Unexpected error during processing of request.',
  ServiceUnavailable: 'The service is temporarily unavailable.',
  StreamUnavailable: 'The stream is temporarily unavailable.',
}

export class AwsError extends Error {
  /** Goes out as `x-amzn-ErrorType`, e.g. `ResourceNotFoundException`. */
  readonly code: string
  readonly status: number
  /** Extra response headers (e.g. `Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>

  constructor(code: string, status: number, message?: string, headers: Record<string, string> = {}) {
    super(message ?? modeledErrorText[code] ?? code)
    this.name = code
    this.code = code
    this.status = status
    this.headers = headers
  }
}

// The errors IVS's business rules raise, with the model's status codes. Handlers use these so that a
// status code is written in one place only.
export const validationError = (message: string) => new AwsError('ValidationException', 400, message)
export const notFound = (message?: string) => new AwsError('ResourceNotFoundException', 404, message)
export const conflict = (message?: string) => new AwsError('ConflictException', 409, message)
export const quotaExceeded = (message?: string) => new AwsError('ServiceQuotaExceededException', 402, message)
export const throttled = (message?: string) => new AwsError('ThrottlingException', 429, message)
export const channelNotBroadcasting = (channelArn: string) =>
  new AwsError('ChannelNotBroadcasting', 404, `Channel: ${channelArn} is not currently online`)
