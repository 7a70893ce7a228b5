// Builds a cassette the way a recording would, without real AWS: each request is sent to a
// simulate-mode ivs-replay and its answer stored under the identity the server computes for replay.
import { SqliteCassetteStore } from '../../src/storage/sqlite/sqlite-cassette-store.js'
import { requestIdentity } from '../../src/cassette/request-identity.js'
import type { JsonValue } from '../../src/protocol/deserialize.js'
import { signedRequest } from './signed-request.js'

export interface FixtureRequest {
  readonly operation: string
  readonly method?: string
  readonly path?: string
  readonly body?: Record<string, unknown>
}

/** Sends each request to `endpoint` and records request and answer into the cassette file. */
export async function recordFixture(file: string, endpoint: string, requests: readonly FixtureRequest[]): Promise<Record<string, unknown>[]> {
  const store = await SqliteCassetteStore.open(file)
  const answers: Record<string, unknown>[] = []
  try {
    for (const r of requests) {
      const method = r.method ?? 'POST'
      const path = r.path ?? `/${r.operation}`
      const body = r.body === undefined ? '' : JSON.stringify(r.body)
      const res = await signedRequest(endpoint, { method, path, body: method === 'POST' ? body || '{}' : undefined })
      const [rawPath, rawQuery = ''] = path.split('?')
      const query: Record<string, string[]> = {}
      for (const part of rawQuery ? rawQuery.split('&') : []) {
        const [k, v = ''] = part.split('=').map(decodeURIComponent)
        ;(query[k] ??= []).push(v)
      }
      const identity = requestIdentity({ operation: r.operation, path: rawPath, query, body: (r.body ?? {}) as JsonValue })
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      const errorType = res.headers.get('x-amzn-errortype')
      if (errorType) headers['x-amzn-ErrorType'] = errorType
      await store.append({
        operation: r.operation,
        identity,
        request: { method, path: rawPath, query, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) },
        response: { status: res.status, headers, body: Buffer.from(res.text) },
      })
      answers.push(res.json)
    }
  } finally {
    await store.close()
  }
  return answers
}
