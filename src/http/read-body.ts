// Reads a request body into memory with a hard size limit: past it, reading stops and the caller
// answers 413 and closes the connection, so a huge upload costs us nothing more.
import type { IncomingMessage } from 'node:http'
import { AwsError } from '../protocol/aws-error.js'

export const tooLarge = (limit: number) =>
  new AwsError('RequestEntityTooLargeException', 413, `Request body is larger than the limit of ${limit} bytes`, {
    Connection: 'close',
  })

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const onAborted = () => {
      cleanup()
      reject(new Error('client aborted the request'))
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}
