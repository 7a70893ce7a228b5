// The one reading of a stored request's body, for everything that rebuilds a recorded call (the
// recorder's redacted call, a recording's identity, hybrid's recorded state): parsed as the server
// parsed it when it arrived (parseJsonBody: empty or blank is {}), or undefined where the server
// would have refused it (not UTF-8, not a JSON object).
import type { JsonObject } from '../backend/json.js'
import { parseJsonBody } from '../protocol/deserialize.js'

export function storedRequestBody(body: Buffer): JsonObject | undefined {
  try {
    return parseJsonBody(body)
  } catch {
    return undefined
  }
}
