// What the fault cases run on: the reference guest (as an OVA, and as its raw disk plus a data
// disk of random bytes whose copy lasts long enough to be interrupted), a fresh -os and
// VIRT_V2V_TMPDIR per case under /var/tmp, and small tmpfs mounts for ENOSPC and read-only -os.
import { randomFillSync } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import { run } from "../../host/exec.js";
import { ensureGuestDisks } from "../guests/builders.js";
import type { Progress } from "../guests/rootfs.js";
import { cacheDir } from "../guests/cache.js";
import { findRecipe } from "../guests/recipes.js";
import { ensureGuestOva } from "../guests/package-ova.js";
import { sha256File } from "./fault-leftovers.js";

export const MiB = 1024 * 1024;

export interface FaultSources {
  /** The reference guest as an OVA (-i ova). */
  readonly ova: string;
  /** Its raw disk (-i disk), read in place. */
  readonly rawDisk: string;
  /** Random bytes, a second disk for -i disk: nothing to trim or skip, so its copy takes seconds. */
  readonly dataDisk: string;
  /** A raw disk of zeros: inspection finds no operating system. */
  readonly blankDisk: string;
  /** sha256 of each of the above, taken before any case ran. */
  readonly sha256: ReadonlyMap<string, string>;
}

/** A raw file of `bytes` random bytes in the cache (made once, published by rename). */
export async function ensureRandomDisk(bytes: number): Promise<string> {
  const dir = join(cacheDir(), "faults");
  const path = join(dir, `random-${bytes / MiB}m.raw`);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { flags: "wx" });
  const chunk = Buffer.alloc(4 * MiB);
  for (let done = 0; done < bytes; done += chunk.length) {
    randomFillSync(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  await rename(tmp, path);
  return path;
}

/** A sparse raw file of `bytes` zeros in the cache. */
export async function ensureBlankDisk(bytes: number): Promise<string> {
  const dir = join(cacheDir(), "faults");
  const path = join(dir, `blank-${bytes / MiB}m.raw`);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, "", { flag: "wx" });
  await truncate(tmp, bytes);
  await rename(tmp, path);
  return path;
}

/** Build or reuse the reference guest (the first build takes ~10 min) and hash every source. */
export async function prepareFaultSources(progress: Progress = () => undefined): Promise<FaultSources> {
  const recipe = findRecipe("debian-12-bios");
  const ova = (await ensureGuestOva(recipe, progress)).path;
  const rawDisk = (await ensureGuestDisks(recipe, progress)).disks[0]!.path;
  const dataDisk = await ensureRandomDisk(1024 * MiB);
  const blankDisk = await ensureBlankDisk(256 * MiB);
  const sha256 = new Map<string, string>();
  for (const p of [ova, rawDisk, dataDisk, blankDisk]) sha256.set(p, await sha256File(p));
  return { ova, rawDisk, dataDisk, blankDisk, sha256 };
}

export interface CaseDirs {
  /** Holds the two below; removed after the case. */
  readonly root: string;
  /** -os */
  readonly out: string;
  /** VIRT_V2V_TMPDIR (under /var/tmp: v2v wants at least 1 GiB free there) */
  readonly tmp: string;
}

export async function makeCaseDirs(): Promise<CaseDirs> {
  const root = await mkdtemp("/var/tmp/v2v-fault-");
  const out = join(root, "out");
  const tmp = join(root, "tmp");
  await mkdir(out);
  await mkdir(tmp);
  return { root, out, tmp };
}

/** Remove a case's directories (unmounting first whatever is mounted on -os). */
export async function removeCaseDirs(d: CaseDirs): Promise<void> {
  await unmount(d.out);
  await rm(d.root, { recursive: true, force: true });
}

/** Mount a tmpfs of `sizeMiB` on `dir`, read-only when asked (root ignores permission bits; EROFS it does not). */
export async function mountTmpfs(dir: string, sizeMiB: number, readOnly = false): Promise<void> {
  await run(["mount", "-t", "tmpfs", "-o", `size=${sizeMiB}m,mode=0755${readOnly ? ",ro" : ""}`, "tmpfs", dir], { timeoutMs: 30_000 });
}

/** Unmount `dir` if something is mounted there. */
export async function unmount(dir: string): Promise<void> {
  const mounted = await run(["mountpoint", "-q", dir], { timeoutMs: 10_000 }).then(() => true, () => false);
  if (mounted) await run(["umount", dir], { timeoutMs: 60_000 });
}

/** Whether `dir` is a mount point (the ENOSPC case checks that its tmpfs was unmounted). */
export const isMountPoint = (dir: string): Promise<boolean> =>
  run(["mountpoint", "-q", dir], { timeoutMs: 10_000 }).then(() => true, () => false);

export const isRoot = (): boolean => process.getuid?.() === 0;
