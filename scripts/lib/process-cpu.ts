// CPU time of the local workerd process that runs the Worker, read from
// /proc/<pid>/stat (utime + stime). workerd freezes Date.now()/performance.now()
// between I/O inside the isolate (Spectre mitigation), so CPU cannot be timed from
// within; the process's own accounting can. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type ProcStat = { pid: number; ppid: number; comm: string; cpuTicks: number; startTicks: number };

function readStat(pid: string): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return {
      pid: Number(pid),
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      startTicks: Number(fields[19]),
    };
  } catch {
    return null;
  }
}

/**
 * The workerd that runs the user Worker: wrangler starts a proxy workerd first and
 * the Worker's own runtime last, both descendants of `root`.
 */
export function workerRuntimePid(root: number = process.pid): number {
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(readStat)
    .filter((s): s is ProcStat => s !== null);
  const parentOf = new Map(stats.map((s) => [s.pid, s.ppid]));
  // `root` may be the harness or its `wrangler dev` child: workerd is then a grandchild.
  const descends = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  const children = stats
    .filter((s) => s.comm === 'workerd' && descends(s.pid))
    .sort((a, b) => a.startTicks - b.startTicks);
  const runtime = children.at(-1);
  if (!runtime) throw new Error('no workerd child process found (CPU accounting needs Linux /proc)');
  return runtime.pid;
}

/** CPU milliseconds (user + system) the process has used so far. */
export function cpuMs(pid: number): number {
  const stat = readStat(String(pid));
  if (!stat) throw new Error(`process ${pid} is gone`);
  return (stat.cpuTicks * 1000) / TICKS_PER_SECOND;
}

/** Resolve once the process has used less than `quietMs` CPU over `windowMs`: the queue has drained. */
export async function waitUntilIdle(pid: number, options: { windowMs?: number; quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const { windowMs = 1500, quietMs = 20, timeoutMs = 120_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let previous = cpuMs(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuMs(pid);
    if (now - previous < quietMs) return;
    if (Date.now() > deadline) throw new Error(`workerd still busy after ${timeoutMs / 1000}s`);
    previous = now;
  }
}
