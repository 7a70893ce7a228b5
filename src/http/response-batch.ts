// Writes the answers of one event-loop turn together, at its end (setImmediate runs after the poll
// phase has handled every connection that was ready).
//
// Why: a response sent to a client that is asleep in epoll_wait must wake it, and the sender pays
// for the wakeup inside its write() system call. On a virtual machine that means an interrupt to a
// halted vCPU: measured here (BENCHMARKS.md notes) it raised a bare node server's write from 6 µs to
// 11–19 µs per response as soon as the server, not the client, was the busy side. Written in one
// burst, only the first response of a turn can find the client asleep. A lone request waits for no
// one: its turn holds just itself, and setImmediate adds about a microsecond.
//
// Order on a connection is unaffected: node queues a pipelined request's response behind the one
// before it whatever the moment end() is called.
export class ResponseBatch<T> {
  #pending: T[] = []
  readonly #write: (item: T) => void
  readonly #onError: (err: unknown, item: T) => void

  /** `write` sends one item; `onError` hears of a write that threw (the others are still sent). */
  constructor(write: (item: T) => void, onError: (err: unknown, item: T) => void) {
    this.#write = write
    this.#onError = onError
  }

  push(item: T): void {
    if (this.#pending.length === 0) setImmediate(this.#flush)
    this.#pending.push(item)
  }

  readonly #flush = (): void => {
    const items = this.#pending
    this.#pending = []
    for (const item of items) {
      try {
        this.#write(item)
      } catch (err) {
        this.#onError(err, item)
      }
    }
  }
}
