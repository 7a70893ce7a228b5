// What a record mode does with a cassette that already holds interactions, before it records.
// `record` appends behind them: replay serves identical requests in recorded order, so the old
// answers would come first and the new recording would never be replayed. Say so (warn, which the
// library's default level shows too) and name the way out; with `overwrite`, start it over.
import type { Config } from '../config/config.js'
import type { Logger } from '../log/logger.js'
import type { CassetteAdmin, ReplaySource } from '../storage/storage.js'

export async function prepareRecording(store: ReplaySource & CassetteAdmin, config: Config, logger: Logger): Promise<void> {
  if (config.mode !== 'record' && config.mode !== 'record-missing') return
  const held = (await store.indexEntries(0, 1)).length > 0
  if (!held) return
  if (config.recording.overwrite) {
    // One transaction: either the cassette is empty or it is as it was. The redaction salt (meta)
    // stays, so a value recorded again gets the stand-in it had.
    await store.replaceAll([])
    logger.warn('cassette started over (--overwrite): its earlier interactions are deleted', { file: store.location })
    return
  }
  if (config.mode === 'record') {
    const count = (await store.indexEntries()).length
    logger.warn(
      `the cassette already holds ${count} interaction${count === 1 ? '' : 's'}: new recordings are appended after them, and replay ` +
        'answers an identical request with the oldest recording first. Pass --overwrite to start the cassette over, ' +
        'or use --mode record-missing to record only what it lacks',
      { file: store.location, interactions: count },
    )
  }
}
