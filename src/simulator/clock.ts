// The simulator's notion of now; tests and replays may pin it.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
