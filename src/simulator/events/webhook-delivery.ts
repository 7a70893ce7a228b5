// Delivers each EventBridge event to a webhook as it happens: POST, JSON body = the event. Delivery is
// in the background and in order, through a bounded queue: enqueue() only pushes, so a slow or dead
// webhook can never block or fail the API request that caused the event. Failed posts are retried
// with exponential backoff, then dropped with a warning; when the queue is full the oldest waiting
// event is dropped (the in-memory event log still has it).
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../../log/logger.js'
import type { IvsEvent } from './ivs-event.js'

export interface WebhookOptions {
  /** Events waiting for delivery before the oldest is dropped. */
  readonly maxQueue?: number
  /** Tries per event, the first included. */
  readonly attempts?: number
  /** Delay before the first retry; doubled for each further one. */
  readonly retryDelayMs?: number
  /** Per try: a webhook that accepts the connection and never answers must not stall the queue. */
  readonly timeoutMs?: number
  readonly logger?: Logger
}

export class WebhookDelivery {
  readonly url: string
  readonly #maxQueue: number
  readonly #attempts: number
  readonly #retryDelayMs: number
  readonly #timeoutMs: number
  readonly #logger: Logger | undefined
  #queue: IvsEvent[] = []
  #draining = false
  #closed = false
  #dropped = 0
  readonly #stop = new AbortController()

  constructor(url: string, options: WebhookOptions = {}) {
    this.url = url
    this.#maxQueue = options.maxQueue ?? 1000
    this.#attempts = options.attempts ?? 4
    this.#retryDelayMs = options.retryDelayMs ?? 200
    this.#timeoutMs = options.timeoutMs ?? 2000
    this.#logger = options.logger
  }

  /** Queues an event and returns at once; never throws. */
  enqueue(event: IvsEvent): void {
    if (this.#closed) return
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift()
      // One warning per backlog, not one per dropped event.
      if (this.#dropped++ === 0) this.#logger?.warn('webhook queue full; dropping oldest undelivered events', { url: this.url })
    }
    this.#queue.push(event)
    if (!this.#draining) void this.#drain()
  }

  /** Stops delivering: pending events are discarded, a post in flight and a retry wait are cut short. */
  close(): void {
    this.#closed = true
    this.#queue = []
    this.#stop.abort()
  }

  async #drain(): Promise<void> {
    this.#draining = true
    try {
      for (let event = this.#queue.shift(); event && !this.#closed; event = this.#queue.shift()) {
        await this.#deliver(event)
      }
      if (this.#dropped > 0) {
        this.#logger?.warn('webhook backlog cleared', { url: this.url, dropped: this.#dropped })
        this.#dropped = 0
      }
    } finally {
      this.#draining = false
    }
  }

  async #deliver(event: IvsEvent): Promise<void> {
    const body = JSON.stringify(event)
    let problem = ''
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#timeoutMs)]),
        })
        // Drain the body so the connection can be reused.
        await res.arrayBuffer()
        if (res.ok) return
        problem = `HTTP ${res.status}`
        // A 4xx other than 408/429 will not change on retry.
        if (res.status < 500 && res.status !== 408 && res.status !== 429) break
      } catch (err) {
        if (this.#closed) return
        problem = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
      }
      if (attempt < this.#attempts) {
        try {
          // unref: a pending retry must not keep the process alive.
          await sleep(this.#retryDelayMs * 2 ** (attempt - 1), undefined, { signal: this.#stop.signal, ref: false })
        } catch {
          return // closed while waiting
        }
      }
    }
    this.#logger?.warn('webhook delivery failed; event dropped', { url: this.url, event: event.id, problem })
  }
}
