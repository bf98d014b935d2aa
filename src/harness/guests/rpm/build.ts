// The stand-in RPM guest builder, one for every family (layouts.ts gives each family's packages and
// files): a disk that libguestfs inspects as the recipe's distribution, with an rpm database, built
// from Debian's tools in about a minute. rpmbuild makes the packages
// (packages.ts), `rpm --root` installs them into a tree on the host (a plain directory, never a
// guest disk), busybox-static gives the applets and dash /bin/sh, Debian's rpm binary goes in with
// its libraries behind a recording wrapper, and one libguestfs session partitions the disk, makes
// the filesystems and unpacks the tree. It cannot boot: its cells are proven by static checks.
import { chmod, copyFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { run } from "../../../host/exec.js";
import { GuestfishSession } from "../../../guest/guestfish.js";
import { V2vError } from "../../../model/errors.js";
import type { Progress } from "../rootfs.js";
import { cacheKey, ensureCached } from "../cache.js";
import type { BuiltGuest, GuestBuilder } from "../builder.js";
import { validateRpmRecipe, type RpmRecipe } from "./recipe.js";
import { renderSpec, rpmFileName, type StandinPackage } from "./packages.js";
import { RPM_STANDIN_LAYOUTS } from "./layouts.js";
import { RPM_STANDIN_DIR } from "./standins.js";
import { STANDIN_PARTITIONS } from "./tree.js";

/** Harness modules whose source is part of a stand-in guest's cache key (only its own). */
export const RPM_BUILDER_SOURCES = [
  "guests/rpm/build", "guests/rpm/recipe", "guests/rpm/packages", "guests/rpm/standins", "guests/rpm/tree",
  "guests/rpm/layouts", "guests/rpm/suse", "guests/rpm/alt", "guests/rpm/grub-menu-standin",
] as const;

const diskFileName = (r: RpmRecipe): string => `${r.name}-sda.raw`;
const BUSYBOX = "/bin/busybox";
const HOST_RPM = "/usr/bin/rpm";
const HOST_SH = "/bin/dash";

/** Pure: library paths from `ldd` output ("name => /path (addr)" and the loader's "/path (addr)"). */
export function parseLdd(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** The recipe's disk from the cache, built first when missing. */
async function ensureRpmDisks(recipe: RpmRecipe, progress: Progress = () => undefined): Promise<BuiltGuest> {
  const problems = validateRpmRecipe(recipe);
  if (problems.length > 0) throw new V2vError("BAD_INPUT", problems.join("; "));
  const t0 = Date.now();
  const key = await cacheKey({ recipe }, RPM_BUILDER_SOURCES);
  const { dir, built } = await ensureCached("guests", recipe.name, key, async (tmp) => {
    await buildDisk(recipe, tmp, progress);
    await writeFile(join(tmp, "recipe.json"), `${JSON.stringify(recipe, null, 2)}\n`);
    await writeFile(join(tmp, "build.json"), `${JSON.stringify({ diskSeconds: (Date.now() - t0) / 1000 }, null, 2)}\n`);
  });
  return { recipe, key, dir, disks: [{ path: join(dir, diskFileName(recipe)), format: "raw" }], built, seconds: (Date.now() - t0) / 1000 };
}

/** Write a file under a host tree, creating its directory. */
async function put(root: string, path: string, text: string, mode: number): Promise<void> {
  const host = join(root, path);
  await mkdir(dirname(host), { recursive: true });
  await writeFile(host, text);
  await chmod(host, mode);
}

/** rpmbuild one package from its staged payload; returns the .rpm path. */
async function buildPackage(p: StandinPackage, work: string, index: number): Promise<string> {
  const payload = join(work, "payload", String(index));
  for (const f of p.files) await put(payload, f.path, f.text, f.mode);
  const top = join(work, "rpmbuild");
  const spec = join(work, `${index}-${p.name}.spec`);
  await writeFile(spec, renderSpec(p));
  await run(["rpmbuild", "--define", `_topdir ${top}`, "--define", `payload ${payload}`, "--quiet", "-bb", spec], { timeoutMs: 120_000 });
  return join(top, "RPMS", p.arch, rpmFileName(p));
}

/**
 * Applets left out: busybox's own rpm (install and query only) must not stand in for the real one.
 * /bin/sh is dash, not busybox: busybox-static's shell runs its applets before searching PATH
 * (measured: "rpm -e" reached the rpm applet, "invalid option -- 'e'"), which would hide the
 * rpm wrapper from the converter's scripts.
 */
const SKIPPED_APPLETS = new Set(["busybox", "sh", "rpm", "rpm2cpio"]);

/** busybox-static as /bin/busybox and every applet it has: the guest's userland (grep, mv, cat ...). */
async function installBusybox(tree: string): Promise<void> {
  await mkdir(join(tree, "bin"), { recursive: true });
  await copyFile(BUSYBOX, join(tree, BUSYBOX));
  await chmod(join(tree, BUSYBOX), 0o755);
  const applets = (await run([BUSYBOX, "--list"])).stdout.split("\n").filter((a) => /^[a-z0-9_.[-]+$/.test(a) && !SKIPPED_APPLETS.has(a));
  for (const a of applets) await symlink("busybox", join(tree, "bin", a)).catch(() => undefined);
}

/** Debian's dash as /bin/sh, with the loader and C library where Debian's loader looks for them. */
async function installShell(tree: string): Promise<void> {
  await copyFile(HOST_SH, join(tree, "bin", "dash"));
  await chmod(join(tree, "bin", "dash"), 0o755);
  await symlink("dash", join(tree, "bin", "sh"));
  for (const lib of parseLdd((await run(["ldd", HOST_SH])).stdout)) {
    const name = basename(lib);
    const at = name.startsWith("ld-linux") ? join(tree, "lib64", name) : join(tree, "lib", "x86_64-linux-gnu", name);
    await mkdir(dirname(at), { recursive: true });
    await copyFile(lib, at);
  }
}

/** Debian's rpm with its loader and libraries, under RPM_STANDIN_DIR (the wrapper in tree.ts runs it). */
async function installRpm(tree: string): Promise<void> {
  const dir = join(tree, RPM_STANDIN_DIR);
  await mkdir(join(dir, "lib"), { recursive: true });
  await copyFile(HOST_RPM, join(dir, "rpm"));
  for (const lib of parseLdd((await run(["ldd", HOST_RPM])).stdout)) {
    const name = basename(lib);
    await copyFile(lib, name.startsWith("ld-linux") ? join(dir, name) : join(dir, "lib", name));
  }
}

/** The guest's files in a host directory (`work`/tree), packed as a tar for libguestfs's tar-in. */
export async function buildTree(r: RpmRecipe, work: string, progress: Progress): Promise<string> {
  progress(`${r.name}: building the stand-in packages with rpmbuild`);
  const layout = RPM_STANDIN_LAYOUTS[r.family];
  const packages = layout.packages(r);
  const rpms: string[] = [];
  for (const [i, p] of packages.entries()) rpms.push(await buildPackage(p, work, i));
  const tree = join(work, "tree");
  for (const d of layout.dirs) await mkdir(join(tree, d), { recursive: true });
  for (const f of layout.treeFiles(r)) await put(tree, f.path, f.text, f.mode);
  await installBusybox(tree);
  await installShell(tree);
  await installRpm(tree);
  // Installed without scriptlets: the packages' only scriptlets record removals (%preun, %postun).
  await run(["rpm", "--root", tree, "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite",
    "-i", "--nodeps", "--noscripts", "--notriggers", ...rpms], { timeoutMs: 300_000 });
  const tar = join(work, "tree.tar");
  await run(["tar", "-C", tree, "--numeric-owner", "--owner=0", "--group=0", "-cf", tar, "."], { timeoutMs: 300_000 });
  return tar;
}

async function buildDisk(r: RpmRecipe, dir: string, progress: Progress): Promise<void> {
  const t0 = Date.now();
  const work = join(dir, "work");
  await mkdir(work);
  const tar = await buildTree(r, work, progress);
  const raw = join(dir, diskFileName(r));
  await run(["qemu-img", "create", "-q", "-f", "raw", raw, `${r.rootDiskGiB}G`], { timeoutMs: 60_000 });
  progress(`${r.name}: launching the libguestfs appliance`);
  const g = await GuestfishSession.start([{ path: raw, format: "raw" }]);
  try {
    const { boot, root } = STANDIN_PARTITIONS;
    const bootEnd = 2048 + boot.sizeMiB * 2048 - 1;
    await g.cmd("part-init", "/dev/sda", "mbr");
    await g.cmd("part-add", "/dev/sda", "p", "2048", String(bootEnd));
    await g.cmd("part-add", "/dev/sda", "p", String(bootEnd + 1), "-2048");
    await g.cmd("part-set-bootable", "/dev/sda", String(boot.number), "true");
    await g.cmd("mkfs", "ext4", `/dev/sda${boot.number}`, "label:boot");
    await g.cmd("mkfs", "ext4", `/dev/sda${root.number}`, "label:root");
    await g.cmd("mount", `/dev/sda${root.number}`, "/");
    await g.cmd("mkdir", "/boot");
    await g.cmd("mount", `/dev/sda${boot.number}`, "/boot");
    await g.cmd("tar-in", tar, "/");
    await g.cmd("umount-all");
    await checkBuiltGuest(g, r);
  } finally {
    await g.close();
  }
  await rm(work, { recursive: true, force: true });
  progress(`${r.name}: disk built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/**
 * Refuse to publish a disk that libguestfs does not inspect as the recipe says: the distro, its
 * version, and an rpm database that lists the kernels and the VMware tools (the conversion removes
 * those by inspection's package list).
 */
async function checkBuiltGuest(g: GuestfishSession, r: RpmRecipe): Promise<void> {
  const expected = `/dev/sda${STANDIN_PARTITIONS.root.number}`;
  const roots = (await g.cmd("inspect-os")).split("\n").filter((x) => x !== "");
  if (roots.length !== 1 || roots[0] !== expected) {
    throw new V2vError("CONVERSION", `${r.name}: libguestfs found the roots [${roots.join(", ")}], expected only ${expected}; check /etc/os-release and /etc/fstab`);
  }
  const distro = await g.cmd("inspect-get-distro", expected);
  const major = Number(await g.cmd("inspect-get-major-version", expected));
  const minor = Number(await g.cmd("inspect-get-minor-version", expected));
  if (distro !== r.inspect.distro || major !== r.inspect.major || minor !== r.inspect.minor) {
    throw new V2vError("CONVERSION", `${r.name}: libguestfs reads ${distro} ${major}.${minor}, expected ${r.inspect.distro} ${r.inspect.major}.${r.inspect.minor}`);
  }
  await g.cmd("mount-ro", expected, "/");
  await g.cmd("mount-ro", `/dev/sda${STANDIN_PARTITIONS.boot.number}`, "/boot");
  const listed = await g.cmd("inspect-list-applications2", expected);
  await g.cmd("umount-all");
  const names = new Set([...listed.matchAll(/app2_name: (\S+)/g)].map((m) => m[1]));
  const missing = [RPM_STANDIN_LAYOUTS[r.family].kernelPackage, ...r.vmwareTools].filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new V2vError("CONVERSION", `${r.name}: libguestfs lists the packages [${[...names].join(", ")}], missing ${missing.join(", ")}; check the rpm database and /usr/lib/rpm/macros`);
  }
}

/** Stand-in RPM guests: inspectable and convertible, not bootable, so static proof only. */
export const rpmBuilder: GuestBuilder<RpmRecipe> = { kind: "rpm", proof: "static", ensureDisks: ensureRpmDisks };
