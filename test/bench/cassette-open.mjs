#!/usr/bin/env node
// Time to open a cassette the way `serve --mode hybrid --cassette FILE` does (open the SQLite file,
// migrate, load the replay index), in a process of its own, with the modules already imported so
// that only the opening is timed. Plain JavaScript over the built package (dist/).
//
//   node test/bench/cassette-open.mjs REPO_ROOT FILE  → {"openMs":…,"rssMB":…,"rssBeforeMB":…}
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [repoRoot, file] = process.argv.slice(2)
const load = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', 'src', p)).href)
const { loadConfig } = await load('config/load-config.js')
const { backendsForMode } = await load('app/backends-for-mode.js')
const { Simulator } = await load('simulator/simulator.js')
const { Logger } = await load('log/logger.js')
await Promise.all(['storage/sqlite/sqlite-cassette-store.js', 'cassette/replay-index.js', 'cassette/cassette-backend.js'].map(load))

const config = loadConfig({ env: {}, base: { port: 0 }, overrides: { mode: 'hybrid', cassette: file, logLevel: 'warn' } })
const simulator = new Simulator({ seed: config.seed })
const logger = new Logger('warn')
globalThis.gc?.()
const rssBefore = process.memoryUsage().rss
const t0 = performance.now()
const backends = await backendsForMode(config, { simulator, logger })
const openMs = performance.now() - t0
const rss = process.memoryUsage().rss
await backends.close()
process.stdout.write(JSON.stringify({ openMs, rssMB: rss / 2 ** 20, rssBeforeMB: rssBefore / 2 ** 20 }) + '\n')
