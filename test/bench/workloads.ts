// The benchmark's workloads, as per-connection drivers that hand out the next request's bytes:
//   W1  GetChannel on an existing channel            (one pre-signed request, repeated)
//   W2  ListChannels maxResults 50 over 1,000 channels (one pre-signed request, repeated)
//   W3  CreateChannel with a unique name             (signed afresh for every request)
//   W4  a session: CreateChannel → GetChannel → TagResource → ListTagsForResource → DeleteChannel
//       (signed afresh; each step uses the ARN the CreateChannel answer gave)
//   W5  ivs-realtime GetStage on an existing stage   (as client-ivs-realtime signs it: `ivs`)
//   W6  ivschat GetRoom on an existing room           (as client-ivschat signs it: `ivschat`)
// W5 and W6 are W1 on the other two services: the server's hot path (SigV4, routing, validation, the
// simulator's read cache, the response batch) is shared, so they should come as close to the ceiling.
// A pre-signed request stays valid for the server's 5-minute skew window; every load-generator run
// signs its own, so none is older than one run (seconds).
import type { ServiceId } from '../../src/model/service-spec.js'
import type { HttpResponse } from './http-connection.js'
import type { BenchOperation, OperationInput, RequestBuilder } from './ivs-requests.js'

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'] as const
export type WorkloadName = (typeof WORKLOADS)[number]

export const workloadTitles: Readonly<Record<WorkloadName, string>> = {
  W1: 'GetChannel, existing channel',
  W2: 'ListChannels maxResults=50, 1,000 channels',
  W3: 'CreateChannel, unique names (fresh SigV4 each)',
  W4: 'session Create→Get→Tag→ListTags→Delete (fresh SigV4 each)',
  W5: 'ivs-realtime GetStage, existing stage',
  W6: 'ivschat GetRoom, existing room',
}

/** The service each workload's requests are for (and so which SDK client they are written as). */
export const workloadService: Readonly<Record<WorkloadName, ServiceId>> = {
  W1: 'ivs', W2: 'ivs', W3: 'ivs', W4: 'ivs', W5: 'ivs-realtime', W6: 'ivschat',
}

/**
 * W5 and W6 repeat W1's measurement on the other services, so they run at the highest concurrency
 * only (the verdicts' c=32): a few seconds per round instead of twice that.
 */
export function concurrenciesFor(workload: WorkloadName, concurrencies: readonly number[]): readonly number[] {
  return workloadService[workload] === 'ivs' || concurrencies.length === 0 ? concurrencies : [Math.max(...concurrencies)]
}

/** Whether the workload's requests are signed per request in the client. */
export const signsPerRequest = (w: WorkloadName) => w === 'W3' || w === 'W4'

/** What a workload needs to exist on the server before it runs. */
export interface WorkloadSetup {
  /** W1, W5, W6: the channel(s), stage(s) or room(s) to get, cycled over. */
  readonly arns?: readonly string[]
}

export interface Driver {
  /** Bytes of this connection's next request. */
  next(): Buffer
  /** Sees each response (W4 takes the ARN from CreateChannel's answer). */
  observe(response: HttpResponse): void
  /** Complete W4 sessions since the last reset. */
  sessions: number
}

export interface DriverContext {
  readonly builder: RequestBuilder
  readonly setup: WorkloadSetup
  /** Unique per load-generator run and connection, for names. */
  readonly namePrefix: string
  /** Adds the time spent building and signing a fresh request (ms). */
  readonly onSign: (ms: number) => void
}

/** Drivers for one run: pre-signed bytes are built once and shared by every connection. */
export function driverFactory(workload: WorkloadName, ctx: DriverContext): (connection: number) => Driver {
  const timed = (op: BenchOperation, input: OperationInput): Buffer => {
    const t0 = performance.now()
    const bytes = ctx.builder.build(op, input)
    ctx.onSign(performance.now() - t0)
    return bytes
  }
  switch (workload) {
    case 'W1':
    case 'W5':
    case 'W6': {
      const arns = ctx.setup.arns ?? []
      if (arns.length === 0) throw new Error(`${workload} needs at least one ARN to get`)
      const requests = arns.map((arn) =>
        workload === 'W1' ? ctx.builder.build('GetChannel', { arn })
        : workload === 'W5' ? ctx.builder.build('GetStage', { arn })
        : ctx.builder.build('GetRoom', { identifier: arn }))
      // One cursor for all connections: every request takes the next channel, so with many
      // channels no two connections ask for the same one at the same time.
      let i = -1
      return () => ({ sessions: 0, observe() {}, next: () => requests[(i = (i + 1) % requests.length)] })
    }
    case 'W2': {
      const request = ctx.builder.build('ListChannels', { maxResults: 50 })
      return () => ({ sessions: 0, observe() {}, next: () => request })
    }
    case 'W3':
      return (connection) => {
        let n = 0
        return { sessions: 0, observe() {}, next: () => timed('CreateChannel', { name: `${ctx.namePrefix}-${connection}-${n++}` }) }
      }
    case 'W4':
      return (connection) => {
        const steps: BenchOperation[] = ['CreateChannel', 'GetChannel', 'TagResource', 'ListTagsForResource', 'DeleteChannel']
        let step = 0
        let n = 0
        let arn = ''
        const driver: Driver = {
          sessions: 0,
          next() {
            const op = steps[step]
            switch (op) {
              case 'CreateChannel':
                return timed(op, { name: `${ctx.namePrefix}-${connection}-${n++}` })
              case 'TagResource':
                return timed(op, { resourceArn: arn, tags: { bench: 'w4', session: String(n) } })
              case 'ListTagsForResource':
                return timed(op, { resourceArn: arn })
              default:
                return timed(op, { arn })
            }
          },
          observe(response) {
            const ok = response.status >= 200 && response.status < 300
            if (steps[step] === 'CreateChannel') {
              arn = ok ? arnOf(response.body) : ''
              step = arn ? 1 : 0
              return
            }
            if (steps[step] === 'DeleteChannel') {
              if (ok) driver.sessions++
              step = 0
              return
            }
            // A failed step ends the session; the next one starts with a new channel.
            step = ok ? step + 1 : 0
          },
        }
        return driver
      }
  }
}

function arnOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { channel?: { arn?: unknown } }
    return typeof parsed.channel?.arn === 'string' ? parsed.channel.arn : ''
  } catch {
    return ''
  }
}
