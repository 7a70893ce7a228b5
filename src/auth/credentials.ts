// The access keys the server accepts, and the account each one belongs to.
//
// Secrets stay inside this object: entries are frozen copies, and neither `util.inspect` nor
// `JSON.stringify` of a store shows them (so a stray `logger.debug(store)` leaks nothing).

/** One accepted access key. */
export interface CredentialEntry {
  accessKeyId: string
  secretAccessKey: string
  /** 12 digits; the account the key's requests act in. */
  accountId: string
  /** When set, requests must carry exactly this `X-Amz-Security-Token`; when unset, none at all. */
  sessionToken?: string
  /** ISO 8601; when set, requests after it get ExpiredTokenException. */
  expiresAt?: string
}

/** A credential entry that cannot be used; `field` names it by position (`credentials[1].accessKeyId`). */
export class CredentialProblem extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field} ${problem}`)
    this.name = 'CredentialProblem'
  }
}

const ACCOUNT = /^\d{12}$/

/**
 * Checks credential entries: the one validator, used by the configuration (which reports a
 * CredentialProblem as a ConfigError) and by CredentialStore. Problems name an entry by position
 * and key id only: a bad secret or token is never echoed.
 */
export function checkCredentials(entries: unknown): CredentialEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new CredentialProblem('credentials', 'must be a non-empty list of {accessKeyId, secretAccessKey, accountId}')
  }
  const seen = new Set<string>()
  return entries.map((entry: unknown, i) => {
    const path = `credentials[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new CredentialProblem(path, 'must be an object')
    const e = entry as Record<string, unknown>
    const text = (name: string, secret: boolean): string => {
      const v = e[name]
      if (typeof v !== 'string' || v === '') {
        throw new CredentialProblem(`${path}.${name}`, `must be a non-empty string${secret ? '' : `, got ${JSON.stringify(v)}`}`)
      }
      return v
    }
    const accessKeyId = text('accessKeyId', false)
    if (seen.has(accessKeyId)) throw new CredentialProblem(`${path}.accessKeyId`, 'is listed twice')
    seen.add(accessKeyId)
    const accountId = text('accountId', false)
    if (!ACCOUNT.test(accountId)) throw new CredentialProblem(`${path}.accountId`, 'must be 12 digits')
    const secretAccessKey = text('secretAccessKey', true)
    const sessionToken = e.sessionToken === undefined ? undefined : text('sessionToken', true)
    const expiresAt = e.expiresAt === undefined ? undefined : text('expiresAt', false)
    if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) throw new CredentialProblem(`${path}.expiresAt`, 'must be an ISO 8601 date')
    return { accessKeyId, secretAccessKey, accountId, ...(sessionToken && { sessionToken }), ...(expiresAt && { expiresAt }) }
  })
}

/**
 * Looks access keys up in O(1).
 *
 * @example
 * const store = new CredentialStore([{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '123456789012' }])
 * store.find('test')?.accountId // '123456789012'
 */
export class CredentialStore {
  readonly #byKeyId = new Map<string, Readonly<CredentialEntry>>()

  /** Throws a CredentialProblem on any entry checkCredentials refuses. */
  constructor(entries: readonly CredentialEntry[]) {
    for (const e of checkCredentials(entries)) this.#byKeyId.set(e.accessKeyId, Object.freeze(e))
  }

  find(accessKeyId: string): CredentialEntry | undefined {
    return this.#byKeyId.get(accessKeyId)
  }

  get size(): number {
    return this.#byKeyId.size
  }

  toJSON(): { accessKeyIds: string[] } {
    return { accessKeyIds: [...this.#byKeyId.keys()] }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CredentialStore { ${this.#byKeyId.size} key(s): ${[...this.#byKeyId.keys()].join(', ')} }`
  }
}
