// Peak resident memory of one process (not its children), read from /proc/PID/status (VmHWM,
// the kernel's high-water mark) while the process runs. The last reading before exit is kept.
import { readFile } from "node:fs/promises";

/** Pure: VmHWM in bytes from a /proc/PID/status text, or undefined. */
export function parseVmHwm(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Poll a pid every `intervalMs`; stop() returns the highest VmHWM seen. */
export function watchPeakRss(pid: number, intervalMs = 100): { stop: () => number } {
  let peak = 0;
  const poll = async (): Promise<void> => {
    const s = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const v = parseVmHwm(s);
    if (v !== undefined && v > peak) peak = v;
  };
  const timer = setInterval(() => void poll(), intervalMs);
  void poll();
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
