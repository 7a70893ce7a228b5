// One error type for everything the server refuses. The protocol layer serializes it the way the
// IVS services do (serialize.ts): the status, an `x-amzn-ErrorType` header and a JSON body with the
// message plus any modeled members the error carries. Errors a service's model declares are built
// by modeled-error.ts, which takes their status and default text from the model.
import type { JsonObject } from '../backend/json.js'

export class AwsError extends Error {
  /** Goes out as `x-amzn-ErrorType`, e.g. `ResourceNotFoundException`. */
  readonly code: string
  readonly status: number
  /** Extra response headers (e.g. `Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>
  /** Modeled members of the error beyond its message (ivschat: `reason`, `resourceId`…). */
  readonly fields: Readonly<JsonObject>

  constructor(code: string, status: number, message?: string, headers: Record<string, string> = {}, fields: JsonObject = {}) {
    super(message ?? code)
    this.name = code
    this.code = code
    this.status = status
    this.headers = headers
    this.fields = fields
  }
}
