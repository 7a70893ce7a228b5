// Reads an HTTP request as people capture it: a proxy's dump or a file (request line, headers, a
// blank line, the body), or `curl -v`'s trace (request lines prefixed with "> ", curl's own notes
// "* …", the response "< …" and data "{ …" / "} …" ignored). LF or CRLF line ends; folded header
// lines (obs-fold) are unfolded with one space, as the SigV4 test suite's get-header-value-multiline
// expects. Headers come back both the way node delivers them (`headers`, names lower-case, repeats
// joined with ', ') and as `rawHeaders`, so the verifier sees exactly what a server would.
import type { IncomingHttpHeaders } from 'node:http'
import type { IncomingSignedRequest } from './verify-sigv4.js'

export class RawRequestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RawRequestError'
  }
}

const REQUEST_LINE = /^([A-Za-z]+) (.+?)(?: (HTTP\/\d(?:\.\d)?))?$/

/** Parses a captured request; throws RawRequestError naming what is missing. */
export function parseRawHttpRequest(bytes: Buffer): IncomingSignedRequest {
  const text = bytes.toString('latin1')
  const curl = /^> /m.test(text) && /^(?:> )?[A-Z]+ \S/m.test(text)
  const lines: string[] = []
  let bodyStart = -1
  let offset = 0
  let started = false
  for (const rawLine of text.split('\n')) {
    const lineEnd = offset + rawLine.length + 1
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine
    offset = lineEnd
    if (curl) {
      if (line === '>') line = ''
      else if (line.startsWith('> ')) line = line.slice(2)
      else continue
      if (line === '') {
        if (started) break
        continue
      }
    } else if (line === '') {
      if (!started) continue
      bodyStart = lineEnd
      break
    }
    started = true
    lines.push(line)
  }
  if (lines.length === 0) throw new RawRequestError('no request line found (expected e.g. "POST /ListChannels HTTP/1.1")')

  // The request target as the client wrote it: UTF-8 (the suite's get-utf8 writes the path raw).
  const requestLine = Buffer.from(lines[0], 'latin1').toString('utf8')
  const m = REQUEST_LINE.exec(requestLine)
  if (!m) throw new RawRequestError(`not a request line: ${JSON.stringify(requestLine.slice(0, 200))}`)
  const [, method, url] = m

  // Header values stay latin1, one character per byte, as node's http parser delivers them.
  const rawHeaders: string[] = []
  for (const line of lines.slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && rawHeaders.length > 0) {
      rawHeaders[rawHeaders.length - 1] += ' ' + line.trim()
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) throw new RawRequestError(`not a header line: ${JSON.stringify(line.slice(0, 200))}`)
    rawHeaders.push(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  const headers: IncomingHttpHeaders = {}
  const target = headers as Record<string, string>
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase()
    const prev = target[name]
    // node keeps the first of a few headers (host, content-type, user-agent, authorization, …) and
    // joins the others; for the verifier only authentication headers matter, which are sent once.
    target[name] = prev === undefined ? rawHeaders[i + 1] : SINGLE.has(name) ? prev : `${prev}, ${rawHeaders[i + 1]}`
  }
  let body = bodyStart >= 0 && bodyStart < bytes.length ? bytes.subarray(bodyStart) : Buffer.alloc(0)
  // A file usually ends with a newline the body never had: Content-Length says where the body ends.
  const length = Number(target['content-length'])
  if (Number.isInteger(length) && length >= 0 && length < body.length) body = body.subarray(0, length)
  return { method: method.toUpperCase(), url, headers, rawHeaders, body }
}

const SINGLE = new Set([
  'host', 'content-type', 'content-length', 'user-agent', 'authorization', 'referer', 'from', 'age', 'etag', 'expires',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization',
  'retry-after', 'server',
])
