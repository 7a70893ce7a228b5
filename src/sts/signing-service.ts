// Which service a request is signed for, read from its credential scope
// (`Credential=<key>/<date>/<region>/<service>/aws4_request`, in the Authorization header or a
// presigned URL's X-Amz-Credential), before anything is verified. It only picks the protocol that
// answers; the verifier of that protocol then checks the whole signature, scope included.
import type { IncomingHttpHeaders } from 'node:http'

const HEADER_SCOPE = /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\//
const QUERY_SCOPE = /(?:^|&)X-Amz-Credential=[^&/]*(?:%2F|\/)[^&/%]*(?:%2F|\/)[^&/%]*(?:%2F|\/)([^&/%]*)(?:%2F|\/)/i

/** The scope's service (`ivs`, `sts`), or undefined for a request that names none. */
export function signingService(headers: IncomingHttpHeaders, rawQuery: string): string | undefined {
  const authorization = headers.authorization
  if (typeof authorization === 'string') return HEADER_SCOPE.exec(authorization)?.[1]
  if (rawQuery.includes('X-Amz-Credential')) return QUERY_SCOPE.exec(rawQuery)?.[1]
  return undefined
}
