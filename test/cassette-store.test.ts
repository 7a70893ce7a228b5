// The cassette stores: one contract suite run against the SQLite store and the in-memory one (the
// same assertions, so the memory store is held to the semantics the SQLite one has), then what only
// the SQLite files have (modes, WAL, migrations, damage, SIGKILL, the driver), and the --state file.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileMigrationProvider, Kysely, Migrator, NO_MIGRATIONS, sql, type Generated } from 'kysely'
import { promises as fsp } from 'node:fs'
import t, { type Test } from 'tap'
import { ReplayIndex } from '../src/cassette/replay-index.js'
import { CassetteError } from '../src/storage/cassette-error.js'
import { MemoryCassette, MemoryCassetteStore } from '../src/storage/memory-cassette-store.js'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import { SqliteStateStore } from '../src/storage/sqlite/sqlite-state-store.js'
import type { CassetteStore, DescribedResources, NewInteraction } from '../src/storage/storage.js'
import { migrationFolder } from '../src/storage/sqlite/migrate-cassette.js'
import { openSqlite3 } from '../src/storage/sqlite/open-sqlite3.js'
import { Sqlite3Dialect } from '../src/storage/sqlite/sqlite3-dialect.js'

const MIGRATIONS = ['2026_11_26_0001_interactions', '2026_12_02_0001_interaction_resources']
const here = path.dirname(fileURLToPath(import.meta.url))
const storeModule = path.join(here, '..', 'src', 'storage', 'sqlite', 'sqlite-cassette-store.ts')
/** A --state file written by the code before the state store (see test/fixtures/state/make-v0-state.mts). */
const V0_STATE = path.join(here, 'fixtures', 'state', 'v0-state.sqlite')

