// The server under test, in its own process: started by server-process.ts with a JSON configuration
// as argv[2]. A separate process gives the suite honest RSS numbers, lets client and server use
// both cores, and turns a server crash into a visible exit instead of taking the test runner down.
import { start } from '../../src/index.js'

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
const server = await start({ config })

function memory(): { rss: number; heapUsed: number } {
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed }
}

process.on('message', (message: unknown) => {
  const m = message as { id: number; cmd: 'rss' | 'gc' | 'close' }
  if (m.cmd === 'gc') {
    // --expose-gc: the load test asks for a full collection before it reads the settled RSS.
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    gc?.()
  }
  if (m.cmd === 'close') {
    void server.close().then(() => {
      process.send?.({ id: m.id, ...memory() })
      process.disconnect()
    })
    return
  }
  process.send?.({ id: m.id, ...memory() })
})
process.send?.({ ready: true, endpoint: server.endpoint, port: server.port, ...memory() })
