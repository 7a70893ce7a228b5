// The full recording-fault run (issues #4 and #6): at least 100 SIGKILLs of a recording ivs-replay
// under concurrent traffic, read-only and full cassettes (three file-size limits and, where the
// machine allows a mount, a real full tmpfs). Part of `npm run test:robustness` (run.ts calls
// `recordingFaults` last); runnable on its own:
//   node --import tsx test/robustness/recording-faults.ts
//   RECORDING_FAULTS_SEED=<n>   replay a run's kill moments (the seed is printed at the start)
//   RECORDING_FAULTS_KILLS=<n>  SIGKILL rounds (default 120)
// The bounded sample inside `npm test` is test/recording-faults.test.ts.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import tap, { type Test } from 'tap'
import { fullBudget, recordingFaultsSuite } from './recording-faults-suite.js'

const DEADLINE_MS = 20 * 60_000

export async function recordingFaults(t: Test): Promise<void> {
  // From now, for this part and for the whole run: after run.ts's own suite, the time that suite
  // took does not count against this one.
  tap.setTimeout(DEADLINE_MS)
  t.setTimeout(DEADLINE_MS)
  const seed = Number(process.env.RECORDING_FAULTS_SEED ?? Date.now() % 2_147_483_647)
  const kills = Number(process.env.RECORDING_FAULTS_KILLS ?? 120)
  await recordingFaultsSuite(t, fullBudget(seed, kills))
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await tap.test('recording faults (full)', (t) => recordingFaults(t))
}
