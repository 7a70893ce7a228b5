// The real AWS credentials record mode signs with: the AWS default chain (environment, shared config
// and credentials files with `upstream.profile`, SSO, credential_process, web identity, container and
// instance metadata), through the SDK's own provider, so every source the AWS CLI knows works here.
//
// Resolved once at start-up, so a missing or broken profile stops ivs-replay before it listens
// rather than failing the first forwarded request; later calls reuse the SDK's memoised credentials
// and refresh temporary ones before they expire.
import { defaultProvider } from '@aws-sdk/credential-provider-node'
import { ConfigError } from '../config/config.js'

export interface RealCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
  /** Some sources (SSO, AWS_ACCOUNT_ID, aws_account_id) say which account the keys belong to. */
  readonly accountId?: string
}

/** Current credentials; rejects when a refresh fails (an expired SSO session, say). */
export type RealCredentialSource = () => Promise<RealCredentials>

export interface LoadedCredentials {
  readonly source: RealCredentialSource
  /** What the chain gave at start-up. */
  readonly initial: RealCredentials
}

/**
 * Finds the real credentials, or rejects with a ConfigError naming `upstream.profile` (when one is
 * configured) or `credentials`. Messages carry the SDK's reason, which names sources and profiles,
 * never a key.
 */
export async function loadRealCredentials(profile: string | null): Promise<LoadedCredentials> {
  const provider = defaultProvider(profile === null ? {} : { profile })
  const source: RealCredentialSource = async () => {
    const c = await provider()
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken !== undefined && { sessionToken: c.sessionToken }),
      ...(c.accountId !== undefined && { accountId: c.accountId }),
    }
  }
  let initial: RealCredentials
  try {
    initial = await source()
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    if (profile !== null) {
      throw new ConfigError('upstream.profile', `${JSON.stringify(profile)} gives no real AWS credentials for record mode: ${reason}`)
    }
    throw new ConfigError(
      'credentials',
      'for the real AWS upstream were not found: record mode signs with the AWS default credential chain ' +
        '(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or upstream.profile, ~/.aws/credentials, ' +
        `~/.aws/config with SSO or credential_process, container or instance metadata): ${reason}`,
    )
  }
  return { source, initial }
}
