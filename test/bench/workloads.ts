// The benchmark's workloads, as per-connection drivers that hand out the next request's bytes:
//   W1  GetChannel on an existing channel            (one pre-signed request, repeated)
//   W2  ListChannels maxResults 50 over 1,000 channels (one pre-signed request, repeated)
//   W3  CreateChannel with a unique name             (signed afresh for every request)
//   W4  a session: CreateChannel → GetChannel → TagResource → ListTagsForResource → DeleteChannel
//       (signed afresh; each step uses the ARN the CreateChannel answer gave)
// A pre-signed request stays valid for the server's 5-minute skew window; every load-generator run
// signs its own, so none is older than one run (seconds).
import type { HttpResponse } from './http-connection.js'
import type { BenchOperation, OperationInput, RequestBuilder } from './ivs-requests.js'

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4'] as const
export type WorkloadName = (typeof WORKLOADS)[number]

export const workloadTitles: Readonly<Record<WorkloadName, string>> = {
  W1: 'GetChannel, existing channel',
  W2: 'ListChannels maxResults=50, 1,000 channels',
  W3: 'CreateChannel, unique names (fresh SigV4 each)',
  W4: 'session Create→Get→Tag→ListTags→Delete (fresh SigV4 each)',
}

/** Whether the workload's requests are signed per request in the client. */
export const signsPerRequest = (w: WorkloadName) => w === 'W3' || w === 'W4'

/** What a workload needs to exist on the server before it runs. */
export interface WorkloadSetup {
  /** W1: the channel(s) to get, cycled over. */
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
    case 'W1': {
      const arns = ctx.setup.arns ?? []
      if (arns.length === 0) throw new Error('W1 needs at least one channel ARN')
      const requests = arns.map((arn) => ctx.builder.build('GetChannel', { arn }))
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
