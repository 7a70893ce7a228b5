// An interaction as a row of the cassette's `interactions` table and back: JSON text for the
// maps, blobs for the bodies. A new Interaction field is one line each way here.
import type { Insertable, Selectable } from 'kysely'
import type { Interaction, NewInteraction } from './storage.js'
import type { InteractionsTable } from './cassette-schema.js'

export function toRow(item: NewInteraction, seq: number, recordedAt: string): Insertable<InteractionsTable> {
  const { request, response } = item
  return {
    operation: item.operation,
    identity: item.identity,
    seq,
    request_method: request.method,
    request_path: request.path,
    request_query: JSON.stringify(request.query),
    request_headers: JSON.stringify(request.headers),
    request_body: request.body,
    response_status: response.status,
    response_headers: JSON.stringify(response.headers),
    response_body: response.body,
    recorded_at: recordedAt,
    used_at: null,
    resources: item.resources ? JSON.stringify(item.resources) : null,
  }
}

/** `resources` stays out: it is read on its own (resourceEntries), and only by the hybrid. */
export function fromRow(row: Selectable<InteractionsTable>): Interaction {
  return {
    id: row.id,
    operation: row.operation,
    identity: row.identity,
    seq: row.seq,
    request: {
      method: row.request_method,
      path: row.request_path,
      query: JSON.parse(row.request_query) as Record<string, string[]>,
      headers: JSON.parse(row.request_headers) as Record<string, string>,
      body: row.request_body,
    },
    response: {
      status: row.response_status,
      headers: JSON.parse(row.response_headers) as Record<string, string>,
      body: row.response_body,
    },
    recordedAt: row.recorded_at,
    usedAt: row.used_at,
  }
}
