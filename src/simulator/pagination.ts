// IVS list pagination: opaque `nextToken`s, `maxResults` per operation. A token names the creation
// sequence of the last item returned and a hash of the filters it was issued for, so a page resumes
// correctly after deletes and a token reused with other filters is refused.
import { createHash } from 'node:crypto'
import { validationError } from './ivs-errors.js'

export interface PageRequest {
  readonly maxResults?: number
  readonly nextToken?: string
}

export interface Page<T> {
  readonly items: T[]
  readonly nextToken?: string
}

function filterHash(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters ?? null)).digest('base64url').slice(0, 8)
}

function decodeToken(token: string, hash: string, refuse: (message: string) => Error): number {
  const [seq, tokenHash] = Buffer.from(token, 'base64url').toString('utf8').split(':')
  const after = Number(seq)
  if (!Number.isSafeInteger(after) || after < 0 || tokenHash !== hash) {
    throw refuse('The nextToken is invalid or was issued for a different request')
  }
  return after
}

/**
 * One page of `items` (already filtered, each with its creation `seq`, in the order to return).
 * `order` says whether seq rises ('asc', creation order) or falls ('desc', most recent first);
 * `refuse` builds the calling service's ValidationException for a bad token.
 */
export function paginate<T extends { seq: number }>(
  items: Iterable<T>,
  request: PageRequest,
  defaultMax: number,
  filters?: unknown,
  order: 'asc' | 'desc' = 'asc',
  refuse: (message: string) => Error = validationError,
): Page<T> {
  const hash = filterHash(filters)
  const max = request.maxResults ?? defaultMax
  const after = request.nextToken ? decodeToken(request.nextToken, hash, refuse) : undefined
  const page: T[] = []
  let more = false
  for (const item of items) {
    if (after !== undefined && (order === 'asc' ? item.seq <= after : item.seq >= after)) continue
    if (page.length === max) {
      more = true
      break
    }
    page.push(item)
  }
  if (!more) return { items: page }
  const last = page[page.length - 1].seq
  return { items: page, nextToken: Buffer.from(`${last}:${hash}`).toString('base64url') }
}
