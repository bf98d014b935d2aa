// Protective overlays: one qcow2 per source disk, backed read-only by the source. The
// conversion writes only here, so the source is never modified.
import { join } from "node:path";
import { createOverlay } from "../host/qemu-img.js";
import { V2vError } from "../model/errors.js";
import type { Source } from "../model/types.js";

export interface Overlay {
  readonly index: number;
  readonly path: string;
}

export async function createOverlays(source: Source, workDir: string): Promise<Overlay[]> {
  const out: Overlay[] = [];
  for (const d of source.disks) {
    const path = join(workDir, `overlay-${d.index}.qcow2`);
    const img = d.image;
    if (img.kind !== "checked") throw new Error(`createOverlays: disk ${d.index} is still ${img.kind}-compressed; inflate it first`);
    try {
      await createOverlay(path, img.qemuUri, img.format, img.virtualSizeBytes);
    } catch (e) {
      throw new V2vError(
        "BAD_INPUT",
        `${d.displayName}: qemu cannot open this disk as ${img.format} (${e instanceof Error ? e.message.split("\n")[0] : e}); check that the file is complete and not corrupt`,
        { cause: e },
      );
    }
    out.push({ index: d.index, path });
  }
  return out;
}
