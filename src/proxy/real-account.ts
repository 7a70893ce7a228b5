// The real account behind the real credentials. Recordings show the caller's local account instead
// (recording.rewriteAccountId), so requests carrying local-account ARNs must be turned back into the
// real account before they are forwarded. The real id is learned from what IVS says: the first IVS
// ARN of another account in a successful answer, or the caller named in an error ("User:
// arn:aws:sts::<account>:assumed-role/…"), or from the credentials when their source names it. Other
// ARNs in errors teach nothing: an error may echo an ARN the client made up.
const ARN_ACCOUNT = /arn:aws[a-z-]*:ivs:[a-z0-9-]+:(\d{12}):/g
const CALLER_ACCOUNT = /User: arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/g
const ACCOUNT_ID = /^\d{12}$/

export class RealAccount {
  #id: string | undefined

  constructor(known?: string) {
    if (known !== undefined && ACCOUNT_ID.test(known)) this.#id = known
  }

  /** Undefined until learned. */
  get id(): string | undefined {
    return this.#id
  }

  /** Learns the account from an answer's text, once; local accounts are never taken for it. */
  learn(status: number, answerText: string, localAccounts: ReadonlySet<string>): void {
    if (this.#id !== undefined) return
    const pattern = status >= 200 && status < 300 ? ARN_ACCOUNT : CALLER_ACCOUNT
    for (const m of answerText.matchAll(pattern)) {
      if (!localAccounts.has(m[1])) {
        this.#id = m[1]
        return
      }
    }
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
