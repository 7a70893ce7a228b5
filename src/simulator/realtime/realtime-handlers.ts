// Every ivs-realtime operation the simulator answers, gathered from the per-resource modules.
// `satisfies` a complete table: an operation the model has and no module handles does not compile.
import type { Operations } from '../../model/ivs-realtime/types.js'
import type { CompleteHandlerTable } from '../handler.js'
import { compositionHandlers } from './compositions.js'
import { encoderConfigurationHandlers } from './encoder-configurations.js'
import { ingestConfigurationHandlers } from './ingest-configurations.js'
import { publicKeyHandlers } from './public-keys.js'
import { realtimeTagHandlers } from './realtime-tags.js'
import { replicationHandlers } from './replication.js'
import { stageSessionHandlers } from './stage-sessions.js'
import { stageHandlers } from './stages.js'

export const realtimeHandlers = {
  ...stageHandlers,
  ...stageSessionHandlers,
  ...replicationHandlers,
  ...encoderConfigurationHandlers,
  ...compositionHandlers,
  ...publicKeyHandlers,
  ...ingestConfigurationHandlers,
  ...realtimeTagHandlers,
} satisfies CompleteHandlerTable<Operations>
