#!/usr/bin/env node
// Cold start of the library inside a process: from just before `import('ivs-replay')` to the first
// successful signed answer from the server that `start()` returned. Plain JavaScript so that
// nothing but the import under test is loaded before the clock starts.
//
//   node test/bench/cold-start-library.mjs MODULE PORT REQUEST_BASE64  → {"importMs":…,"startMs":…,"firstAnswerMs":…}
//
// MODULE is dist/src/index.js (what `import 'ivs-replay'` loads) or, under `node --import tsx`,
// src/index.ts. The request is signed in advance for 127.0.0.1:PORT.
import net from 'node:net'
import { pathToFileURL } from 'node:url'

const [modulePath, portText, requestBase64] = process.argv.slice(2)
const port = Number(portText)
const request = Buffer.from(requestBase64, 'base64')

const t0 = performance.now()
const { start } = await import(pathToFileURL(modulePath).href)
const t1 = performance.now()
const server = await start({ port })
const t2 = performance.now()
const status = await new Promise((resolve, reject) => {
  const socket = net.connect({ host: '127.0.0.1', port })
  let head = ''
  socket.on('connect', () => socket.write(request))
  socket.on('data', (chunk) => {
    head += chunk.toString('latin1')
    if (head.includes('\r\n\r\n')) {
      socket.destroy()
      resolve(Number(head.slice(9, 12)))
    }
  })
  socket.on('error', reject)
})
const t3 = performance.now()
await server.close()
process.stdout.write(JSON.stringify({ status, importMs: t1 - t0, startMs: t2 - t1, firstAnswerMs: t3 - t0 }) + '\n')
