// qemu-img, wrapped once: probe images, create protective overlays, copy to the target.
import { run } from "./exec.js";
import type { ImageFormat, TargetFormat } from "../model/types.js";

export interface ImageInfo {
  readonly format: string;
  readonly virtualSizeBytes: number;
  /** Bytes allocated on the host, when qemu-img knows. */
  readonly actualSizeBytes?: number;
  /** VMDK subformat ("streamOptimized", "monolithicSparse", ...) when applicable. */
  readonly vmdkSubformat?: string;
  readonly backingFilename?: string;
}

/** `qemu-img info` of a path or json: URL. Pass `format` to stop qemu-img probing. */
export async function imageInfo(uri: string, format?: string): Promise<ImageInfo> {
  const argv = ["qemu-img", "info", "--output=json", ...(format ? ["-f", format] : []), uri];
  const { stdout } = await run(argv, { timeoutMs: 60_000 });
  const j = JSON.parse(stdout) as Record<string, unknown>;
  const spec = j["format-specific"] as { type?: string; data?: { "create-type"?: string } } | undefined;
  return {
    format: String(j["format"]),
    virtualSizeBytes: Number(j["virtual-size"]),
    actualSizeBytes: typeof j["actual-size"] === "number" ? (j["actual-size"] as number) : undefined,
    vmdkSubformat: spec?.type === "vmdk" ? spec.data?.["create-type"] : undefined,
    backingFilename: typeof j["backing-filename"] === "string" ? (j["backing-filename"] as string) : undefined,
  };
}

/**
 * Create a qcow2 overlay whose backing file is the source. qemu opens backing files read-only,
 * so nothing the conversion does can reach the source. `-u` with an explicit size: qemu-img does
 * not open the backing chain here (it could not open a chain given with explicit `backing`
 * nodes anyway); the chain is opened, exactly as described, when the overlay is used.
 */
export async function createOverlay(overlayPath: string, backingUri: string, backingFormat: ImageFormat, virtualSizeBytes: number): Promise<void> {
  await run(
    ["qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=1.1", "-u", "-b", backingUri, "-F", backingFormat, overlayPath, String(virtualSizeBytes)],
    { timeoutMs: 60_000 },
  );
}

export interface ConvertOptions {
  readonly format: TargetFormat;
  readonly preallocated: boolean;
  readonly compressed: boolean;
  /** Called with 0..100 as qemu-img reports progress. */
  readonly onProgress?: (percent: number) => void;
}

/**
 * Copy an image (the converted overlay) to a target file. qemu-img skips zero and unallocated
 * areas, so what fstrim freed is not written (sparse target) unless preallocation is asked for.
 */
export async function convertImage(srcPath: string, srcFormat: string, dstPath: string, o: ConvertOptions): Promise<void> {
  const argv = ["qemu-img", "convert", "-p", "-f", srcFormat, "-O", o.format];
  if (o.compressed) argv.push("-c");
  if (o.preallocated) argv.push("-o", o.format === "qcow2" ? "preallocation=falloc" : "preallocation=full");
  else if (o.format === "qcow2") argv.push("-o", "compat=1.1");
  // -W: out-of-order writes are faster and safe for a fresh target; -S 4k: detect zero runs.
  if (!o.compressed) argv.push("-W");
  argv.push("-S", "4k", srcPath, dstPath);
  await run(argv, {
    timeoutMs: 6 * 60 * 60 * 1000,
    onStdoutLine: (line) => {
      const m = /\((\d+(?:\.\d+)?)\/100%\)/.exec(line);
      if (m) o.onProgress?.(Number(m[1]));
    },
  });
}
