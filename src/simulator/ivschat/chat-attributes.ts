// The 1 KB bound on attribute maps (CreateChatToken's `attributes`, SendEvent's; M: "The maximum
// length of this field is 1 KB total"), counted as the UTF-8 bytes of every key and value
// (docs/ivs-behavior.md §14).
import { fieldInvalid } from './chat-errors.js'

export const MAX_ATTRIBUTES_BYTES = 1024

export function checkAttributes(attributes: Record<string, string> | undefined): Record<string, string> {
  let bytes = 0
  for (const [key, value] of Object.entries(attributes ?? {})) bytes += Buffer.byteLength(key) + Buffer.byteLength(value)
  if (bytes > MAX_ATTRIBUTES_BYTES) {
    throw fieldInvalid('attributes', `attributes must be at most ${MAX_ATTRIBUTES_BYTES} bytes in total (keys and values, UTF-8); got ${bytes}`)
  }
  return { ...attributes }
}
