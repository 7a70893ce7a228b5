// The real account behind the recording credentials, and the mapping between it and the caller's
// local account. Recordings show the local account (recording.rewriteAccountId), so the real one
// must be known before the first call is forwarded: a local-account ARN in a request has to reach
// the upstream with the real account, in every record mode and after every restart.
//
// It comes from the credentials, never from an answer (an answer may echo any ARN a client made
// up): `upstream.accountId`, else AWS_ACCOUNT_ID, else the account the credential source names
// (SSO, `aws_account_id`), else STS GetCallerIdentity signed with the credentials themselves, at
// `upstream.stsUrl`, else `upstream.url` (single-port stand-ins such as moto and ivs-replay serve
// STS too), else the regional STS endpoint.
import { ConfigError, type Config } from '../config/config.js'
import type { Logger } from '../log/logger.js'
import type { RealCredentials } from './real-credentials.js'
import { CallerIdentityError, stsCallerAccount } from './sts-caller-identity.js'
import { upstreamEndpoint } from './upstream-endpoint.js'
import type { UpstreamForwarder } from './upstream-forwarder.js'

const ACCOUNT_ID = /^\d{12}$/

/**
 * The real account id, or a ConfigError (`upstream.accountId`) with a one-line reason: record
 * mode does not start without it. The id itself is logged at debug only.
 */
export async function resolveRealAccount(o: {
  readonly config: Config
  readonly credentials: RealCredentials
  readonly forwarder: UpstreamForwarder
  readonly logger: Logger
  readonly env?: NodeJS.ProcessEnv
}): Promise<string> {
  const { config, logger } = o
  const env = o.env ?? process.env
  const given: [string | null | undefined, string][] = [
    [config.upstream.accountId, 'upstream.accountId'],
    [env.AWS_ACCOUNT_ID, 'AWS_ACCOUNT_ID'],
    [o.credentials.accountId, 'the credential source'],
  ]
  for (const [id, source] of given) {
    if (id === undefined || id === null || id === '') continue
    if (!ACCOUNT_ID.test(id)) throw new ConfigError('upstream.accountId', `from ${source} must be 12 digits`)
    logger.info('real account from settings', { source })
    logger.debug('real account', { account: id })
    return id
  }
  const url = config.upstream.stsUrl ?? config.upstream.url ?? `https://sts.${config.region}.amazonaws.com`
  const endpoint = upstreamEndpoint(url, config.region)
  try {
    const account = await stsCallerAccount({ endpoint, region: config.region, credentials: o.credentials, forwarder: o.forwarder })
    logger.info('real account from STS GetCallerIdentity', { sts: endpoint.host })
    logger.debug('real account', { account })
    return account
  } catch (err) {
    if (!(err instanceof CallerIdentityError)) throw err
    throw new ConfigError('upstream.accountId',
      `is unknown: record mode asks STS GetCallerIdentity at ${endpoint.origin}${endpoint.basePath} which account the real credentials ` +
      `belong to, and that failed (${err.message}); set upstream.stsUrl, or AWS_ACCOUNT_ID / upstream.accountId to skip the call`)
  }
}

/**
 * Local → real account in an outgoing request, only where an account id stands: an ARN's account
 * field (`:123456789012:`, also percent-encoded as in `/tags/arn%3Aaws%3Aivs%3A…`) or a playback
 * URL's `.<account>.channel.`. Narrower than the recording direction on purpose: this rewrites what
 * the client sent, and a tag value that happens to equal the local account must reach IVS as sent.
 */
export function toRealAccount(text: string, local: string, real: string): string {
  if (local === real || !ACCOUNT_ID.test(local) || !ACCOUNT_ID.test(real) || !text.includes(local)) return text
  return text.replace(new RegExp(`(?<=:|%3[Aa]|\\.)${local}(?=:|%3[Aa]|\\.channel\\.)`, 'g'), real)
}
