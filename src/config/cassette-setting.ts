// Which cassette a running server answers from, and in which mode: set at start-up and switched while
// it runs (POST /_mock/cassette, the library's useCassette; src/app/cassette-switch.ts does the switching).
import type { Mode } from './config.js'

/** Modes a running server may switch to: those that answer from a cassette. */
export const SWITCHABLE_MODES = ['replay', 'hybrid', 'record-missing'] as const
export type SwitchableMode = (typeof SWITCHABLE_MODES)[number]

export interface CassetteSetting {
  /** Absolute path of the cassette file, or null (simulate). */
  readonly cassette: string | null
  readonly mode: Mode
}

/** A cassette to switch to. */
export interface CassetteTarget {
  readonly cassette: string
  readonly mode: SwitchableMode
}
