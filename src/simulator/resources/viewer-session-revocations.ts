// The revocations a region has been asked for. IVS has no operation that reads them back, but the
// playback edge refuses the revoked sessions, so they are part of the region's state
// (RegionState.viewerSessionRevocations): a reset drops them, a --state file keeps them.

export interface ViewerSessionRevocation {
  readonly channelArn: string
  readonly viewerId: string
  /** Every session version ≤ this is revoked (M: "Default: 0"). */
  readonly versionsLessThanOrEqualTo: number
  readonly requestedAt: Date
}

/** Enough for any test run; beyond it the oldest entries go, so a long-lived server stays bounded. */
export const MAX_REVOCATIONS_PER_REGION = 10_000

export class ViewerSessionRevocations {
  /** One entry per channel+viewer, in the order they were last revoked (a Map keeps insertion order). */
  readonly #byViewer = new Map<string, ViewerSessionRevocation>()

  get size(): number {
    return this.#byViewer.size
  }

  /** A later revocation of the same viewer widens, never narrows, what is revoked. */
  record(revocation: ViewerSessionRevocation): ViewerSessionRevocation {
    const key = `${revocation.channelArn}\n${revocation.viewerId}`
    const previous = this.#byViewer.get(key)
    const settled: ViewerSessionRevocation = previous
      ? {
          ...revocation,
          versionsLessThanOrEqualTo: Math.max(previous.versionsLessThanOrEqualTo, revocation.versionsLessThanOrEqualTo),
        }
      : revocation
    this.#byViewer.delete(key)
    this.#byViewer.set(key, settled)
    if (this.#byViewer.size > MAX_REVOCATIONS_PER_REGION) {
      this.#byViewer.delete(this.#byViewer.keys().next().value!)
    }
    return settled
  }

  get(channelArn: string, viewerId: string): ViewerSessionRevocation | undefined {
    return this.#byViewer.get(`${channelArn}\n${viewerId}`)
  }

  /** Oldest first, so that restoring keeps which go first past the limit. */
  snapshot(): ViewerSessionRevocationSnapshot[] {
    return [...this.#byViewer.values()].map((r) => ({ ...r, requestedAt: r.requestedAt.toISOString() }))
  }

  static restore(snapshot: readonly ViewerSessionRevocationSnapshot[] = []): ViewerSessionRevocations {
    const revocations = new ViewerSessionRevocations()
    for (const r of snapshot) revocations.record({ ...r, requestedAt: new Date(r.requestedAt) })
    return revocations
  }
}

/** The JSON form of a revocation, in a --state file. */
export type ViewerSessionRevocationSnapshot = Omit<ViewerSessionRevocation, 'requestedAt'> & { readonly requestedAt: string }
