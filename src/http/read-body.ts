// Reads a request body into memory with a hard size limit: past it, reading stops and the caller
// answers 413 and closes the connection, so a huge upload costs us nothing more.
import type { IncomingMessage } from 'node:http'
import { AwsError } from '../protocol/aws-error.js'

export const tooLarge = (limit: number) =>
  new AwsError('RequestEntityTooLargeException', 413, `Request body is larger than the limit of ${limit} bytes`, {
    Connection: 'close',
  })

/** Rejected when the client goes away before its body is complete. */
export class ClientAbortedError extends Error {
  constructor() {
    super('client aborted the request')
  }
}

const EMPTY = Buffer.alloc(0)

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))
  // The listeners stay attached: the request object is dropped with them once answered. `settled`
  // makes every outcome after the first a no-op.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      if (size > limit) {
        settled = true
        req.pause()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    })
    req.once('end', () => {
      if (settled) return
      settled = true
      resolve(chunks.length === 1 ? chunks[0] : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size))
    })
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (settled) return
      settled = true
      // A client that disconnects mid-body surfaces here first, as node's `Error: aborted`
      // (ECONNRESET), before 'close': the same client fault, not an internal error.
      reject(err.code === 'ECONNRESET' || err.message === 'aborted' ? new ClientAbortedError() : err)
    })
    // 'close' before 'end': the client disconnected mid-body.
    req.once('close', () => {
      if (settled) return
      settled = true
      reject(new ClientAbortedError())
    })
  })
}
