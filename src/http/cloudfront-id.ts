// The `x-amz-cf-id` real IVS answers carry (they come through CloudFront; the JS SDK v3 exposes it as
// `$metadata.cfId`). Its format, as seen in public captures: 56 characters, 40 random bytes in
// base64url with its `==` padding, e.g. `gVTg2fjj8GEtnNGKizemRGgS12-e4aUtxy5R8u5EBXAAtspvAhUuXw==`.
import { randomFillSync } from 'node:crypto'

const ID_BYTES = 40
/** Random bytes are drawn a pool at a time: one system call per 256 answers, not one each. */
const POOL = Buffer.alloc(ID_BYTES * 256)
let offset = POOL.length

export function cloudFrontId(): string {
  if (offset + ID_BYTES > POOL.length) {
    randomFillSync(POOL)
    offset = 0
  }
  const id = POOL.toString('base64url', offset, offset + ID_BYTES)
  offset += ID_BYTES
  return `${id}==`
}
