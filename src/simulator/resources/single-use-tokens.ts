// The single-use playback tokens a region's playback edge has already honoured. IVS lets a token
// that carries `aws:single-use-uuid` fetch the multivariant playlist once (UG "Generate and Sign
// IVS Playback Tokens"); this is the memory that makes the second fetch a refusal. No API operation
// reads or writes it and a token lives 10 minutes at most, so it is not part of the region's state
// (nor of a --state file): it lives beside RegionState in a WeakMap, and a reset that drops the
// state drops it too.
import type { RegionState } from '../region-state.js'

export class SingleUseTokens {
  /** uuid → the token's `exp` in ms; an entry is useless once its token has expired anyway. */
  readonly #used = new Map<string, number>()

  get size(): number {
    return this.#used.size
  }

  has(uuid: string): boolean {
    return this.#used.has(uuid)
  }

  /**
   * Marks the uuid used until `expiresAtMs`. Such tokens live at most 10 minutes, so dropping the
   * expired entries on each use keeps the map to the tokens of the last 10 minutes.
   */
  use(uuid: string, expiresAtMs: number, nowMs: number): void {
    for (const [key, exp] of this.#used) if (exp < nowMs) this.#used.delete(key)
    this.#used.set(uuid, expiresAtMs)
  }
}

const byRegion = new WeakMap<RegionState, SingleUseTokens>()

export function singleUseTokensOf(state: RegionState): SingleUseTokens {
  let tokens = byRegion.get(state)
  if (!tokens) {
    tokens = new SingleUseTokens()
    byRegion.set(state, tokens)
  }
  return tokens
}
