// The EventBridge events the simulator has emitted, oldest first, bounded: past `maxEvents` the oldest
// are dropped, so a long-running server's memory stays flat. Readers page with "events after id X"
// (GET /_mock/events?since=X); listeners (the webhook) hear each event as it is appended.
import type { IvsEvent } from './ivs-event.js'

export type EventListener = (event: IvsEvent) => void

export class EventLog {
  readonly #max: number
  /** Retained events are #buffer[#start..]; dropped ones are compacted away now and then, not per drop. */
  #buffer: IvsEvent[] = []
  #start = 0
  /** Absolute position of #buffer[0], so positions stay valid across compactions. */
  #base = 0
  readonly #positionById = new Map<string, number>()
  readonly #listeners: EventListener[] = []

  /** `maxEvents`: config.events.maxEvents (its default lives in config/default.json only). */
  constructor(maxEvents: number) {
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) throw new RangeError(`maxEvents must be a positive integer, got ${maxEvents}`)
    this.#max = maxEvents
  }

  get size(): number {
    return this.#buffer.length - this.#start
  }

  subscribe(listener: EventListener): void {
    this.#listeners.push(listener)
  }

  append(event: IvsEvent): void {
    this.#positionById.set(event.id, this.#base + this.#buffer.length)
    this.#buffer.push(event)
    if (this.size > this.#max) {
      this.#positionById.delete(this.#buffer[this.#start].id)
      this.#start++
      // Compacting only once half the buffer is dead keeps appends amortized O(1).
      if (this.#start >= 1024 && this.#start * 2 >= this.#buffer.length) {
        this.#buffer = this.#buffer.slice(this.#start)
        this.#base += this.#start
        this.#start = 0
      }
    }
    for (const listener of this.#listeners) listener(event)
  }

  /** Every retained event, oldest first. */
  all(): IvsEvent[] {
    return this.#buffer.slice(this.#start)
  }

  /**
   * The events after the one with `id`, oldest first; undefined when no retained event has that id
   * (never emitted, dropped past maxEvents, or cleared by a reset).
   */
  since(id: string): IvsEvent[] | undefined {
    const position = this.#positionById.get(id)
    if (position === undefined) return undefined
    return this.#buffer.slice(position - this.#base + 1)
  }

  /** Forgets every event, or only one account's (as the simulator's reset does with its state). */
  clear(accountId?: string): void {
    const kept = accountId === undefined ? [] : this.all().filter((e) => e.account !== accountId)
    this.#buffer = []
    this.#start = 0
    this.#base = 0
    this.#positionById.clear()
    // Re-appending without listeners: kept events were already delivered once.
    for (const event of kept) {
      this.#positionById.set(event.id, this.#buffer.length)
      this.#buffer.push(event)
    }
  }
}
