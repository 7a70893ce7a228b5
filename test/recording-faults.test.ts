// The bounded sample of the recording-fault checks (issues #4 and #6), inside `npm test`: six SIGKILLs
// of a recording ivs-replay child process (one during start-up, five under concurrent traffic), then
// cassettes that cannot be written (read-only as an unprivileged user, a read-only folder, chattr +i
// before and during a run, a 400 KiB file-size limit). The full run (≥ 100 kills, more limits, a full
// tmpfs) is test/robustness/recording-faults.ts, part of `npm run test:robustness`.
import path from 'node:path'
import type sqlite3 from 'sqlite3'
import t from 'tap'
import { SqliteCassetteStore } from '../src/storage/sqlite/sqlite-cassette-store.js'
import { openSqlite3 } from '../src/storage/sqlite/open-sqlite3.js'
import { recordingFaultsSuite, SAMPLE } from './robustness/recording-faults-suite.js'

function exec(db: sqlite3.Database, statement: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(statement, (err) => (err ? reject(err) : resolve())))
}

function tables(db: sqlite3.Database): Promise<string[]> {
  return new Promise((resolve, reject) => db.all<{ name: string }>(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    (err, rows) => (err ? reject(err) : resolve(rows.map((r) => r.name)))))
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())))
}

// A SIGKILL while a recorder creates its cassette could land between two statements of the schema
// migration; the kill rounds found cassettes that then never opened again ("table interactions
// already exists"). The same half-way point, made deterministic: a view named like the migration's
// third table makes it fail after two statements have run.
t.test('a schema migration that stops half-way leaves nothing of itself behind', async (t) => {
  const file = path.join(t.testdir(), 'half-migrated.sqlite')
  const raw = await openSqlite3(file)
  await exec(raw, 'create view meta as select 1 as key')
  await close(raw)

  await t.rejects(SqliteCassetteStore.open(file), { name: 'CassetteError', message: /schema migration 2026_11_26_0001_interactions failed/ })
  const after = await openSqlite3(file)
  t.same((await tables(after)).filter((name) => !name.startsWith('kysely_')), [], 'no table of the failed migration remains')
  await exec(after, 'drop view meta')
  await close(after)

  const store = await SqliteCassetteStore.open(file)
  t.equal(await store.integrityCheck(), 'ok', 'the next open migrates it and it works')
  t.same(await store.all(), [])
  await store.close()
})

await recordingFaultsSuite(t, SAMPLE)
