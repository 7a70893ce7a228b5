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

/**
 * Looks access keys up in O(1).
 *
 * @example
 * const store = new CredentialStore([{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '123456789012' }])
 * store.find('test')?.accountId // '123456789012'
 */
export class CredentialStore {
  readonly #byKeyId = new Map<string, Readonly<CredentialEntry>>()

  /** Throws on an entry without a key id or secret, an unparseable `expiresAt`, or a repeated key id. */
  constructor(entries: readonly CredentialEntry[]) {
    for (const [i, e] of entries.entries()) {
      // Messages name the entry by position and key id only, never by secret or token.
      if (!e || typeof e.accessKeyId !== 'string' || e.accessKeyId === '') {
        throw new Error(`credentials[${i}]: accessKeyId must be a non-empty string`)
      }
      if (typeof e.secretAccessKey !== 'string' || e.secretAccessKey === '') {
        throw new Error(`credentials[${i}] (${e.accessKeyId}): secretAccessKey must be a non-empty string`)
      }
      if (e.sessionToken !== undefined && (typeof e.sessionToken !== 'string' || e.sessionToken === '')) {
        throw new Error(`credentials[${i}] (${e.accessKeyId}): sessionToken, when set, must be a non-empty string`)
      }
      if (e.expiresAt !== undefined && Number.isNaN(Date.parse(e.expiresAt))) {
        throw new Error(`credentials[${i}] (${e.accessKeyId}): expiresAt is not an ISO 8601 date: '${e.expiresAt}'`)
      }
      if (this.#byKeyId.has(e.accessKeyId)) {
        throw new Error(`credentials[${i}]: access key id '${e.accessKeyId}' is listed twice`)
      }
      this.#byKeyId.set(e.accessKeyId, Object.freeze({ ...e }))
    }
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
