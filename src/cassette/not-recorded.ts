// The answer a client gets when the upstream carried a call out but ivs-replay could not record it
// (a full disk, an unwritable cassette, a refusal by the secret scan).
//
// Why a 4xx: every AWS SDK retries a 500 (and 502/503/504, 429 and the throttling error types) on
// its own, and each retry would act upstream again: one CreateChannel from the JS SDK with default
// settings made three real channels, none recorded. 424 Failed Dependency ("the action depended on
// another action, which failed") is retried by no SDK (JS v3, botocore standard and legacy, Go,
// Java: each retries only 5xx, 429 and named throttling or timeout error types) and is no status
// IVS uses, so nobody mistakes it for one of IVS's own answers.
import type { IncomingHttpHeaders } from 'node:http'
import { AwsError } from '../protocol/aws-error.js'

export const NOT_RECORDED_TYPE = 'CassetteWriteException'
export const NOT_RECORDED_STATUS = 424

export interface NotRecordedFacts {
  readonly operation: string
  /** The upstream's answer: what it did. */
  readonly upstreamStatus: number
  readonly upstreamHeaders: IncomingHttpHeaders
  readonly cassette: string
  /** What stopped the write, in words: "the disk is full (SQLITE_FULL: …)". */
  readonly cause: string
}

/** The upstream's request id for a call (what AWS support asks for), when it sent one. */
export function upstreamRequestId(headers: IncomingHttpHeaders): string | undefined {
  const id = headers['x-amzn-requestid'] ?? headers['x-amz-request-id']
  return Array.isArray(id) ? id[0] : id
}

/** The client's error: names the cause, says the upstream did act (with its request id), never retried. */
export function notRecordedError(facts: NotRecordedFacts): AwsError {
  const id = upstreamRequestId(facts.upstreamHeaders)
  return new AwsError(NOT_RECORDED_TYPE, NOT_RECORDED_STATUS,
    `ivs-replay could not record this ${facts.operation}: ${facts.cause}. ` +
    `The upstream did carry the request out (status ${facts.upstreamStatus}, upstream request id ${id ?? 'not given'}), ` +
    `so repeating it acts again; the cassette ${facts.cassette} is unchanged (nothing half-written).`)
}

/** A failed write's cause in words: a full disk is named as one. */
export function describeWriteFailure(err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err)
  if (/SQLITE_FULL|ENOSPC/.test(reason)) return `the disk is full (${reason})`
  if (/EFBIG|file size limit/i.test(reason)) return `the file size limit is reached (${reason})`
  if (/SQLITE_READONLY|EROFS|EACCES|EPERM/.test(reason)) return `the cassette is not writable (${reason})`
  return `the cassette could not be written (${reason})`
}
