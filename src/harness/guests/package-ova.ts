// Package a reference guest's raw disks as a VMware-style OVA: streamOptimized VMDKs, an OVF 1.0
// descriptor and a SHA256 manifest, written with tar-stream so no disk is ever held in memory.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { pack, type Pack } from "tar-stream";
import { imageInfo } from "../../host/qemu-img.js";
import { run } from "../../host/exec.js";
import { ensureGuestDisks } from "./builders.js";
import type { Progress } from "./rootfs.js";
import { cacheKey, ensureCached } from "./cache.js";
import type { GuestRecipe } from "./recipes.js";
import { renderManifest, renderOvf, type OvfDiskFile } from "./ovf-template.js";

/** A fixed member time, so the same disks give the same OVA bytes. */
const MEMBER_MTIME = new Date("2024-01-01T00:00:00Z");

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

function addBuffer(p: Pack, name: string, content: string): Promise<void> {
  return new Promise((resolve, reject) => {
    p.entry({ name, mode: 0o644, mtime: MEMBER_MTIME, uname: "root", gname: "root" }, content, (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(p: Pack, name: string, path: string): Promise<void> {
  const { size } = await stat(path);
  await new Promise<void>((resolve, reject) => {
    const entry = p.entry({ name, size, mode: 0o644, mtime: MEMBER_MTIME, uname: "root", gname: "root" }, (err) => (err ? reject(err) : resolve()));
    pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), entry).catch(reject);
  });
}

/**
 * Write `outPath` (an OVA) from raw disks: OVF first, then the manifest, then the VMDKs, as
 * ovftool orders them. The file appears only when complete (written under a temporary name).
 */
export async function packageOva(rawDisk: string | readonly string[], recipe: GuestRecipe, outPath: string): Promise<void> {
  const raws = typeof rawDisk === "string" ? [rawDisk] : rawDisk;
  const work = await mkdtemp(join(dirname(outPath), ".ova-work-"));
  try {
    const files: (OvfDiskFile & { path: string })[] = [];
    for (const [i, raw] of raws.entries()) {
      const fileName = `${recipe.name}-disk${i + 1}.vmdk`;
      const path = join(work, fileName);
      await run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw, path], { timeoutMs: 60 * 60_000 });
      const [{ size }, info] = await Promise.all([stat(path), imageInfo(raw, "raw")]);
      files.push({ fileName, path, fileSizeBytes: size, capacityBytes: info.virtualSizeBytes });
    }
    const ovfName = `${recipe.name}.ovf`;
    const ovf = renderOvf(recipe, files);
    const digests = [{ fileName: ovfName, sha256: createHash("sha256").update(ovf).digest("hex") }];
    for (const f of files) digests.push({ fileName: f.fileName, sha256: await sha256File(f.path) });
    const mf = renderManifest(digests);

    const tmpOut = join(work, basename(outPath));
    const p = pack();
    const written = pipeline(p, createWriteStream(tmpOut));
    await addBuffer(p, ovfName, ovf);
    await addBuffer(p, `${recipe.name}.mf`, mf);
    for (const f of files) await addFile(p, f.fileName, f.path);
    p.finalize();
    await written;
    await rename(tmpOut, outPath);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface BuiltOva {
  readonly path: string;
  readonly built: boolean;
  readonly seconds: number;
}

/** The recipe's OVA from the cache, packaged (and its disks built) first when missing. */
export async function ensureGuestOva(recipe: GuestRecipe, progress: Progress = () => undefined): Promise<BuiltOva> {
  const t0 = Date.now();
  const guest = await ensureGuestDisks(recipe, progress);
  const key = await cacheKey({ recipe, guestKey: guest.key }, ["guests/package-ova", "guests/ovf-template"]);
  const fileName = `${recipe.name}.ova`;
  const { dir, built } = await ensureCached("ova", recipe.name, key, async (tmp) => {
    progress(`${recipe.name}: packaging ${fileName}`);
    await packageOva(guest.disks.map((d) => d.path), recipe, join(tmp, fileName));
  });
  return { path: join(dir, fileName), built, seconds: (Date.now() - t0) / 1000 };
}
