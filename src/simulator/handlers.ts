// Every ivs operation the simulator answers, gathered from the per-resource modules. `satisfies`
// a complete table: an operation the model has and no module handles does not compile.
import type { Operations } from '../model/ivs/types.js'
import type { CompleteHandlerTable } from './handler.js'
import { adConfigurationHandlers } from './resources/ad-configurations.js'
import { channelHandlers } from './resources/channels.js'
import { playbackKeyPairHandlers } from './resources/playback-key-pairs.js'
import { playbackRestrictionPolicyHandlers } from './resources/playback-restriction-policies.js'
import { recordingConfigurationHandlers } from './resources/recording-configurations.js'
import { streamKeyHandlers } from './resources/stream-keys.js'
import { tagHandlers } from './resources/tags.js'
import { viewerSessionHandlers } from './resources/viewer-sessions.js'
import { streamHandlers } from './streams/stream-handlers.js'

export const handlers = {
  ...channelHandlers,
  ...streamKeyHandlers,
  ...tagHandlers,
  ...playbackKeyPairHandlers,
  ...playbackRestrictionPolicyHandlers,
  ...recordingConfigurationHandlers,
  ...adConfigurationHandlers,
  ...viewerSessionHandlers,
  ...streamHandlers,
} satisfies CompleteHandlerTable<Operations>
