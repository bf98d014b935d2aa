// Copy the converted overlays to the target. Each disk is written under a ".part" name that v2v
// creates itself (O_EXCL, recorded in the -os lock) before qemu-img writes it, and only linked to
// its final name once every disk is complete, so an interrupted run never leaves a disk that
// looks done, and never replaces a file it did not create.
import { dirname } from "node:path";
import { CommandError } from "../host/exec.js";
import { convertImage } from "../host/qemu-img.js";
import { V2vError } from "../model/errors.js";
import type { Reporter } from "../model/messages.js";
import { createExclusive, partialName, publishFile } from "../outputs/common/output-files.js";
import type { Overlay } from "./overlay.js";
import type { OutputOptions } from "../model/types.js";

export { partialName };

/**
 * Pure: qemu-img's failure as a sentence with the fix: NO_SPACE when the target filesystem filled
 * up, else OUTPUT naming the disk, the target and qemu-img's own last line.
 */
export function copyError(e: unknown, target: string, which: string): V2vError {
  const text = e instanceof CommandError ? `${e.message}\n${e.stderrTail}` : e instanceof Error ? e.message : String(e);
  if (!/No space left on device|Disk quota exceeded/i.test(text)) {
    if (e instanceof V2vError && e.code !== "COMMAND") return e;
    const last = (e instanceof CommandError && e.stderrTail.trim() ? e.stderrTail : text).trim().split("\n").pop() ?? "";
    return new V2vError(
      "OUTPUT",
      `copying disk ${which} to ${target} failed (qemu-img: ${last}); check that -os ${dirname(target)} is writable and healthy, then run v2v again (-v -x shows the whole command)`,
      { cause: e },
    );
  }
  return new V2vError(
    "NO_SPACE",
    `no space left on device in -os ${dirname(target)} while copying disk ${which}; free space there or choose another -os`,
    { cause: e },
  );
}

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
    const part = partialName(target);
    await createExclusive(part);
    try {
      await convertImage(ov.path, "qcow2", part, {
        format: opts.format,
        preallocated: opts.allocation === "preallocated",
        compressed: opts.compressed,
        onProgress: (p) => reporter.progress(p),
      });
    } catch (e) {
      throw copyError(e, target, `${i + 1}/${n}`);
    }
    reporter.progress(100);
  }
  for (const target of diskPaths) if (target !== undefined) await publishFile(partialName(target), target);
}
