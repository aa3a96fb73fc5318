// Preloaded into benchmarked processes: prints their peak resident memory when they exit.
//
// Linux's VmHWM (/proc/self/status), not process.resourceUsage().maxRSS: the latter (getrusage's
// ru_maxrss) carries over the parent's resident size at the fork that started the process, so a child of
// a benchmark process holding 300 MB reported 300 MB though it used 40. VmHWM belongs to the address space
// the process got at exec. Elsewhere maxRSS is the best there is.
import { readFileSync } from 'node:fs';

function peakKb(): number {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  process.stderr.write(`FLOWMINE_MAX_RSS_KB=${peakKb()}\n`);
});