function interaction(identity: string, n: number, body: Buffer = Buffer.from(`response ${n}`)): NewInteraction {
  return {
    operation: 'GetChannel',
    identity,
    request: { method: 'POST', path: '/GetChannel', query: { n: [String(n)] }, headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"n":${n}}`) },
    response: { status: 200, headers: { 'x-amzn-requestid': `req-${n}` }, body },
  }
}

/** Runs SQL on the file through a plain sqlite3 handle, outside the store. */
async function rawQuery<R>(file: string, query: string, params: unknown[] = []): Promise<R[]> {
  const db = await openSqlite3(file)
  try {
    return await new Promise<R[]>((resolve, reject) => db.all<R>(query, params, (err, rows) => (err ? reject(err) : resolve(rows))))
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()))
  }
}

const mode = (p: string) => statSync(p).mode & 0o777

/** Opens a store on one cassette (a file, a MemoryCassette): each call opens another store on it. */
type Opener = (options?: { readOnly?: boolean }) => Promise<CassetteStore>

const IMPLEMENTATIONS: readonly { name: string; fresh: (t: Test) => Opener }[] = [
  {
    name: 'SqliteCassetteStore',
    fresh: (t) => {
      const file = path.join(t.testdir(), 'c.cassette')
      return (options) => SqliteCassetteStore.open(file, options)
    },
  },
  {
    name: 'MemoryCassetteStore',
    fresh: () => {
      const cassette = new MemoryCassette()
      return (options) => MemoryCassetteStore.open(cassette, options)
    },
  },
]

const CONTRACT: [string, (t: Test, open: Opener) => Promise<void>][] = [
  ['append + all round-trip, bodies byte for byte', async (t, open) => {
    const store = await open()
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const big = Buffer.alloc(1 << 20)
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff
    const inputs: NewInteraction[] = [
      { ...interaction('a', 0, everyByte), request: { method: 'PUT', path: '/TagResource/arn%3Aaws', query: { k: ['1', 'two'], e: [''] }, headers: { 'x-é': 'ü ✓' }, body: Buffer.alloc(0) } },
      interaction('b', 1, Buffer.alloc(0)),
      { ...interaction('a', 2, big), recordedAt: '2026-01-02T03:04:05.000Z' },
    ]
    const appended = []
    for (const i of inputs) appended.push(await store.append(i))
    t.same(appended.map((a) => [a.id, a.seq, a.usedAt]), [[1, 0, null], [2, 0, null], [3, 1, null]])
    t.equal(appended[2]!.recordedAt, '2026-01-02T03:04:05.000Z')
    t.match(appended[0]!.recordedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    await store.close()

    const reopened = await open()
    t.teardown(() => reopened.close())
    const all = await reopened.all()
    t.same(all, appended, 'all() returns exactly what append() returned')
    for (const [k, a] of all.entries()) {
      t.ok(Buffer.isBuffer(a.response.body) && a.response.body.equals(inputs[k]!.response.body), `response body ${k} byte-exact`)
      t.ok(a.request.body.equals(inputs[k]!.request.body), `request body ${k} byte-exact`)
    }
    t.same(all[0]!.request, inputs[0]!.request)
    // What a call is given or gives back is the caller's: changing it changes nothing stored.
    inputs[1]!.response.body = Buffer.from('changed after append')
    all[0]!.response.body.fill(0)
    all[0]!.request.headers['x-é'] = 'changed'
    const again = await reopened.get(1)
    t.ok(again!.response.body.equals(everyByte), 'a read body changed by its reader is not the stored one')
    t.equal(again!.request.headers['x-é'], 'ü ✓')
    t.equal((await reopened.response(2))!.body.length, 0)
  }],

  ['200 concurrent appends over 5 identities get distinct, ordered seqs', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => store.append(interaction(`id-${n % 5}`, n))))
    const all = await store.all()
    t.equal(all.length, 200)
    t.same(all, [...results].sort((x, y) => x.id - y.id))
    for (let k = 0; k < 5; k++) {
      const mine = all.filter((a) => a.identity === `id-${k}`)
      t.same(mine.map((a) => a.seq), Array.from({ length: 40 }, (_, i) => i), `id-${k}: seq 0..39 in id order`)
    }
    // calls were served in the order they were made
    t.same(results.map((r) => r.id), Array.from({ length: 200 }, (_, i) => i + 1))
  }],

  ['markUsed, prune and deleteUnused; seq is renumbered densely', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    for (let n = 0; n < 12; n++) await store.append(interaction(`id-${n % 3}`, n)) // ids 1..12, id-0: 1,4,7,10
    await store.markUsed([1, 7, 7, 8, 12], '2026-11-26T00:00:00.000Z')
    await store.markUsed([])
    let all = await store.all()
    t.same(all.filter((a) => a.usedAt !== null).map((a) => a.id), [1, 7, 8, 12])
    t.equal(all[0]!.usedAt, '2026-11-26T00:00:00.000Z')
    // Only a first use is stamped: a later mark leaves an existing stamp alone.
    await store.markUsed([1, 4], '2026-11-27T00:00:00.000Z')
    all = await store.all()
    t.same([all[0]!.usedAt, all[3]!.usedAt], ['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'])

    t.equal(await store.prune(new Set([1, 2, 3, 7, 8, 10, 12])), 5) // drops 4, 5, 6, 9, 11
    all = await store.all()
    t.same(all.map((a) => [a.id, a.identity, a.seq]), [
      [1, 'id-0', 0], [2, 'id-1', 0], [3, 'id-2', 0], [7, 'id-0', 1], [8, 'id-1', 1], [10, 'id-0', 2], [12, 'id-2', 1],
    ])
    t.equal(await store.prune(new Set(all.map((a) => a.id))), 0, 'keeping everything deletes nothing')

    t.equal(await store.deleteUnused(), 3) // 2, 3, 10
    all = await store.all()
    t.same(all.map((a) => [a.id, a.identity, a.seq]), [[1, 'id-0', 0], [7, 'id-0', 1], [8, 'id-1', 0], [12, 'id-2', 0]])
    const next = await store.append(interaction('id-0', 99))
    t.same([next.id, next.seq], [13, 2], 'ids never reused, seq continues after the survivors')
    t.equal(await store.integrityCheck(), 'ok')
  }],

  ['replaceAll swaps the whole set atomically', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.append(interaction('old', 0))
    await store.append(interaction('old', 1))
    const items = Array.from({ length: 1200 }, (_, n) => ({ ...interaction(`h${n % 2}`, n), recordedAt: `2025-01-01T00:00:00.${String(n % 1000).padStart(3, '0')}Z` }))
    await store.replaceAll(items)
    let all = await store.all()
    t.equal(all.length, 1200)
    t.ok(all.every((a) => a.id > 2), 'new ids')
    t.same(all.slice(0, 4).map((a) => [a.identity, a.seq]), [['h0', 0], ['h1', 0], ['h0', 1], ['h1', 1]])
    t.equal(all[1199]!.seq, 599)
    t.equal(all[5]!.recordedAt, '2025-01-01T00:00:00.005Z')
    t.same(all[7]!.request, items[7]!.request)

    // a bad item half-way: nothing of the import is kept, the previous set stays
    const bad = [interaction('x', 0), { ...interaction('x', 1), response: { status: 200, headers: {}, body: 'not a buffer' as unknown as Buffer } }]
    await t.rejects(store.replaceAll(bad), { name: 'CassetteError', message: /replaceAll failed: .*BLOB/ })
    all = await store.all()
    t.equal(all.length, 1200, 'old set intact after a failed import')
    await store.replaceAll([])
    t.same(await store.all(), [])
    t.equal((await store.append(interaction('y', 0))).id, 1203, 'ids keep growing after an import')
  }],

  ['meta persists across reopen', async (t, open) => {
    const store = await open()
    t.equal(await store.getMeta('created_by'), undefined)
    await store.setMeta('created_by', 'ivs-replay 0.1.0')
    await store.setMeta('account', '123456789012')
    await store.setMeta('account', '000000000000')
    await store.close()

    const again = await open()
    t.teardown(() => again.close())
    t.equal(await again.getMeta('created_by'), 'ivs-replay 0.1.0')
    t.equal(await again.getMeta('account'), '000000000000')
  }],

  ['what replay reads: index pages, responses, ids, operations, resources, ages', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    const described: DescribedResources = { full: ['arn:aws:ivs:us-west-2:123456789012:channel/a'], summary: [], effect: [] }
    await store.append({ ...interaction('g', 0), recordedAt: '2026-01-01T00:00:00.000Z', resources: described })
    await store.append({ ...interaction('g', 1), recordedAt: '2026-02-01T00:00:00.000Z' })
    await store.append({ ...interaction('l', 2), operation: 'ListChannels', recordedAt: '2026-03-01T00:00:00.000Z' })
    await store.append({ ...interaction('e', 3), response: { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: Buffer.from('{}') } })

    t.same(await store.indexEntries(), [
      { id: 1, identity: 'g', seq: 0, operation: 'GetChannel' }, { id: 2, identity: 'g', seq: 1, operation: 'GetChannel' },
      { id: 3, identity: 'l', seq: 0, operation: 'ListChannels' }, { id: 4, identity: 'e', seq: 0, operation: 'GetChannel' },
    ])
    t.same((await store.indexEntries(1, 2)).map((e) => e.id), [2, 3], 'a page after an id')
    t.same(await store.indexEntries(4, 10), [])
    t.same(await store.response(4), { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: Buffer.from('{}') })
    t.equal(await store.response(99), undefined)
    t.equal(await store.get(99), undefined)
    t.same((await store.byIds([4, 2, 99, 2])).map((i) => i.id), [2, 4], 'those that exist, in id order, once each')
    t.same((await store.ofOperation('GetChannel')).map((i) => i.id), [1, 2, 4])
    t.same(await store.ofOperation('DeleteChannel'), [])
    t.same(await store.resourceEntries(0, 10), [
      { id: 1, operation: 'GetChannel', resources: JSON.stringify(described) },
      { id: 2, operation: 'GetChannel', resources: null },
      { id: 3, operation: 'ListChannels', resources: null },
    ], 'successes only, with what each describes where it was computed')
    t.same((await store.resourceEntries(1, 1)).map((e) => e.id), [2])
    t.same(await store.recordedBefore('2026-02-15T00:00:00.000Z'), { count: 2, oldest: '2026-01-01T00:00:00.000Z' })
    t.same(await store.recordedBefore('2000-01-01T00:00:00.000Z'), { count: 0, oldest: null })
  }],

  ['the replay index answers from the store in recorded order, then marks first uses', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    const [same, other, never] = ['same', 'other', 'never'].map((s) => createHash('sha256').update(s).digest('hex'))
    for (let n = 0; n < 3; n++) await store.append(interaction(same!, n))
    await store.append(interaction(other!, 3))
    const index = await ReplayIndex.load(store)
    t.equal(index.size, 4)
    const bodies = []
    for (let n = 0; n < 4; n++) bodies.push((await index.take(same!))!.response.body.toString())
    t.same(bodies, ['response 0', 'response 1', 'response 2', 'response 2'], 'in order, then the last repeats')
    t.equal(await index.take(never!), undefined)
    await index.flushUsed()
    t.same((await store.all()).map((i) => i.usedAt !== null), [true, true, true, false])
  }],

  ['read-only open reads but never writes', async (t, open) => {
    const rw = await open()
    await rw.append(interaction('h', 1))
    await rw.close()
    const ro = await open({ readOnly: true })
    t.teardown(() => ro.close())
    t.equal(ro.readOnly, true)
    t.equal((await ro.all()).length, 1)
    await t.rejects(ro.append(interaction('h', 2)), { name: 'CassetteError', message: /append failed: .*readonly/i })
    await t.rejects(ro.setMeta('k', 'v'), { name: 'CassetteError', message: /setMeta failed: .*readonly/i })
    await t.rejects(ro.markUsed([1]), { name: 'CassetteError', message: /markUsed failed: .*readonly/i })
    await t.rejects(ro.deleteUnused(), { name: 'CassetteError', message: /deleteUnused failed: .*readonly/i })
    await t.rejects(ro.replaceAll([]), { name: 'CassetteError', message: /replaceAll failed: .*readonly/i })
    t.same((await ro.all()).map((i) => [i.id, i.usedAt]), [[1, null]], 'nothing changed')
  }],

  ['close waits for calls in flight, then refuses new ones', async (t, open) => {
    const store = await open()
    const pending = Array.from({ length: 50 }, (_, n) => store.append(interaction('h', n)))
    await store.close()
    t.equal((await Promise.all(pending)).length, 50)
    await t.rejects(store.all(), { name: 'CassetteError', message: /all after close/ })
    await store.close()
    const again = await open()
    t.teardown(() => again.close())
    t.equal((await again.all()).length, 50)
  }],

  ['a failed append rolls back and the store carries on', async (t, open) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.append(interaction('h', 0))
    const bad = { ...interaction('h', 1), request: { ...interaction('h', 1).request, body: 'text' as unknown as Buffer } }
    await t.rejects(store.append(bad), { name: 'CassetteError', message: /append failed: .*BLOB/ })
    const next = await store.append(interaction('h', 2))
    t.same([next.id, next.seq], [2, 1])
    t.equal((await store.all()).length, 2)
  }],

  ['two stores (as two processes would) append to one cassette without clashing', async (t, open) => {
    const a = await open()
    const b = await open()
    t.teardown(async () => { await a.close(); await b.close() })
    await Promise.all(Array.from({ length: 60 }, (_, n) => (n % 2 ? a : b).append(interaction(`h${n % 3}`, n))))
    const all = await a.all()
    t.equal(all.length, 60)
    for (let k = 0; k < 3; k++) {
      t.same(all.filter((x) => x.identity === `h${k}`).map((x) => x.seq), Array.from({ length: 20 }, (_, i) => i), `h${k} dense`)
    }
  }],

  ['assertNotOpenElsewhere refuses while another store has the cassette open', async (t, open) => {
    const a = await open()
    t.teardown(() => a.close())
    await a.assertNotOpenElsewhere('pruning it')
    const b = await open()
    await t.rejects(a.assertNotOpenElsewhere('pruning it'), { name: 'CassetteError', message: /is open in another .*stop it before pruning it/ })
    await b.close()
    await a.assertNotOpenElsewhere('pruning it')
    await a.append(interaction('h', 0))
    t.equal((await a.all()).length, 1, 'the store carries on after the check')
  }],
]

for (const impl of IMPLEMENTATIONS) {
  t.test(`${impl.name} keeps the cassette store contract`, async (t) => {
    for (const [name, check] of CONTRACT) await t.test(name, (t) => check(t, impl.fresh(t)))
  })
}

t.test('open creates private folders and file, WAL mode; missing file without create is refused', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'a', 'b', 'x.cassette')
  const store = await SqliteCassetteStore.open(file)
  t.equal(store.location, file)
  t.equal(mode(path.join(dir, 'a')), 0o700)
  t.equal(mode(path.join(dir, 'a', 'b')), 0o700)
  t.equal(mode(file), 0o600)
  await store.append(interaction('h', 0))
  t.ok(existsSync(`${file}-wal`), 'WAL file exists while open')
  t.equal(mode(`${file}-wal`), 0o600, 'the WAL is private too')
  await store.close()
  t.equal(statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0, 0, 'close checkpoints the WAL')
  const [{ journal_mode }] = await rawQuery<{ journal_mode: string }>(file, 'pragma journal_mode')
  t.equal(journal_mode, 'wal')

  const missing = path.join(dir, 'nope', 'y.cassette')
  await t.rejects(SqliteCassetteStore.open(missing, { create: false }), { name: 'CassetteError', file: missing, message: /does not exist/ })
  await t.rejects(SqliteCassetteStore.open(missing, { readOnly: true }), { name: 'CassetteError', message: /does not exist/ })
  t.notOk(existsSync(path.join(dir, 'nope')), 'nothing created')
})

t.test('migration is applied once; reopening changes nothing', async (t) => {
  const file = path.join(t.testdir(), 'm.cassette')
  await (await SqliteCassetteStore.open(file)).close()
  const history = await rawQuery<{ name: string; timestamp: string }>(file, 'select name, timestamp from kysely_migration')
  t.same(history.map((r) => r.name), MIGRATIONS)
  const tables = await rawQuery<{ name: string }>(file, "select name from sqlite_master where type in ('table','index') and name not like 'sqlite_%' order by name")
  t.same(tables.map((r) => r.name), ['interactions', 'interactions_identity_seq', 'kysely_migration', 'kysely_migration_lock', 'meta', 'simulator_state'])
  const [{ schema_version: before }] = await rawQuery<{ schema_version: number }>(file, 'pragma schema_version')

  await (await SqliteCassetteStore.open(file)).close()
  t.same(await rawQuery(file, 'select name, timestamp from kysely_migration'), history)
  const [{ schema_version: after }] = await rawQuery<{ schema_version: number }>(file, 'pragma schema_version')
  t.equal(after, before, 'schema untouched by a second open')
})

t.test('a cassette from a newer schema is refused without migrating', async (t) => {
  const file = path.join(t.testdir(), 'n.cassette')
  await (await SqliteCassetteStore.open(file)).close()
  const db = await openSqlite3(file)
  await new Promise<void>((resolve, reject) =>
    db.run("insert into kysely_migration (name, timestamp) values ('2099_01_01_0001_holograms', '2099-01-01T00:00:00.000Z')", (err) => (err ? reject(err) : resolve())))
  await new Promise<void>((resolve) => db.close(() => resolve()))

  const err = await SqliteCassetteStore.open(file).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof CassetteError)
  t.match((err as Error).message, file)
  t.match((err as Error).message, /newer ivs-replay/)
  t.match((err as Error).message, /2099_01_01_0001_holograms/)
  await t.rejects(SqliteCassetteStore.open(file, { readOnly: true }), { message: /2099_01_01_0001_holograms/ })
  t.same((await rawQuery<{ name: string }>(file, 'select name from kysely_migration order by name')).map((r) => r.name),
    [...MIGRATIONS, '2099_01_01_0001_holograms'], 'history untouched')
})

t.test('garbage, foreign and corrupt files give clear errors', async (t) => {
  const dir = t.testdir({ 'garbage.cassette': 'this is not a database, just text\n'.repeat(200), 'folder.cassette': {}, 'empty.cassette': '' })
  // An empty file (e.g. left by a process killed right after creating it) is a valid, empty cassette.
  const empty = await SqliteCassetteStore.open(path.join(dir, 'empty.cassette'))
  t.same(await empty.all(), [])
  await empty.close()
  const garbage = path.join(dir, 'garbage.cassette')
  await t.rejects(SqliteCassetteStore.open(garbage), { name: 'CassetteError', file: garbage, message: /garbage\.cassette: cannot be opened: .*not a database/ })
  await t.rejects(SqliteCassetteStore.open(garbage, { readOnly: true }), { name: 'CassetteError', message: /not a database/ })
  t.equal(readFileSync(garbage, 'utf8').slice(0, 12), 'this is not ', 'garbage file left as it was')
  await t.rejects(SqliteCassetteStore.open(path.join(dir, 'folder.cassette')), { name: 'CassetteError', message: /not a regular file/ })

  const foreign = path.join(dir, 'foreign.db')
  await rawQuery(foreign, 'create table customers (id integer primary key)')
  await t.rejects(SqliteCassetteStore.open(foreign), { name: 'CassetteError', message: /not an ivs-replay cassette.*customers/ })

  // A real cassette with its pages overwritten behind the header: SQLite must report it, not crash.
  const corrupt = path.join(dir, 'corrupt.cassette')
  const store = await SqliteCassetteStore.open(corrupt)
  await store.replaceAll(Array.from({ length: 200 }, (_, n) => interaction(`h${n}`, n, Buffer.alloc(3000, n))))
  await store.close()
  const fd = openSync(corrupt, 'r+')
  const size = statSync(corrupt).size
  for (let off = 4096; off < size; off += 4096 * 3) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, off)
  closeSync(fd)
  let reported = ''
  try {
    const damaged = await SqliteCassetteStore.open(corrupt)
    try {
      reported = await damaged.integrityCheck()
      await damaged.all()
    } catch (e) {
      reported ||= String(e)
      t.type(e, CassetteError)
      t.match((e as Error).message, corrupt)
    } finally {
      await damaged.close().catch(() => undefined)
    }
  } catch (e) {
    t.type(e, CassetteError)
    t.match((e as Error).message, corrupt)
    reported = (e as Error).message
  }
  t.not(reported, 'ok', `corruption reported: ${reported.split('\n')[0]}`)
})

t.test('a read-only open never creates the file', async (t) => {
  const file = path.join(t.testdir(), 'ro.cassette')
  await t.rejects(SqliteCassetteStore.open(file, { readOnly: true, create: true }), { name: 'CassetteError' })
  t.notOk(existsSync(file))
})

t.test('every append that resolved survives SIGKILL of the process', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'k.cassette')
  const script = path.join(dir, 'child.mts')
  writeFileSync(script, `
    const { SqliteCassetteStore } = await import(${JSON.stringify(storeModule)})
    const store = await SqliteCassetteStore.open(process.argv[2])
    const body = Buffer.alloc(8000, 0x5a) // ~3 WAL frames per append: the WAL passes its 1000-page auto-checkpoint
    for (let n = 0; ; n++) {
      const saved = await store.append({
        operation: 'CreateChannel', identity: 'h' + (n % 7),
        request: { method: 'POST', path: '/CreateChannel', query: {}, headers: {}, body: Buffer.from(String(n)) },
        response: { status: 200, headers: {}, body },
      })
      process.stdout.write(saved.id + '\\n')
    }
  `)
  const KILL_AFTER = 500
  const env = { ...process.env }
  delete env.NODE_OPTIONS // tap's loaders; the child runs under tsx alone
  const child = spawn(process.execPath, ['--import', 'tsx', script, file], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exit = new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on('exit', (_code, signal) => resolve(signal))
    child.on('error', reject)
  })
  let stalled = false
  const watchdog = setTimeout(() => { stalled = true; child.kill('SIGKILL') }, 20_000)
  t.teardown(() => { clearTimeout(watchdog); if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    if (out.split('\n').length > KILL_AFTER && child.exitCode === null) child.kill('SIGKILL')
  })
  t.equal(await exit, 'SIGKILL', `child was killed (stderr: ${stderr.slice(0, 500)})`)
  clearTimeout(watchdog)
  t.notOk(stalled, `child reached ${KILL_AFTER} appends within 20 s (stdout lines: ${out.split('\n').length - 1}, stderr: ${stderr.slice(0, 500)})`)

  const printed = out.split('\n').slice(0, -1).map(Number) // the last piece may be a partial line
  t.ok(printed.length >= KILL_AFTER, `${printed.length} appends confirmed before the kill`)
  t.ok((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0, 'killed with commits still in the WAL')

  const store = await SqliteCassetteStore.open(file)
  t.teardown(() => store.close())
  t.equal(await store.integrityCheck(), 'ok')
  const ids = new Set((await store.all()).map((a) => a.id))
  t.ok(ids.size >= printed.length, `${ids.size} stored`)
  t.same(printed.filter((id) => !ids.has(id)), [], 'every confirmed id is present')
})

t.test('migration down removes the schema, up restores it', async (t) => {
  const file = path.join(t.testdir(), 'd.cassette')
  await (await SqliteCassetteStore.open(file)).close()
  const db = new Kysely<unknown>({ dialect: new Sqlite3Dialect({ database: () => openSqlite3(file) }) })
  t.teardown(() => db.destroy())
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs: fsp, path, migrationFolder }) })
  const down = await migrator.migrateTo(NO_MIGRATIONS)
  t.equal(down.error, undefined)
  const tables = await rawQuery<{ name: string }>(file, "select name from sqlite_master where name in ('interactions','meta','simulator_state')")
  t.same(tables, [])
  const up = await migrator.migrateToLatest()
  t.same(up.results?.map((r) => [r.migrationName, r.status]), MIGRATIONS.map((m) => [m, 'Success']))
})

t.test('sqlite3 dialect: returning, transactions, savepoints, streaming, errors', async (t) => {
  interface Db { t: { id: Generated<number>; v: string } }
  const db = new Kysely<Db>({ dialect: new Sqlite3Dialect({ database: () => openSqlite3(path.join(t.testdir(), 'k.db')) }) })
  t.teardown(() => db.destroy())
  await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text', (c) => c.notNull().unique()).execute()

  const inserted = await db.insertInto('t').values({ v: 'a' }).executeTakeFirstOrThrow()
  t.equal(inserted.insertId, 1n)
  t.same(await db.insertInto('t').values({ v: 'b' }).returning(['id', 'v']).execute(), [{ id: 2, v: 'b' }])
  t.equal((await db.updateTable('t').set({ v: 'B' }).where('id', '=', 2).executeTakeFirst()).numUpdatedRows, 1n)

  await t.rejects(db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ v: 'c' }).execute()
    await trx.insertInto('t').values({ v: 'a' }).execute() // unique violation
  }), { message: /UNIQUE/ })
  t.same((await db.selectFrom('t').select('v').orderBy('id').execute()).map((r) => r.v), ['a', 'B'], 'rolled back')

  const trx = await db.startTransaction().execute()
  await trx.insertInto('t').values({ v: 'kept' }).execute()
  const sp = await trx.savepoint('sp1').execute()
  await sp.insertInto('t').values({ v: 'dropped' }).execute()
  const back = await sp.rollbackToSavepoint('sp1').execute()
  await back.releaseSavepoint('sp1').execute()
  await trx.commit().execute()

  const streamed: string[] = []
  for await (const row of db.selectFrom('t').select('v').orderBy('id').stream()) streamed.push(row.v)
  t.same(streamed, ['a', 'B', 'kept'])
  await t.rejects(db.deleteFrom('t').stream().next(), /only streams SELECT/)
  await t.rejects(sql`select * from nowhere`.execute(db), { message: /no such table/ })
})
t.test('simulator state persists across reopen', async (t) => {
  const file = path.join(t.testdir(), 'state.sqlite')
  const store = await SqliteStateStore.open(file)
  t.equal(await store.loadState('channels'), undefined)
  const state = { channels: [{ arn: 'arn:aws:ivs:us-west-2:1:channel/abc', tags: { a: 'b' } }], n: 3, ok: true, none: null }
  await store.saveState('channels', state)
  await store.saveState('counter', 1)
  await store.saveState('counter', 2)
  await t.rejects(store.saveState('bad', undefined), { name: 'StateFileError', message: /not JSON-serialisable/ })
  await store.close()

  const again = await SqliteStateStore.open(file)
  t.teardown(() => again.close())
  t.same(await again.loadState('channels'), state)
  t.equal(await again.loadState('counter'), 2)
  t.equal(await again.loadState('bad'), undefined)
})

t.test('a new state file holds the state and nothing of a cassette', async (t) => {
  const file = path.join(t.testdir(), 'a', 'state.sqlite')
  const store = await SqliteStateStore.open(file)
  t.equal(store.location, file)
  await store.saveState('simulator', { format: 1, states: [] })
  await store.close()
  t.equal(mode(file), 0o600)
  t.equal(mode(path.dirname(file)), 0o700)
  const tables = await rawQuery<{ name: string }>(file, "select name from sqlite_master where type = 'table' order by name")
  t.same(tables.map((r) => r.name), ['simulator_state'])
  t.same(await rawQuery(file, 'pragma user_version'), [{ user_version: 1 }])
  await t.rejects(SqliteCassetteStore.open(file), { name: 'CassetteError', message: /not an ivs-replay cassette.*simulator_state/ }, 'a cassette open refuses it')
})

t.test('a state file written before the state store loads, saves, and stays as it was otherwise', async (t) => {
  const file = path.join(t.testdir(), 'old-state.sqlite')
  copyFileSync(V0_STATE, file)
  const before = await rawQuery<{ name: string }>(file, "select name from sqlite_master where type = 'table' order by name")
  t.same(before.map((r) => r.name), ['interactions', 'kysely_migration', 'kysely_migration_lock', 'meta', 'simulator_state', 'sqlite_sequence'], 'the fixture is cassette-shaped')
  const store = await SqliteStateStore.open(file)
  const saved = await store.loadState('simulator') as { states: { tables: { channel: { name: string; tags: Record<string, string> }[] } }[] }
  t.match(saved.states[0]!.tables.channel, [{ name: 'from-v0', tags: { made: 'before-the-state-store' } }])
  await store.saveState('simulator', { ...saved, added: true })
  await store.close()

  const again = await SqliteStateStore.open(file)
  t.teardown(() => again.close())
  t.match(await again.loadState('simulator'), { added: true, states: [{ tables: { channel: [{ name: 'from-v0' }] } }] })
  const after = await rawQuery<{ name: string }>(file, "select name from sqlite_master where type = 'table' order by name")
  t.same(after, before, 'no table added or dropped')
  t.same(await rawQuery(file, 'pragma user_version'), [{ user_version: 0 }])
})

t.test('a state file that is not one is refused with a clear error', async (t) => {
  const dir = t.testdir({ 'garbage.sqlite': 'not a database\n'.repeat(300), 'empty.sqlite': '' })
  await t.rejects(SqliteStateStore.open(path.join(dir, 'garbage.sqlite')), { name: 'StateFileError', message: /state file .*garbage\.sqlite: cannot be opened: .*not a database/ })
  const empty = await SqliteStateStore.open(path.join(dir, 'empty.sqlite'))
  t.equal(await empty.loadState('simulator'), undefined, 'an empty file is a new state file')
  await empty.close()

  const foreign = path.join(dir, 'foreign.db')
  await rawQuery(foreign, 'create table customers (id integer primary key)')
  await t.rejects(SqliteStateStore.open(foreign), { name: 'StateFileError', message: /not an ivs-replay state file.*customers/ })
  t.same(await rawQuery<{ name: string }>(foreign, "select name from sqlite_master where type = 'table'"), [{ name: 'customers' }], 'left as it was')

  const newer = path.join(dir, 'newer.sqlite')
  await (await SqliteStateStore.open(newer)).close()
  await rawQuery(newer, 'pragma user_version = 2')
  await t.rejects(SqliteStateStore.open(newer), { name: 'StateFileError', message: /newer ivs-replay \(state format 2/ })
})
