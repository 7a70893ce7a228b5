// `recording.maxAgeDays`: a cassette replays what IVS answered when it was recorded, forever. Past
// the accepted age, start-up says so (once, as a warning), so an old recording is checked with
// `ivs-replay cassette verify` or recorded again instead of silently drifting from IVS.
import type { Config } from '../config/config.js'
import type { Logger } from '../log/logger.js'
import type { ReplaySource } from '../storage/storage.js'

const DAY_MS = 24 * 3600 * 1000

export async function warnAboutOldRecordings(store: ReplaySource, config: Config, logger: Logger, now = Date.now()): Promise<void> {
  const maxAgeDays = config.recording.maxAgeDays
  if (maxAgeDays === null) return
  const cutoff = new Date(now - maxAgeDays * DAY_MS).toISOString()
  const { count, oldest } = await store.recordedBefore(cutoff)
  if (count === 0) return
  logger.warn(`cassette holds ${count} interaction${count === 1 ? '' : 's'} recorded more than ${maxAgeDays} days ago ` +
    `(recording.maxAgeDays); check them with \`ivs-replay cassette verify\` or record again`, { file: store.location, oldest: oldest ?? undefined })
}
