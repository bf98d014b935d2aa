// Copy the converted overlays to the target. Each disk is written under a ".part" name and only
// renamed once every disk is complete, so an interrupted run never leaves a disk that looks done.
import { rename, rm } from "node:fs/promises";
import { convertImage } from "../host/qemu-img.js";
import type { Reporter } from "./messages.js";
import type { Overlay } from "./overlay.js";
import type { OutputOptions } from "./types.js";

export const partialName = (path: string): string => `${path}.part`;

export async function copyDisks(
  overlays: readonly Overlay[],
  diskPaths: readonly (string | undefined)[],
  opts: OutputOptions,
  reporter: Reporter,
): Promise<void> {
  const n = overlays.length;
  for (const [i, ov] of overlays.entries()) {
    const target = diskPaths[ov.index];
    if (target === undefined) continue;
    reporter.stage(`Copying disk ${i + 1}/${n}`);
    await convertImage(ov.path, "qcow2", partialName(target), {
      format: opts.format,
      preallocated: opts.allocation === "preallocated",
      compressed: opts.compressed,
      onProgress: (p) => reporter.progress(p),
    });
    reporter.progress(100);
  }
  for (const target of diskPaths) if (target !== undefined) await rename(partialName(target), target);
}

/** Remove whatever a failed run wrote for these disks, finished or not. */
export async function removeTargetDisks(diskPaths: readonly (string | undefined)[]): Promise<void> {
  for (const p of diskPaths) {
    if (p === undefined) continue;
    await rm(partialName(p), { force: true });
    await rm(p, { force: true });
  }
}
