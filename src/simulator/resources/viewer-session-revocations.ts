// The revocations a region has been asked for. IVS has no operation that reads them back, but the
// simulator keeps them so that state stays coherent (and inspectable from tests and control routes).
// Kept beside RegionState rather than in it: a WeakMap keyed by the region's state shares its
// lifetime, so a reset that drops the state drops its revocations too.
import type { RegionState } from '../region-state.js'

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
}

const byRegion = new WeakMap<RegionState, ViewerSessionRevocations>()

export function revocationsOf(state: RegionState): ViewerSessionRevocations {
  let revocations = byRegion.get(state)
  if (!revocations) {
    revocations = new ViewerSessionRevocations()
    byRegion.set(state, revocations)
  }
  return revocations
}
