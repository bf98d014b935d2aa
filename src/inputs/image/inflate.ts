// Inflate gzip-compressed source disks (OVA members marked ovf:compression="gzip") into the run's
// work directory as a stream, never past the size the OVF declared (plus a margin) nor past the
// free space of the temporary directory; then check the result like any other image. A disk
// inflated here must stand alone: any file it names is refused.
import { createReadStream, createWriteStream } from "node:fs";
import { rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { V2vError, badInput } from "../../model/errors.js";
import type { StageContext } from "../../model/contracts.js";
import type { CompressedSourceImage, Source, SourceDisk } from "../../model/types.js";
import { checkDeclaredSize, openImage } from "./open-image.js";
import { noReferences } from "./resolvers.js";

/** Kept free in the temporary directory for the overlays the conversion writes. */
export const TMP_RESERVE_BYTES = 512 * 1024 * 1024;

/** Why an inflation stopped early: the declared size, or the free space. */
class LimitReached extends Error {
  constructor(readonly reason: "declared" | "space") {
    super(reason);
  }
}

/** Counts bytes and fails the pipeline once more than `limit` have passed. */
function byteLimit(limit: number, reason: "declared" | "space"): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
      seen += chunk.length;
      if (seen > limit) done(new LimitReached(reason));
      else done(null, chunk);
    },
  });
}

async function freeBytes(dir: string): Promise<number> {
  const st = await statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
}

async function inflateOne(d: SourceDisk, img: CompressedSourceImage, ctx: StageContext): Promise<SourceDisk> {
  const out = join(ctx.workDir, `inflated-${d.index}.img`);
  // Streamed: neither bound needs to be known to fit beforehand (a streamOptimized VMDK inflates to
  // far less than its capacity), but crossing either stops the copy before the disk fills.
  const room = Math.max(0, (await freeBytes(ctx.workDir)) - TMP_RESERVE_BYTES);
  const byDeclared = img.limitBytes !== undefined && img.limitBytes <= room;
  const limit = byDeclared ? img.limitBytes! : room;
  const reason = byDeclared ? "declared" : "space";
  ctx.reporter.info(`Inflating ${d.displayName} into ${out} (at most ${limit} bytes)`);
  const end = img.sizeBytes === 0 ? img.offsetBytes : img.offsetBytes + img.sizeBytes - 1;
  try {
    await pipeline(
      createReadStream(img.path, { start: img.offsetBytes, end }),
      createGunzip(),
      byteLimit(limit, reason),
      createWriteStream(out, { flags: "wx" }),
    );
  } catch (e) {
    await rm(out, { force: true });
    if (e instanceof LimitReached && e.reason === "declared") {
      throw badInput(`${d.displayName}: this gzip-compressed disk inflates to more than the ${d.virtualSizeBytes} bytes the OVF declares; the OVA is corrupt or hostile (a decompression bomb)`);
    }
    if (e instanceof LimitReached || (e as NodeJS.ErrnoException).code === "ENOSPC") {
      throw new V2vError("NO_SPACE", `${d.displayName}: inflating this gzip-compressed disk would fill the temporary directory ${ctx.workDir}; free space there or set VIRT_V2V_TMPDIR to a larger directory`, { cause: e });
    }
    throw badInput(`${d.displayName}: the OVF says this disk is gzip-compressed, but it cannot be inflated (${(e as Error).message}); the OVA may be corrupt`, e);
  }
  const place = { kind: "file" as const, path: out, label: d.displayName };
  const { image, virtualSizeBytes } = await openImage(place, noReferences("a disk inflated from a compressed OVA member must be self-contained"));
  checkDeclaredSize(d.displayName, virtualSizeBytes, d.virtualSizeBytes);
  return { ...d, image, virtualSizeBytes };
}

/** The source with every compressed disk inflated and checked; the same source when none is compressed. */
export async function inflateDisks(source: Source, ctx: StageContext): Promise<Source> {
  if (!source.disks.some((d) => d.image.kind === "gzip")) return source;
  const disks: SourceDisk[] = [];
  for (const d of source.disks) disks.push(d.image.kind === "gzip" ? await inflateOne(d, d.image, ctx) : d);
  return { ...source, disks };
}
