// The full robustness suite: `npm run test:robustness`. Kept out of `npm test` (tap includes only
// test/**/*.test.ts) because it sends over 100,000 requests and runs 10 s of load.
//   ROBUSTNESS_SEED=<n>   replay a run's random cases (the seed is printed at the start)
//   ROBUSTNESS_CASES=<n>  model + malformed cases to reach (default 100000)
import t from 'tap'
import { fullBudget, robustnessSuite } from './suite.js'

const seed = Number(process.env.ROBUSTNESS_SEED ?? Date.now() % 2_147_483_647)
const target = Number(process.env.ROBUSTNESS_CASES ?? 100_000)
t.setTimeout(15 * 60_000)
// Systematic and malformed cases are fixed in number (for the services served); random model cases make up the rest.
await robustnessSuite(t, fullBudget(seed, target))
await t.test('recording faults (issues #4, #6)', async (t) => (await import('./recording-faults.js')).recordingFaults(t))
