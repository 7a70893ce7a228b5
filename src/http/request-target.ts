// A request line's target as path and raw query: the one parser of it, shared by the server (which
// routes by the path) and the SigV4 verifier (which canonicalizes it), so both read the same path.
// An absolute-form target (`POST http://host/ListChannels`, as sent through a forward proxy) is
// read by its path, as origin-form would be; a fragment, which no client should send, is dropped.
export interface RequestTarget {
  /** Still percent-encoded; '/' when an absolute-form target has none (`http://host?x`). */
  readonly path: string
  /** Without the '?'; '' when there is none. */
  readonly rawQuery: string
}

const SCHEME_AND_AUTHORITY = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/

export function splitTarget(url: string): RequestTarget {
  let target = url
  if (target.charCodeAt(0) !== 0x2f /* '/' */) {
    const m = SCHEME_AND_AUTHORITY.exec(target)
    if (m) target = target.slice(m[0].length)
  }
  const hash = target.indexOf('#')
  if (hash >= 0) target = target.slice(0, hash)
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  return { path: path === '' && target !== url ? '/' : path, rawQuery: q < 0 ? '' : target.slice(q + 1) }
}
