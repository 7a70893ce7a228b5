// Logging configurations: Create, Get, Update, Delete, List. Where chat messages would be logged
// (S3, CloudWatch Logs or Firehose; the model's union takes exactly one). The destinations are out
// of reach, so a configuration is ACTIVE at once and stays so (docs/ivs-behavior.md §14).
import type {
  DestinationConfiguration, GetLoggingConfigurationResponse, LoggingConfigurationSummary, Operations,
} from '../../model/ivschat/types.js'
import { formatTimestamp } from '../../protocol/serialize.js'
import type { HandlerTable, SimContext } from '../handler.js'
import { paginate } from '../pagination.js'
import { checkTagKeys } from '../resources/tags.js'
import { chatArn, idOf } from './chat-arn.js'
import { conflict, fieldInvalid, notFound, quotaExceeded, validationOther } from './chat-errors.js'
import type { LoggingConfigurationRecord } from './chat-state.js'

/** Logging configurations per account and region (docs/ivs-behavior.md §14, quotas). */
export const MAX_LOGGING_CONFIGURATIONS = 10

function requireLoggingConfiguration(ctx: SimContext, identifier: string): LoggingConfigurationRecord {
  const config = ctx.state.chat.loggingConfigurations.get(identifier)
  if (!config) throw notFound('LOGGING_CONFIGURATION', idOf(identifier), `Logging configuration not found: ${identifier}`)
  return config
}

/** The one destination given, copied member by member (the validator has checked it is exactly one). */
function destination(given: DestinationConfiguration): DestinationConfiguration {
  if (given.s3) return { s3: { bucketName: given.s3.bucketName } }
  if (given.cloudWatchLogs) return { cloudWatchLogs: { logGroupName: given.cloudWatchLogs.logGroupName } }
  if (given.firehose) return { firehose: { deliveryStreamName: given.firehose.deliveryStreamName } }
  throw fieldInvalid('destinationConfiguration', 'destinationConfiguration must set one of s3, cloudWatchLogs, firehose')
}

function toLoggingConfiguration(record: LoggingConfigurationRecord): GetLoggingConfigurationResponse & LoggingConfigurationSummary {
  return {
    arn: record.arn,
    id: record.id,
    createTime: record.createTime,
    updateTime: record.updateTime,
    name: record.name,
    destinationConfiguration: structuredClone(record.destinationConfiguration),
    state: record.state,
    tags: { ...record.tags },
  }
}

/** The answer of Create and Update, whose model names ACTIVE as the only state they answer. */
function settled(record: LoggingConfigurationRecord) {
  return { ...toLoggingConfiguration(record), state: 'ACTIVE' as const }
}

export const loggingConfigurationHandlers = {
  CreateLoggingConfiguration(input, ctx) {
    const { state, ids, clock } = ctx
    checkTagKeys(input.tags, (message) => fieldInvalid('tags', message))
    const destinationConfiguration = destination(input.destinationConfiguration)
    if (state.chat.loggingConfigurations.size >= MAX_LOGGING_CONFIGURATIONS) {
      throw quotaExceeded('LOGGING_CONFIGURATION', 'loggingconfiguration', MAX_LOGGING_CONFIGURATIONS,
        `You have reached the limit of ${MAX_LOGGING_CONFIGURATIONS} logging configurations in ${state.region}`)
    }
    const id = ids.alnum(12)
    const now = formatTimestamp(clock.now())
    const record: LoggingConfigurationRecord = {
      arn: chatArn(state.region, state.accountId, 'logging-configuration', id),
      id,
      name: input.name ?? '',
      createTime: now,
      updateTime: now,
      destinationConfiguration,
      state: 'ACTIVE',
      tags: { ...input.tags },
      seq: state.nextSeq(),
    }
    state.chat.loggingConfigurations.put(record)
    return settled(record)
  },

  GetLoggingConfiguration(input, ctx) {
    return toLoggingConfiguration(requireLoggingConfiguration(ctx, input.identifier))
  },

  UpdateLoggingConfiguration(input, ctx) {
    const config = requireLoggingConfiguration(ctx, input.identifier)
    const destinationConfiguration = input.destinationConfiguration && destination(input.destinationConfiguration)
    if (input.name !== undefined) config.name = input.name
    if (destinationConfiguration) config.destinationConfiguration = destinationConfiguration
    config.updateTime = formatTimestamp(ctx.clock.now())
    return settled(config)
  },

  DeleteLoggingConfiguration(input, ctx) {
    const config = requireLoggingConfiguration(ctx, input.identifier)
    // Refused while a room logs to it (docs/ivs-behavior.md §14: decided; the model's 409 names a ROOM).
    for (const room of ctx.state.chat.rooms.values()) {
      if (room.loggingConfigurationIdentifiers.includes(config.arn)) {
        throw conflict('ROOM', room.id, `Logging configuration ${config.arn} is in use by room ${room.arn}; detach it (UpdateRoom) first`)
      }
    }
    ctx.state.chat.loggingConfigurations.delete(config.arn)
  },

  ListLoggingConfigurations(input, ctx) {
    const page = paginate(ctx.state.chat.loggingConfigurations.values(), input, 50, 'ListLoggingConfigurations', 'asc', validationOther)
    return { loggingConfigurations: page.items.map(toLoggingConfiguration), nextToken: page.nextToken }
  },
} satisfies HandlerTable<Operations>
