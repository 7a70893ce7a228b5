// What the kernel says about a process and the machine: CPU time from /proc/<pid>/stat (utime +
// stime, in clock ticks: counts only the work the process did, so it stays meaningful when other
// processes compete for the core), resident memory from /proc/<pid>/status, and the machine.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'

let ticksPerSecond: number | undefined

/** CLK_TCK (almost always 100). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** The process's user + system CPU time so far, in microseconds; undefined if it is gone. */
export function cpuMicros(pid: number): number | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) may hold spaces; fields after its closing ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1e6) / clockTicks()
}

/** Resident set size in bytes (VmRSS), and the peak (VmHWM); undefined if the process is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg()
  return [a, b, c]
}

export interface MachineInfo {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly kernel: string
  readonly node: string
  readonly taskset: boolean
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    taskset: tasksetPath() !== undefined,
  }
}

export function tasksetPath(): string | undefined {
  for (const p of ['/usr/bin/taskset', '/bin/taskset']) if (existsSync(p)) return p
  return undefined
}
