// The identity of a stored request, computed as the server computes it for a live one: the body is
// parsed by the server's own parseJsonBody (empty or blank → {}), then hashed by requestIdentity.
// Imports call this rather than trusting any identity written in a file.
import type { RecordedRequest } from '../cassette/cassette-store.js'
import { requestIdentity } from '../cassette/request-identity.js'
import { parseJsonBody, type JsonValue } from '../protocol/deserialize.js'

export function recordedIdentity(operation: string, request: RecordedRequest): string {
  let body: JsonValue
  try {
    body = parseJsonBody(request.body)
  } catch {
    // The server would refuse such a request before matching, so no live request can replay it;
    // hashing the raw text still gives it a stable identity of its own.
    body = request.body.toString('utf8')
  }
  return requestIdentity({ operation, path: request.path, query: request.query, body })
}
