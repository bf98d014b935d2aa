// The Debian-family builder: a reference guest's disks from its recipe: raw disks, partitions and file systems made
// with libguestfs, the cached debootstrap tree unpacked into them, then the guest's own tools
// (update-initramfs, grub-install, update-grub) run inside it. Cached by recipe hash.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../../host/exec.js";
import { GuestfishSession } from "../../../guest/guestfish.js";
import { V2vError } from "../../../model/errors.js";
import { BOOT_REPORT_SCRIPT_PATH, BOOT_REPORT_UNIT_NAME, renderBootReportScript, renderBootReportUnit } from "../../boot/boot-report.js";
import { ensureRootfsTarball, rootfsSpecFor, type Progress } from "../rootfs.js";
import { cacheKey, ensureCached } from "../cache.js";
import { validateRecipe, type DebianRecipe } from "../recipes.js";
import type { BuiltGuest, GuestBuilder } from "../builder.js";
import {
  DRACUT_REFERENCE_CONF, planLayout, renderDracutConf, renderFstab, renderGrubDefault, renderInitramfsModules, renderNetworkdConfig,
  renderResumeConf, resumeDevice, sourceDiskPrefix, type FsIds, type GuestLayout,
} from "./layout.js";
import { buildXenToolsDeb, XEN_TOOLS_PACKAGE } from "./xen-tools.js";

/** Harness modules whose source is part of a guest disk's cache key. */
export const GUEST_BUILDER_SOURCES = ["guests/rootfs", "guests/debian/build", "guests/debian/layout", "guests/debian/xen-tools", "boot/boot-report"] as const;

/**
 * The kernel version a recipe with brokenNewestKernel installs beside the real one: newer than
 * any bookworm kernel, so grub's menu puts it first and boots it by default.
 */
export const BROKEN_KERNEL_VERSION = "6.9.0-1-amd64";

const diskFileName = (r: DebianRecipe, index: number): string => `${r.name}-sd${String.fromCharCode(97 + index)}.raw`;
const elapsed = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** The recipe's disks from the cache, built first when missing (debootstrap + libguestfs: ~10 min under TCG). */
async function ensureDebianDisks(recipe: DebianRecipe, progress: Progress = () => undefined): Promise<BuiltGuest> {
  const problems = validateRecipe(recipe);
  if (problems.length > 0) throw new V2vError("BAD_INPUT", problems.join("; "));
  const t0 = Date.now();
  const layout = planLayout(recipe);
  const key = await cacheKey({ recipe, layout }, GUEST_BUILDER_SOURCES);
  const { dir, built } = await ensureCached("guests", recipe.name, key, async (tmp) => {
    const rootfs = await ensureRootfsTarball(rootfsSpecFor(recipe), progress);
    const tDisk = Date.now();
    await buildDisks(recipe, layout, rootfs.tarPath, tmp, progress);
    const timings = { rootfsSeconds: rootfs.built ? rootfs.seconds : 0, diskSeconds: (Date.now() - tDisk) / 1000 };
    await writeFile(join(tmp, "recipe.json"), `${JSON.stringify(recipe, null, 2)}\n`);
    await writeFile(join(tmp, "build.json"), `${JSON.stringify(timings, null, 2)}\n`);
  });
  const disks = layout.disks.map((d) => ({ path: join(dir, diskFileName(recipe, d.index)), format: "raw" as const }));
  return { recipe, key, dir, disks, built, seconds: (Date.now() - t0) / 1000 };
}

