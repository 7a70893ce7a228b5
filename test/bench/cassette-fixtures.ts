// Cassettes for the replay benchmarks, written straight through SqliteCassetteStore (a 100,000-interaction
// recording session would take longer than the whole benchmark). Their answers are real: one
// GetChannel and one ListChannels answer are taken from a simulate-mode ivs-replay, and the
// GetChannel answer is repeated with a distinct channel id per interaction. Identities come from
// the server's own request-identity code, so a replayed request matches exactly as it would after
// a real recording.
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { createChannels, sendAll } from './bench-client.js'
import { RequestBuilder } from './ivs-requests.js'
import { startIvsReplay, type BenchContext } from './targets.js'

export interface AnswerTemplates {
  /** A GetChannel answer body and the 12-character channel id it mentions. */
  readonly getChannel: { body: string; channelId: string }
  /** A ListChannels(maxResults 50) answer body over 1,000 channels. */
  readonly listChannels: string
}

/** Asks a simulate-mode ivs-replay for one GetChannel and one ListChannels answer. */
export async function captureTemplates(ctx: BenchContext): Promise<AnswerTemplates> {
  const server = await startIvsReplay(ctx, 'simulate (answer templates)', ['--seed', '1'])
  try {
    const builder = new RequestBuilder(ctx.profile, server.endpoint, ctx.credentials)
    const arns = await createChannels(server.endpoint, builder, 'bench-channel', 1000)
    const [get, list] = await sendAll(server.endpoint, builder, [
      { op: 'GetChannel', input: { arn: arns[0] } },
      { op: 'ListChannels', input: { maxResults: 50 } },
    ])
    return {
      getChannel: { body: get.body.toString('utf8'), channelId: arns[0].split('/').pop()! },
      listChannels: list.body.toString('utf8'),
    }
  } finally {
    await server.stop()
  }
}

const ACCOUNT = '123456789012'
const REGION = 'us-west-2'
export const channelArn = (id: string) => `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/${id}`
/** 12 alphanumerics, distinct for every i < 36^11. */
export const channelId = (i: number) => 'b' + i.toString(36).padStart(11, '0')

export interface BuiltCassette {
  readonly file: string
  readonly interactions: number
  /** The ARNs of the recorded GetChannel interactions, in recording order. */
  readonly arns: string[]
  readonly buildMs: number
  readonly bytes: number
}

/**
 * Writes a cassette of `count` distinct GetChannel interactions (plus, with `withList`, one
 * ListChannels maxResults=50 interaction) in one transaction.
 */
export async function buildCassette(ctx: BenchContext, name: string, count: number, templates: AnswerTemplates, withList = false): Promise<BuiltCassette> {
  // The repository's own code, loaded only when a replay benchmark runs.
  const { SqliteCassetteStore } = await import('../../src/storage/sqlite/sqlite-cassette-store.js')
  const { requestIdentity } = await import('../../src/cassette/request-identity.js')
  const file = path.join(ctx.workDir, 'cassettes', `${name}.sqlite`)
  const t0 = performance.now()
  const store = await SqliteCassetteStore.open(file)
  const arns: string[] = []
  try {
    const json = { 'content-type': 'application/json' }
    const template = templates.getChannel
    const items = Array.from({ length: count }, (_, i) => {
      const id = channelId(i)
      const arn = channelArn(id)
      arns.push(arn)
      const body = { arn }
      return {
        operation: 'GetChannel',
        identity: requestIdentity({ operation: 'GetChannel', path: '/GetChannel', query: {}, body }),
        request: { method: 'POST', path: '/GetChannel', query: {}, headers: json, body: Buffer.from(JSON.stringify(body)) },
        response: { status: 200, headers: json, body: Buffer.from(template.body.replaceAll(template.channelId, id)) },
      }
    })
    if (withList) {
      const body = { maxResults: 50 }
      items.push({
        operation: 'ListChannels',
        identity: requestIdentity({ operation: 'ListChannels', path: '/ListChannels', query: {}, body }),
        request: { method: 'POST', path: '/ListChannels', query: {}, headers: json, body: Buffer.from(JSON.stringify(body)) },
        response: { status: 200, headers: json, body: Buffer.from(templates.listChannels) },
      })
    }
    await store.replaceAll(items)
  } finally {
    await store.close()
  }
  const buildMs = performance.now() - t0
  return { file, interactions: count + (withList ? 1 : 0), arns, buildMs, bytes: (await stat(file)).size }
}

