// Shutting the HTTP server down without cutting anyone off: stop accepting, close the idle
// keep-alive connections, let every request already under way get its answer (each one on a
// connection that then closes), and only after a bound (10 s by default) cut what is left.
//
// Why not server.close() alone: it waits for busy connections but leaves a keep-alive one open after
// its answer, so close would wait for the client to hang up. And closeAllConnections() right away
// (as before) cut off requests in flight: they were recorded, but their clients got `socket hang up`.
import type http from 'node:http'

export interface GracefulServer {
  /** Requests received and not yet answered (or given up by their client). */
  readonly inFlight: number
  /** Resolves once every connection is gone; at most `graceMs` later, the rest are cut. */
  close(graceMs?: number): Promise<void>
}

export const DEFAULT_GRACE_MS = 10_000

export function gracefulServer(server: http.Server): GracefulServer {
  let inFlight = 0
  let closing = false
  let drained: (() => void) | undefined
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++
    // A request that arrives on a kept-alive connection while closing is answered, then the
    // connection closes.
    if (closing) res.shouldKeepAlive = false
    res.once('close', () => {
      inFlight--
      if (closing) {
        req.socket.destroySoon()
        if (inFlight === 0) drained?.()
      }
    })
  })
  return {
    get inFlight() {
      return inFlight
    },
    close: (graceMs = DEFAULT_GRACE_MS) => new Promise<void>((resolve) => {
      closing = true
      const closed = new Promise<void>((done) => server.close(() => done()))
      server.closeIdleConnections()
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((done) => { drained = done })
      let timer: NodeJS.Timeout | undefined
      const bound = new Promise<void>((done) => { timer = setTimeout(done, graceMs) })
      void Promise.race([idle, bound]).then(() => {
        clearTimeout(timer)
        // Answers are all written (or the bound is up): what remains is idle or overdue.
        server.closeAllConnections()
        return closed
      }).then(resolve)
    }),
  }
}
