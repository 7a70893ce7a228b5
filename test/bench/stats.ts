// Small statistics for the benchmark: medians with their spread over rounds, and latency
// percentiles from every sample of a run.

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly n: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median, min and max of the finite values (NaN-filled when there are none). */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 }
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length }
}

/** The p-th percentile (0–100) of sorted values, nearest-rank. */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

/** A growable list of latency samples (ms), kept in a typed array. */
export class Samples {
  #data = new Float64Array(1 << 16)
  #length = 0

  get length(): number {
    return this.#length
  }

  add(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2)
      bigger.set(this.#data)
      this.#data = bigger
    }
    this.#data[this.#length++] = value
  }

  clear(): void {
    this.#length = 0
  }

  sorted(): Float64Array {
    return this.#data.slice(0, this.#length).sort()
  }
}

/** Log-spaced latency histogram: bucket upper bounds in ms and counts (the last bucket is open). */
export function histogram(sorted: Float64Array): { le: number; count: number }[] {
  const bounds = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, Infinity]
  const out = bounds.map((le) => ({ le, count: 0 }))
  let b = 0
  for (const v of sorted) {
    while (v > bounds[b]) b++
    out[b].count++
  }
  return out.filter((x) => x.count > 0)
}
