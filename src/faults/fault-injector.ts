// Injected faults (POST /_mock/faults): the next N calls of an operation, optionally only those
// naming one resource, answer one of the errors the IVS model lists for that operation, worded as
// IVS words it, or are held back `delayMs` first. The injector is the first backend the dispatcher
// asks, so a fault applies in every mode, before the cassette, the simulator or the upstream.
import type { Backend, IvsAnswer } from '../backend/backend.js'
import type { IvsCall } from '../backend/ivs-call.js'
import { arnsIn, resourceTypeOf } from '../model/resource-types.js'
import type { OperationName } from '../model/ivs/types.js'
import { ivs } from '../model/services.js'
import type { AwsError } from '../protocol/aws-error.js'
import { modeledError } from '../protocol/modeled-error.js'
import { serializeError } from '../protocol/serialize.js'
const { model, operationOf, shapeOf } = ivs

/** What a test asks for; checked by `FaultInjector.check`. */
export interface FaultSpec {
  readonly operation: OperationName
  /** An error type the model lists for the operation; absent: only a delay. */
  readonly error?: string
  readonly count: number
  readonly resourceArn?: string
  readonly delayMs?: number
  /** Replaces the message IVS would give. */
  readonly message?: string
  /** The IAM principal named by AccessDeniedException (default the caller as an IAM user). */
  readonly principal?: string
}

export interface ArmedFault extends FaultSpec {
  readonly id: number
  /** Matching calls still to be failed. */
  remaining: number
}

/** A refusal of a fault spec, with the reason a test author can act on. */
export class FaultSpecError extends Error {}

/** A delay longer than this would meet the server's own request timeout (30 s) first. */
export const MAX_DELAY_MS = 25_000
const MAX_COUNT = 1_000_000
const MEMBERS = ['operation', 'error', 'count', 'resourceArn', 'delayMs', 'message', 'principal']

// The two texts IVS words differently from the model's documentation (BEHAVIOR.md §11).
const PENDING_VERIFICATION =
  'Your account is pending verification. Until the verification process is complete, you may not be able to carry out requests with this account.'

export class FaultInjector implements Backend {
  #faults: ArmedFault[] = []
  #nextId = 1

  /** Checks a request body against the model; throws FaultSpecError naming what is wrong. */
  static check(body: Record<string, unknown>): FaultSpec {
    const unknown = Object.keys(body).filter((k) => !MEMBERS.includes(k))
    if (unknown.length) throw new FaultSpecError(`Unknown member(s): ${unknown.join(', ')}; allowed: ${MEMBERS.join(', ')}`)
    const { operation, error, count = 1, resourceArn, delayMs, message, principal } = body
    if (typeof operation !== 'string' || !Object.hasOwn(model.operations, operation)) {
      throw new FaultSpecError(`operation must be an IVS operation name (e.g. GetChannel), got ${JSON.stringify(operation)}`)
    }
    const errors = operationOf(operation as OperationName).errors
    if (error !== undefined) {
      if (typeof error !== 'string' || !errors.includes(error)) {
        throw new FaultSpecError(
          `${operation} cannot return ${JSON.stringify(error)} according to the IVS model; it can return: ${errors.join(', ')}`)
      }
    }
    if (!Number.isSafeInteger(count) || (count as number) < 1 || (count as number) > MAX_COUNT) {
      throw new FaultSpecError(`count must be an integer from 1 to ${MAX_COUNT}, got ${JSON.stringify(count)}`)
    }
    if (delayMs !== undefined && (!Number.isSafeInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > MAX_DELAY_MS)) {
      throw new FaultSpecError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}, got ${JSON.stringify(delayMs)}`)
    }
    if (error === undefined && delayMs === undefined) throw new FaultSpecError('give error, delayMs or both')
    for (const [name, value] of Object.entries({ resourceArn, message, principal })) {
      if (value !== undefined && (typeof value !== 'string' || value === '')) throw new FaultSpecError(`${name} must be a non-empty string`)
    }
    if (resourceArn !== undefined && !(resourceArn as string).startsWith('arn:')) {
      throw new FaultSpecError(`resourceArn must be an ARN, got ${JSON.stringify(resourceArn)}`)
    }
    return {
      operation: operation as OperationName, count: count as number,
      ...(error !== undefined && { error: error as string }),
      ...(resourceArn !== undefined && { resourceArn: resourceArn as string }),
      ...(delayMs !== undefined && { delayMs: delayMs as number }),
      ...(message !== undefined && { message: message as string }),
      ...(principal !== undefined && { principal: principal as string }),
    }
  }

  arm(spec: FaultSpec): ArmedFault {
    const fault: ArmedFault = { ...spec, id: this.#nextId++, remaining: spec.count }
    this.#faults.push(fault)
    return fault
  }

  list(): readonly ArmedFault[] {
    return this.#faults
  }

  clear(): number {
    const cleared = this.#faults.length
    this.#faults = []
    return cleared
  }

  async answer(call: IvsCall): Promise<IvsAnswer | undefined> {
    if (this.#faults.length === 0) return undefined
    const fault = this.#take(call)
    if (!fault) return undefined
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
    if (!fault.error) return undefined
    return { ...serializeError(errorFor(fault, fault.error, call)), source: 'injected' }
  }

  /** The first armed fault this call matches, counted down (and dropped when spent). */
  #take(call: IvsCall): ArmedFault | undefined {
    let named: Set<string> | undefined
    const i = this.#faults.findIndex((f) => {
      if (f.operation !== call.operation) return false
      if (f.resourceArn === undefined) return true
      named ??= arnsIn(call.input)
      return named.has(f.resourceArn)
    })
    if (i < 0) return undefined
    const fault = this.#faults[i]
    fault.remaining--
    if (fault.remaining === 0) this.#faults.splice(i, 1)
    return fault
  }
}

/** The type was checked against the operation's errors in the model when the fault was armed. */
function errorFor(fault: ArmedFault, type: string, call: IvsCall): AwsError {
  return modeledError(ivs, type, fault.message ?? messageFor(fault, type, call))
}

/** IVS's own wording where it is known (docs/ivs-behavior.md §11); otherwise the model's text. */
function messageFor(fault: ArmedFault, type: string, call: IvsCall): string | undefined {
  const { accountId, region, accessKeyId } = call.caller
  if (type === 'PendingVerification') return PENDING_VERIFICATION
  if (type === 'AccessDeniedException') {
    const principal = fault.principal ?? `arn:aws:iam::${accountId}:user/${accessKeyId || 'anonymous'}`
    const named = fault.resourceArn ?? [...arnsIn(call.input)][0]
    const kind = resourceTypeOf(call.operation)
    const resource = named ?? `arn:aws:ivs:${region}:${accountId}:${kind ? `${kind}/*` : '*'}`
    return `User: ${principal} is not authorized to perform: ivs:${call.operation} on resource: ${resource}`
  }
  return undefined
}
