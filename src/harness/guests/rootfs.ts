// debootstrap a Debian root file system into our own build directory and cache it as a tarball,
// shared by every guest variant (and by the qemu container image) that asks for the same packages.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../host/exec.js";
import { V2vError } from "../../model/errors.js";
import { cacheKey, ensureCached } from "./cache.js";
import { hostDebianMirror } from "./apt-sources.js";
import { DEBIAN_SUITES, type DebianRecipe } from "./recipes.js";

/**
 * The Debian archive this host's apt uses (its sources, not a name written here), so reference
 * guests are built from the same place the machine installs its own packages from.
 */
export const DEBIAN_MIRROR = hostDebianMirror();

export interface RootfsSpec {
  readonly suite: string;
  /** debootstrap --variant: "default" (priority important, a normal system) or "minbase". */
  readonly variant: "default" | "minbase";
  /** --include, sorted so that the same set gives the same cache key. */
  readonly packages: readonly string[];
  /**
   * Installed with apt-get inside the tree after debootstrap. debootstrap resolves a dependency
   * by its first alternative only (linux-image's "initramfs-tools | linux-initramfs-tool") and
   * cannot swap a package for a conflicting one; apt can, as an administrator would.
   */
  readonly aptInstall?: readonly string[];
  readonly mirror: string;
}

/** Progress sink: one human sentence per step. */
export type Progress = (message: string) => void;

/**
 * Pure: the root file system a recipe needs (bootloader by firmware, shim when asked, lvm2 for
 * LVM roots, the initramfs tool).
 */
export function rootfsSpecFor(r: DebianRecipe): RootfsSpec {
  const dracut = r.initramfsTool === "dracut";
  const packages = new Set([
    "linux-image-amd64", "initramfs-tools", "systemd-sysv", "udev", "kmod", "e2fsprogs", "open-vm-tools",
    ...(r.firmware === "uefi" ? ["grub-efi-amd64", "dosfstools"] : ["grub-pc"]),
    ...(r.efiLoader === "vendor-shim" ? ["shim-signed", "grub-efi-amd64-signed"] : []),
    ...(r.layout === "lvm-root" ? ["lvm2"] : []),
    ...r.extraPackages,
  ]);
  return {
    suite: DEBIAN_SUITES[r.release], variant: "default", packages: [...packages].sort(), mirror: DEBIAN_MIRROR,
    ...(dracut ? { aptInstall: ["dracut"] } : {}),
  };
}

/** Pure: the debootstrap argv for a spec, into `target`. */
export function debootstrapArgv(spec: RootfsSpec, target: string): string[] {
  return [
    "debootstrap", "--arch=amd64", ...(spec.variant === "minbase" ? ["--variant=minbase"] : []),
    "--components=main", `--include=${spec.packages.join(",")}`, spec.suite, target, spec.mirror,
  ];
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const points = info
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

/**
 * Remove a debootstrap target. A failed debootstrap can leave /proc or /sys mounted inside it;
 * those are unmounted first, since a recursive delete would otherwise walk into the host's /sys.
 */
export async function removeBuildTree(dir: string): Promise<void> {
  for (const mp of await mountsUnder(dir)) await run(["umount", "-l", mp], { timeoutMs: 60_000 });
  if ((await mountsUnder(dir)).length > 0) {
    throw new V2vError("COMMAND", `${dir} still has file systems mounted under it; unmount them, then delete the directory`);
  }
  await rm(dir, { recursive: true, force: true });
}

/** debootstrap `spec` into `target` and tar it (numeric owners, xattrs kept) to `tarPath`. */
export async function debootstrapToTarball(spec: RootfsSpec, target: string, tarPath: string, progress: Progress): Promise<void> {
  const t0 = Date.now();
  progress(`debootstrap ${spec.variant} ${spec.suite} with ${spec.packages.length} extra packages`);
  try {
    await run(debootstrapArgv(spec, target), {
      timeoutMs: 60 * 60_000,
      env: { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8" },
    });
    if (spec.aptInstall && spec.aptInstall.length > 0) await aptInstallInTree(target, spec.aptInstall, progress);
    // Package caches and indexes are of no use offline and would double the tarball.
    await run(["sh", "-c", 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages "$1"/var/cache/apt/*.bin', "sh", target], { timeoutMs: 60_000 });
    progress(`debootstrap done in ${((Date.now() - t0) / 1000).toFixed(0)} s; packing ${tarPath}`);
    await run(["tar", "--numeric-owner", "--xattrs", "-C", target, "-cf", tarPath, "."], { timeoutMs: 30 * 60_000 });
  } catch (e) {
    const log = await readFile(join(target, "debootstrap", "debootstrap.log"), "utf8").catch(() => "");
    if (log) throw new V2vError("COMMAND", `debootstrap of ${spec.suite} failed; the end of its log:\n${log.trimEnd().split("\n").slice(-15).join("\n")}`, { cause: e });
    throw e;
  } finally {
    await removeBuildTree(target);
  }
}

/**
 * apt-get install inside a fresh debootstrap tree (our own build directory, never a guest image),
 * with /proc mounted for the packages' scripts; removeBuildTree unmounts it if this fails midway.
 */
async function aptInstallInTree(target: string, packages: readonly string[], progress: Progress): Promise<void> {
  if (packages.some((p) => !/^[a-z0-9][a-z0-9+.-]+$/.test(p))) throw new V2vError("BAD_INPUT", `not Debian package names: ${packages.join(" ")}`);
  progress(`apt-get install ${packages.join(" ")} in the new tree`);
  await run(["mount", "-t", "proc", "proc", join(target, "proc")], { timeoutMs: 60_000 });
  try {
    await run(["chroot", target, "apt-get", "install", "-y", "--no-install-recommends", ...packages], {
      timeoutMs: 30 * 60_000,
      env: { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8", PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
  } finally {
    await run(["umount", join(target, "proc")], { timeoutMs: 60_000 });
  }
}

export interface CachedRootfs {
  readonly tarPath: string;
  /** False when the tarball came from the cache. */
  readonly built: boolean;
  readonly seconds: number;
}

/** The cached tarball of `spec`, built (debootstrap, a few minutes) when missing. */
export async function ensureRootfsTarball(spec: RootfsSpec, progress: Progress = () => undefined): Promise<CachedRootfs> {
  const t0 = Date.now();
  const key = await cacheKey(spec, ["guests/rootfs"]);
  const name = `${spec.suite}-${spec.variant}`;
  const { dir, built } = await ensureCached("rootfs", name, key, async (tmp) => {
    await debootstrapToTarball(spec, join(tmp, "target"), join(tmp, "rootfs.tar"), progress);
  });
  return { tarPath: join(dir, "rootfs.tar"), built, seconds: (Date.now() - t0) / 1000 };
}
