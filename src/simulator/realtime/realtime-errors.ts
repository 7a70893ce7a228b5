// The errors IVS Real-Time's business rules raise, as the ivs-realtime model declares them (status
// and default text from the model; the body carries `exceptionMessage`, serialize.ts).
import { ivsRealtime } from '../../model/services.js'
import { modeledError } from '../../protocol/modeled-error.js'

export const validationError = (message: string) => modeledError(ivsRealtime, 'ValidationException', message)
export const notFound = (message?: string) => modeledError(ivsRealtime, 'ResourceNotFoundException', message)
export const conflict = (message?: string) => modeledError(ivsRealtime, 'ConflictException', message)
export const quotaExceeded = (message?: string) => modeledError(ivsRealtime, 'ServiceQuotaExceededException', message)
