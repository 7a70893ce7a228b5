// The errors IVS's business rules raise, as the ivs model declares them (status and default text
// from the model, src/protocol/modeled-error.ts). Handlers use these so that no status is written
// by hand.
import { ivs } from '../model/services.js'
import { modeledError } from '../protocol/modeled-error.js'

export const validationError = (message: string) => modeledError(ivs, 'ValidationException', message)
export const notFound = (message?: string) => modeledError(ivs, 'ResourceNotFoundException', message)
export const conflict = (message?: string) => modeledError(ivs, 'ConflictException', message)
export const quotaExceeded = (message?: string) => modeledError(ivs, 'ServiceQuotaExceededException', message)
export const throttled = (message?: string) => modeledError(ivs, 'ThrottlingException', message)
export const channelNotBroadcasting = (channelArn: string) =>
  modeledError(ivs, 'ChannelNotBroadcasting', `Channel: ${channelArn} is not currently online`)
