// The identity of a stored request, computed as the server computes it for a live one. Imports call
// this rather than trusting any identity written in a file.
import type { RecordedRequest } from '../storage/storage.js'
import { recordedRequestParts, requestIdentity } from '../cassette/request-identity.js'

export function recordedIdentity(operation: string, request: RecordedRequest): string {
  return requestIdentity(recordedRequestParts(operation, request))
}