async function buildDisks(r: DebianRecipe, layout: GuestLayout, tarPath: string, dir: string, progress: Progress): Promise<void> {
  const t0 = Date.now();
  const paths = layout.disks.map((d) => join(dir, diskFileName(r, d.index)));
  for (const [i, d] of layout.disks.entries()) {
    await run(["qemu-img", "create", "-q", "-f", "raw", paths[i]!, `${d.sizeGiB}G`], { timeoutMs: 60_000 });
  }
  progress(`${r.name}: launching the libguestfs appliance`);
  const g = await GuestfishSession.start(paths.map((path) => ({ path, format: "raw" as const })));
  try {
    const ids = await makeFilesystems(g, layout);
    await mountAll(g, layout, "ext4");
    progress(`${r.name}: unpacking the root file system (${elapsed(t0)})`);
    await g.cmd("tar-in", tarPath, "/", "xattrs:true");
    await mountAll(g, layout, "vfat");
    await writeGuestFiles(g, r, layout, ids, dir);
    if (r.origin === "xen") await makeXenBorn(g, dir);
    progress(`${r.name}: ${r.initramfsTool === "dracut" ? "dracut with drivers=" : "update-initramfs with MODULES=list"} (${elapsed(t0)})`);
    await inGuest(g, initramfsBuildCommand(r), 30 * 60_000);
    // After the initramfs build, which would otherwise make one for it: a vmlinuz without modules or initramfs.
    if (r.brokenNewestKernel) await inGuest(g, `set -e; v=$(ls /lib/modules | head -n1); cp "/boot/vmlinuz-$v" /boot/vmlinuz-${BROKEN_KERNEL_VERSION}`, 120_000);
    progress(`${r.name}: grub-install and update-grub (${elapsed(t0)})`);
    await inGuest(g, grubInstallCommand(r, layout), 15 * 60_000);
    await inGuest(g, "update-grub", 15 * 60_000);
    // update-grub ran where the disks are /dev/sdX; a Xen guest's menu names them as Xen did.
    if (sourceDiskPrefix(r) !== "sd") await inGuest(g, `sed -i 's#root=/dev/sd#root=/dev/${sourceDiskPrefix(r)}#g' /boot/grub/grub.cfg`, 60_000);
    await checkBuiltGuest(g, r, layout);
    progress(`${r.name}: disks built in ${elapsed(t0)}`);
  } finally {
    await g.close();
  }
}

/** Partition every disk, create LVM and file systems; returns the UUIDs for fstab. */
async function makeFilesystems(g: GuestfishSession, layout: GuestLayout): Promise<FsIds> {
  for (const disk of layout.disks) {
    await g.cmd("part-init", disk.device, disk.table === "gpt" ? "gpt" : "mbr");
    let start = 2048; // 1 MiB aligned, as every current partitioner does
    for (const [i, p] of disk.partitions.entries()) {
      const n = String(i + 1);
      // GPT keeps a backup table in the last 33 sectors.
      const end = p.sizeMiB === undefined ? (disk.table === "gpt" ? -34 : -1) : start + p.sizeMiB * 2048 - 1;
      await g.cmd("part-add", disk.device, "p", String(start), String(end));
      if (p.gptType) await g.cmd("part-set-gpt-type", disk.device, n, p.gptType);
      if (p.mbrId !== undefined) await g.cmd("part-set-mbr-id", disk.device, n, `0x${p.mbrId.toString(16)}`);
      if (end > 0) start = end + 1;
    }
    if (disk.table === "mbr") await g.cmd("part-set-bootable", disk.device, "1", "true");
  }
  if (layout.lvm) {
    await g.cmd("pvcreate", layout.lvm.pv);
    await g.cmd("vgcreate", layout.lvm.vg, layout.lvm.pv);
    for (const lv of layout.lvm.lvs) {
      if (lv.sizeMiB === undefined) await g.cmd("lvcreate-free", lv.name, layout.lvm.vg, "100");
      else await g.cmd("lvcreate", lv.name, layout.lvm.vg, String(lv.sizeMiB));
    }
  }
  const ids: Record<string, { uuid: string; label: string }> = {};
  for (const f of layout.filesystems) {
    if (f.type === "swap") await g.cmd("mkswap", f.device, `label:${f.label}`);
    else await g.cmd("mkfs", f.type, f.device, `label:${f.label}`);
    ids[f.device] = { uuid: await g.cmd("vfs-uuid", f.device), label: f.label };
  }
  return ids;
}

/**
 * Mount file systems of one type in depth order. ext4 ones go before the tree is unpacked (/boot
 * must receive the kernels); the vfat ESP after, since tar cannot set owners on vfat.
 */
async function mountAll(g: GuestfishSession, layout: GuestLayout, type: "ext4" | "vfat"): Promise<void> {
  for (const f of layout.filesystems.filter((x) => x.type === type)) {
    if (f.mountpoint !== "/") await g.cmd("mkdir-p", f.mountpoint);
    await g.cmd("mount", f.device, f.mountpoint);
  }
}

/** Write one file into the guest through a host temporary file (upload is binary-safe). */
async function putFile(g: GuestfishSession, tmpDir: string, guestPath: string, content: string, mode = 0o644): Promise<void> {
  const local = join(tmpDir, `upload-${guestPath.replace(/\//g, "_")}`);
  await writeFile(local, content);
  await g.cmd("upload", local, guestPath);
  await g.cmd("chmod", `0${mode.toString(8)}`, guestPath);
}

