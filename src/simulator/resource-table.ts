// One kind of resource in one account and region, in creation order. Every record carries its ARN,
// its tags and a creation sequence number that pagination tokens point at (so a page survives
// deletes of the items before it).
export interface StoredResource {
  arn: string
  tags: Record<string, string>
  /** Creation order within the region; internal, never serialized (not in the model). */
  seq: number
}

export class ResourceTable<T extends StoredResource> {
  readonly #byArn = new Map<string, T>()

  get size(): number {
    return this.#byArn.size
  }

  get(arn: string): T | undefined {
    return this.#byArn.get(arn)
  }

  has(arn: string): boolean {
    return this.#byArn.has(arn)
  }

  /** Adds or replaces (a replayed answer may re-describe a resource we already know). */
  put(record: T): T {
    this.#byArn.set(record.arn, record)
    return record
  }

  delete(arn: string): boolean {
    return this.#byArn.delete(arn)
  }

  /** In creation order (Map keeps insertion order; records are only ever added with a new seq). */
  values(): IterableIterator<T> {
    return this.#byArn.values()
  }

  clear(): void {
    this.#byArn.clear()
  }
}
