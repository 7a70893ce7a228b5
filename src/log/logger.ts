// A small leveled logger writing one line per event to a stream (stderr by default). It is handed only
// values chosen by its callers; nothing here formats requests, so no header or body can slip in.
import type { Writable } from 'node:stream'
import type { LogLevel } from '../config/config.js'

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

export class Logger {
  readonly #threshold: number
  readonly #out: Writable

  constructor(level: LogLevel, out: Writable = process.stderr) {
    this.#threshold = rank[level]
    this.#out = out
  }

  enabled(level: LogLevel): boolean {
    return rank[level] >= this.#threshold
  }

  debug(message: string, fields?: LogFields): void {
    this.#write('debug', message, fields)
  }
  info(message: string, fields?: LogFields): void {
    this.#write('info', message, fields)
  }
  warn(message: string, fields?: LogFields): void {
    this.#write('warn', message, fields)
  }
  error(message: string, fields?: LogFields): void {
    this.#write('error', message, fields)
  }

  #write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (rank[level] < this.#threshold) return
    let line = `${new Date().toISOString()} ${level.padEnd(5)} ${message}`
    if (fields) {
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${format(v)}`
    }
    this.#out.write(line + '\n')
  }
}

function format(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value)
  return /^[\w.:/@+-]*$/.test(value) && value !== '' ? value : JSON.stringify(value)
}
