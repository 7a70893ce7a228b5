// Every ivschat operation the simulator answers, gathered from the per-resource modules.
// `satisfies` a complete table: an operation the model has and no module handles does not compile.
import type { Operations } from '../../model/ivschat/types.js'
import type { CompleteHandlerTable } from '../handler.js'
import { chatTagHandlers } from './chat-tags.js'
import { chatTokenHandlers } from './chat-tokens.js'
import { loggingConfigurationHandlers } from './logging-configurations.js'
import { roomMessagingHandlers } from './room-messaging.js'
import { roomHandlers } from './rooms.js'

export const chatHandlers = {
  ...roomHandlers,
  ...chatTokenHandlers,
  ...roomMessagingHandlers,
  ...loggingConfigurationHandlers,
  ...chatTagHandlers,
} satisfies CompleteHandlerTable<Operations>
