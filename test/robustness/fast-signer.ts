// A synchronous SigV4 signer on node:crypto for the robustness suite: the reference signer
// (@smithy/signature-v4) is async and allocates heavily, too slow to sign 100k requests in a few
// seconds. It signs exactly what the wire carries (the raw, already-encoded path and query), and the
// sample checks it against the reference signer so the two cannot drift apart unnoticed.
import { createHash, createHmac } from 'node:crypto'

export interface SigningKeyInput {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
  readonly service?: string
}

export interface RequestToSign {
  readonly method: string
  /** The request-target as it goes on the wire: percent-encoded path, optional `?query`. */
  readonly target: string
  /** host[:port] as the Host header will carry it. */
  readonly host: string
  /** Extra headers to send and sign (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>
  readonly body: Buffer
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const keyCache = new Map<string, Buffer>()

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`
  let key = keyCache.get(id)
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
    keyCache.set(id, key)
  }
  return key
}

/** Strict RFC 3986 escaping (the SDKs' `escapeUri`); `/` kept when asked. */
export function rfc3986(text: string, keepSlash = false): string {
  const escaped = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return keepSlash ? escaped.replace(/%2F/g, '/') : escaped
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/

/**
 * One received query component in canonical form, byte by byte: valid `%XX` escapes decoded, a
 * stray `%` taken literally, `+` as a space, then everything but unreserved characters re-escaped.
 * (What the reference signer produces for the decoded value, without choking on `%zz`.)
 */
function canonicalComponent(raw: string): string {
  const bytes: number[] = []
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16))
      i += 2
    } else if (c === '+') {
      bytes.push(0x20)
    } else {
      bytes.push(...Buffer.from(c, 'utf8'))
    }
  }
  let out = ''
  for (const b of bytes) {
    const ch = String.fromCharCode(b)
    out += b < 128 && UNRESERVED.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return ''
  const pairs = rawQuery.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=')
    return [canonicalComponent(eq < 0 ? part : part.slice(0, eq)), canonicalComponent(eq < 0 ? '' : part.slice(eq + 1))] as const
  })
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([n, v]) => `${n}=${v}`).join('&')
}

/** Empty and `.` segments dropped, `..` applied, as @smithy/signature-v4 does before double-encoding. */
function normalizePath(path: string): string {
  const segments: string[] = []
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue
    if (s === '..') segments.pop()
    else segments.push(s)
  }
  return `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`
}

/**
 * Returns the headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256 and
 * authorization, every one of them signed (as the JS SDK does).
 */
export function signRequest(req: RequestToSign, key: SigningKeyInput, now: Date = new Date()): Record<string, string> {
  const service = key.service ?? 'ivs'
  const stamp = amzDate(now)
  const day = stamp.slice(0, 8)
  const payloadHash = req.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex')
  const headers: Record<string, string> = {
    ...req.headers,
    host: req.host,
    'x-amz-date': stamp,
    'x-amz-content-sha256': payloadHash,
  }
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort()
  const q = req.target.indexOf('?')
  const path = q < 0 ? req.target : req.target.slice(0, q)
  const rawQuery = q < 0 ? '' : req.target.slice(q + 1)
  const canonical = [
    req.method,
    // Non-S3 services sign the path percent-encoded once more (`%3A` → `%253A`).
    rfc3986(normalizePath(path), true),
    canonicalQuery(rawQuery),
    names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n')
  const scope = `${day}/${key.region}/${service}/aws4_request`
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`
  const signature = createHmac('sha256', signingKey(key.secretAccessKey, day, key.region, service))
    .update(stringToSign, 'utf8')
    .digest('hex')
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`
  return headers
}
