#!/usr/bin/env node
// The benchmark's ceiling: a bare node:http server that reads each request's body and answers a
// fixed GetChannel body (the simulator's, byte for byte in size and shape) with the headers IVS
// answers carry. Nothing else: no routing, no signature check, no JSON. Plain JavaScript on
// purpose, so that it starts with no loader and its cold start is node's own.
//
//   node test/bench/ceiling-server.mjs [--port N] [--host H]   → prints "ceiling listening on URL"
import { randomUUID } from 'node:crypto'
import http from 'node:http'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}
const port = Number(flag('port', '0'))
const host = flag('host', '127.0.0.1')

const body = Buffer.from(JSON.stringify({
  channel: {
    arn: 'arn:aws:ivs:us-west-2:123456789012:channel/8D3M4bZVOaxg',
    name: 'bench-channel',
    latencyMode: 'LOW',
    type: 'STANDARD',
    recordingConfigurationArn: '',
    ingestEndpoint: 'affad56aa317.global-contribute.live-video.net',
    playbackUrl: 'https://affad56aa317.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.8D3M4bZVOaxg.m3u8',
    authorized: false,
    tags: {},
    insecureIngest: false,
    preset: '',
    srt: {
      endpoint: 'affad56aa317.srt.live-video.net',
      passphrase: '7c39WZB06PmPkz16G9nMQ090CPRVjM50KXxucXNPkPDaSo0ejYKqKp4GlLX3KENb4sx2C4oq07UzPDE',
    },
    playbackRestrictionPolicyArn: '',
    multitrackInputConfiguration: { enabled: false, policy: 'ALLOW', maximumResolution: 'FULL_HD' },
    containerFormat: 'TS',
    adConfigurationArn: '',
  },
}))

const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      'Content-Length': body.length,
    })
    res.end(body)
  })
})
server.keepAliveTimeout = 5000
server.listen(port, host, () => {
  const address = server.address()
  process.stdout.write(`ceiling listening on http://${host}:${address.port}\n`)
})
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
