// The bounded sample of the robustness suite (issue #6), inside `npm test`: every operation and every
// kind of bad input once, a few hundred random cases (some against resources that exist), the raw
// HTTP abuse list, signature mutations of the JS SDK's and boto3's requests, 2 s of load over 220
// connections, and the secure defaults.
// The full suite (≥ 100,000 cases, 10 s of load) is `npm run test:robustness` (test/robustness/run.ts).
import t from 'tap'
import { robustnessSuite, SAMPLE } from './robustness/suite.js'

await robustnessSuite(t, SAMPLE)
