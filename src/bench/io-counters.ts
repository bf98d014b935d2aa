// Host-wide disk I/O counters from /proc/diskstats, so two tools can be compared on the bytes
// they really read and wrote, page cache dropped first. Whole disks only (vda, sda, nvme0n1).
import { readFile, writeFile } from "node:fs/promises";

export interface IoSample {
  readonly readBytes: number;
  readonly writtenBytes: number;
}

const WHOLE_DISK = /^(?:[svx]d[a-z]+|nvme\d+n\d+|hd[a-z]+)$/;

/** Pure: sum sectors read (field 6) and written (field 10) of whole disks; sectors are 512 bytes. */
export function parseDiskstats(text: string): IoSample {
  let r = 0;
  let w = 0;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !WHOLE_DISK.test(f[2] ?? "")) continue;
    r += Number(f[5]);
    w += Number(f[9]);
  }
  return { readBytes: r * 512, writtenBytes: w * 512 };
}

export async function sampleIo(): Promise<IoSample> {
  return parseDiskstats(await readFile("/proc/diskstats", "utf8"));
}

export const ioDelta = (a: IoSample, b: IoSample): IoSample => ({
  readBytes: b.readBytes - a.readBytes,
  writtenBytes: b.writtenBytes - a.writtenBytes,
});

/** Flush dirty pages and drop the page cache (root only), so reads hit the disk. */
export async function dropCaches(): Promise<void> {
  await writeFile("/proc/sys/vm/drop_caches", "3\n").catch(() => undefined);
}
