// Requests the orchestrator sends itself (setting up state before a workload, probing a cold
// start): the same SDK-exact signed requests as the load, over a few keep-alive connections.
import { HttpConnection, type HttpResponse } from './http-connection.js'
import type { BenchOperation, OperationInput, RequestBuilder } from './ivs-requests.js'

export interface Call {
  readonly op: BenchOperation
  readonly input: OperationInput
}

/** Sends every call (freshly signed), `concurrency` at a time; throws on any non-2xx answer. */
export async function sendAll(endpoint: string, builder: RequestBuilder, calls: readonly Call[], concurrency = 8): Promise<HttpResponse[]> {
  const answers: HttpResponse[] = new Array(calls.length)
  let next = 0
  const worker = async () => {
    const connection = new HttpConnection(endpoint)
    try {
      while (next < calls.length) {
        const i = next++
        const { op, input } = calls[i]
        const res = await connection.request(builder.build(op, input))
        if (res.status < 200 || res.status >= 300) {
          throw new Error(`${op} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`)
        }
        answers[i] = res
      }
    } finally {
      connection.close()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker))
  return answers
}

export function jsonOf(res: HttpResponse): Record<string, unknown> {
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>
}

/** Creates `count` channels named `${prefix}-N`; returns their ARNs in order. */
export async function createChannels(endpoint: string, builder: RequestBuilder, prefix: string, count: number): Promise<string[]> {
  const calls = Array.from({ length: count }, (_, i): Call => ({ op: 'CreateChannel', input: { name: `${prefix}-${i}` } }))
  const answers = await sendAll(endpoint, builder, calls)
  return answers.map((res) => String((jsonOf(res).channel as { arn: string }).arn))
}
