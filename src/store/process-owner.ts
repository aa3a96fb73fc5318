/**
 * Who owns a staging folder or a lock: host, process id and the process's start time, written into the
 * name, so that a later run can tell a folder left by a process that died from one still at work (also
 * when the process id has since been reused).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process, as named in staging folder and lock names. */
export interface ProcessOwner {
  host: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux `/proc/<pid>/stat`), 0 where unknown. */
  start: number;
}

/** This process. */
export function currentOwner(): ProcessOwner {
  return { host: hostname(), pid: process.pid, start: startTicks(process.pid) };
}

/** `<host as hex>_<pid>_<start>`. */
export function ownerName(owner: ProcessOwner): string {
  return `${Buffer.from(owner.host, 'utf8').toString('hex')}_${owner.pid}_${owner.start}`;
}

/** Parses the start of a name written by `ownerName` (anything may follow after another `_`); null if it is not one. */
export function parseOwnerName(name: string): ProcessOwner | null {
  const match = /^((?:[0-9a-f]{2})*)_(\d+)_(\d+)(?:_|$)/.exec(name);
  if (!match) return null;
  return { host: Buffer.from(match[1]!, 'hex').toString('utf8'), pid: Number(match[2]), start: Number(match[3]) };
}

/**
 * False when the owner is certainly gone: on this host, no process has its id, or one does that started at
 * another time. An owner on another host is taken to be alive (nothing here can tell).
 */
export function isAlive(owner: ProcessOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return owner.start === startTicks(process.pid);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = startTicks(owner.pid);
  return start === 0 || owner.start === 0 || start === owner.start;
}

/** Start time of a process in clock ticks since boot, from `/proc`; 0 where that is not available. */
function startTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : 0;
  } catch {
    return 0;
  }
}