async function writeGuestFiles(g: GuestfishSession, r: DebianRecipe, layout: GuestLayout, ids: FsIds, tmpDir: string): Promise<void> {
  await putFile(g, tmpDir, "/etc/fstab", renderFstab(layout, ids));
  await putFile(g, tmpDir, "/etc/hostname", `${r.hostname}\n`);
  await putFile(g, tmpDir, "/etc/hosts", `127.0.0.1\tlocalhost\n127.0.1.1\t${r.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  await putFile(g, tmpDir, "/etc/default/grub", renderGrubDefault(r, layout));
  if (r.initramfsTool === "dracut") {
    await putFile(g, tmpDir, DRACUT_REFERENCE_CONF, renderDracutConf(r));
  } else {
    await putFile(g, tmpDir, "/etc/initramfs-tools/modules", renderInitramfsModules(r));
    await inGuest(g, "sed -i 's/^MODULES=.*/MODULES=list/' /etc/initramfs-tools/initramfs.conf", 60_000);
    const resume = resumeDevice(r, layout);
    if (resume) await putFile(g, tmpDir, "/etc/initramfs-tools/conf.d/resume", renderResumeConf(resume));
  }
  await g.cmd("mkdir-p", "/etc/systemd/network");
  await putFile(g, tmpDir, "/etc/systemd/network/50-wired.network", renderNetworkdConfig());
  await putFile(g, tmpDir, BOOT_REPORT_SCRIPT_PATH, renderBootReportScript(), 0o755);
  await putFile(g, tmpDir, `/etc/systemd/system/${BOOT_REPORT_UNIT_NAME}`, renderBootReportUnit());
  // `systemctl enable` works offline in a chroot: it only creates the [Install] symlinks.
  await inGuest(g, `systemctl enable ${BOOT_REPORT_UNIT_NAME} systemd-networkd.service`, 120_000);
  // No login is needed: root stays locked (debootstrap leaves "*" in /etc/shadow).
}

/**
 * A guest born on Xen carries Xen's guest tools, not VMware's: the stand-in xe-guest-utilities is
 * installed with dpkg and open-vm-tools (in every reference rootfs) is purged.
 */
async function makeXenBorn(g: GuestfishSession, tmpDir: string): Promise<void> {
  const deb = await buildXenToolsDeb(tmpDir);
  await g.cmd("upload", deb, "/tmp/xen-tools.deb");
  await inGuest(g, "set -e; dpkg -i /tmp/xen-tools.deb; rm -f /tmp/xen-tools.deb; dpkg --purge open-vm-tools", 5 * 60_000);
}

/**
 * Pure: the grub-install line for a recipe. UEFI goes to the removable path unless the recipe
 * asks for the vendor folder only (the layout whose NVRAM entry stayed on the old hypervisor).
 */
export function grubInstallCommand(r: DebianRecipe, layout: GuestLayout): string {
  if (r.firmware !== "uefi") return `grub-install --target=i386-pc ${layout.bootDisk}`;
  const efi = "grub-install --target=x86_64-efi --efi-directory=/boot/efi --no-nvram";
  switch (r.efiLoader ?? "removable") {
    case "removable": return `${efi} --removable`;
    case "vendor": return `${efi} --bootloader-id=debian --no-uefi-secure-boot`;
    case "vendor-shim": return `${efi} --bootloader-id=debian --uefi-secure-boot`;
  }
}

/** Pure: the shell line that builds every installed kernel's initramfs with the recipe's tool. */
export function initramfsBuildCommand(r: DebianRecipe): string {
  if (r.initramfsTool !== "dracut") return "update-initramfs -u -k all";
  // Debian's dracut names the image as initramfs-tools does, /boot/initrd.img-VERSION.
  return 'for m in /lib/modules/*; do v="${m##*/}"; dracut --force "/boot/initrd.img-$v" "$v" || exit 1; done';
}

/** Pure: the shell line that lists every initramfs's files (lsinitramfs, or dracut's lsinitrd). */
export function initramfsListCommand(r: DebianRecipe): string {
  const lister = r.initramfsTool === "dracut" ? "lsinitrd" : "lsinitramfs";
  return `for i in /boot/initrd.img-*; do ${lister} "$i"; done`;
}

/** Pure: the files the ESP must and must not hold after grub-install, by the recipe's loader. */
export function expectedEspFiles(r: DebianRecipe): { readonly present: readonly string[]; readonly absent: readonly string[] } {
  if (r.firmware !== "uefi") return { present: [], absent: [] };
  switch (r.efiLoader ?? "removable") {
    case "removable": return { present: ["/boot/efi/EFI/BOOT/BOOTX64.EFI"], absent: [] };
    case "vendor": return { present: ["/boot/efi/EFI/debian/grubx64.efi"], absent: ["/boot/efi/EFI/BOOT", "/boot/efi/EFI/debian/shimx64.efi"] };
    case "vendor-shim": return { present: ["/boot/efi/EFI/debian/shimx64.efi", "/boot/efi/EFI/debian/grubx64.efi"], absent: ["/boot/efi/EFI/BOOT"] };
  }
}

/** Run a shell line inside the guest (chroot), with a PATH that has the admin tools. */
function inGuest(g: GuestfishSession, line: string, timeoutMs: number): Promise<string> {
  return g.cmdWithTimeout(timeoutMs, "sh", `export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8; ${line}`);
}

/** Drivers that would let the unconverted guest boot on virtio: the built initramfs must lack them. */
export const BOOT_CRITICAL_VIRTIO = ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_mmio"] as const;

/** Refuse to publish a guest that would not make a valid negative control. */
async function checkBuiltGuest(g: GuestfishSession, r: DebianRecipe, layout: GuestLayout): Promise<void> {
  const images = (await inGuest(g, "ls /boot/initrd.img-* 2>/dev/null || true", 60_000)).trim();
  if (images === "") throw new V2vError("CONVERSION", `${r.name}: no /boot/initrd.img-* was built; check ${r.initramfsTool ?? "initramfs-tools"} in the guest`);
  // The drivers a guest needs to find its root on virtio; virtio.ko alone (a dependency of other
  // modules) does not let it boot there.
  const virtio = (await inGuest(g, `${initramfsListCommand(r)} | grep -oE '/(${BOOT_CRITICAL_VIRTIO.join("|")})[.]ko[.a-z]*' | sort -u || true`, 10 * 60_000)).trim();
  if (virtio !== "") {
    const where = r.initramfsTool === "dracut" ? `${DRACUT_REFERENCE_CONF} (drivers=, omit_dracutmodules=)` : "/etc/initramfs-tools (MODULES=list)";
    throw new V2vError("CONVERSION", `${r.name}: the initramfs holds virtio drivers (${virtio.split("\n").join(", ")}); check ${where} so the guest cannot boot on virtio unconverted`);
  }
  const esp = expectedEspFiles(r);
  for (const path of esp.present) {
    if (!(await g.cmd("exists", path)).startsWith("true")) throw new V2vError("CONVERSION", `${r.name}: grub-install did not write ${path}`);
  }
  for (const path of esp.absent) {
    if ((await g.cmd("exists", path)).startsWith("true")) throw new V2vError("CONVERSION", `${r.name}: ${path} exists, but this guest's point is an ESP without it`);
  }
  const root = layout.filesystems.find((f) => f.mountpoint === "/")!;
  const cfg = await g.cmd("cat", "/boot/grub/grub.cfg");
  if (r.brokenNewestKernel && !firstLinuxLine(cfg).includes(`/vmlinuz-${BROKEN_KERNEL_VERSION} `)) {
    throw new V2vError("CONVERSION", `${r.name}: grub's first entry does not boot vmlinuz-${BROKEN_KERNEL_VERSION}; the broken kernel must be the default`);
  }
  if (r.origin === "xen") {
    if (!cfg.includes("console=hvc0")) throw new V2vError("CONVERSION", `${r.name}: /boot/grub/grub.cfg lacks console=hvc0`);
    const dpkg = await inGuest(g, `dpkg-query -W -f='\${Package} \${Status}\n' ${XEN_TOOLS_PACKAGE} open-vm-tools 2>/dev/null || true`, 60_000);
    if (!/^xe-guest-utilities install ok installed$/m.test(dpkg) || /^open-vm-tools install ok installed$/m.test(dpkg)) {
      throw new V2vError("CONVERSION", `${r.name}: expected ${XEN_TOOLS_PACKAGE} installed and open-vm-tools gone; dpkg says: ${dpkg.trim().replace(/\n/g, "; ")}`);
    }
  }
  if (r.naming !== "uuid" && !cfg.includes(`root=${root.guestDevice} `)) {
    throw new V2vError("CONVERSION", `${r.name}: /boot/grub/grub.cfg does not say root=${root.guestDevice}; check GRUB_DISABLE_LINUX_UUID in /etc/default/grub`);
  }
}

/** Pure: the first `linux` line of a grub.cfg (the default entry's, with GRUB_DEFAULT=0), with a trailing space. */
export function firstLinuxLine(cfg: string): string {
  const line = cfg.split("\n").find((l) => /^\s*linux\s/.test(l));
  return line === undefined ? "" : `${line.trim()} `;
}

/** Debian-family reference guests: built from Debian's packages, so their cells can be boot-proven. */
export const debianBuilder: GuestBuilder<DebianRecipe> = { kind: "debian", proof: "boot", ensureDisks: ensureDebianDisks };
