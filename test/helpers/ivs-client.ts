// A real @aws-sdk/client-ivs client pointed at a running ivs-replay, and a helper to catch its errors.
import { IvsClient } from '@aws-sdk/client-ivs'
import type { RunningServer } from '../../src/index.js'

export function clientFor(
  server: Pick<RunningServer, 'endpoint'>,
  o: { region?: string; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string } = {},
): IvsClient {
  return new IvsClient({
    endpoint: server.endpoint,
    region: o.region ?? 'us-west-2',
    credentials: {
      accessKeyId: o.accessKeyId ?? 'test',
      secretAccessKey: o.secretAccessKey ?? 'test',
      ...(o.sessionToken && { sessionToken: o.sessionToken }),
    },
    maxAttempts: 1,
  })
}

export interface CaughtAwsError {
  name: string
  message: string
  status: number | undefined
  exceptionMessage?: string
}

/** Runs a call that must fail and returns what the SDK made of the error. */
export async function failureOf(promise: Promise<unknown>): Promise<CaughtAwsError> {
  try {
    await promise
  } catch (err) {
    const e = err as { name: string; message: string; exceptionMessage?: string; $metadata?: { httpStatusCode?: number } }
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, exceptionMessage: e.exceptionMessage }
  }
  throw new Error('expected the call to fail, but it succeeded')
}
