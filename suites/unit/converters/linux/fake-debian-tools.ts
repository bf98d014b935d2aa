// The programs a converted Debian guest runs, faked on a FakeGuest: update-grub/grub-mkconfig
// regenerate grub.cfg from /etc/default/grub and the kernels in /boot (as grub-mkconfig run in the
// appliance does: with GRUB_DISABLE_LINUX_UUID=true, or an LVM root, it writes the device name the
// appliance's kernel uses), update-initramfs/mkinitramfs write an image that records what it
// baked in (modules, RESUME=, LVM caches), dpkg/apt-get succeed, findmnt answers from a table.
import { compareKernelVersions } from "../../../../src/converters/linux/debian/kernel-version.js";
import type { FakeCall, FakeGuest } from "../../fakes/fake-guest.js";

/** Value of KEY= in a shell-style defaults file (last assignment wins, quotes removed). */
function shellValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^\\s*${key}=(.*)$`).exec(line);
    if (m) value = m[1]!.trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return value;
}

/** What grub-mkconfig needs to know about the disks: how the appliance's kernel names / and its UUID. */
export interface GrubProbe {
  /** The device findmnt/grub-probe report for / inside the appliance ("/dev/sda1", "/dev/mapper/vg-root"). */
  readonly kernelRoot: string;
  readonly rootUuid: string;
}

/** A small grub-mkconfig: the entries Debian's 10_linux writes, from a file tree. */
export function generateGrubCfg(files: ReadonlyMap<string, string>, probe: GrubProbe): string {
  const defaults = files.get("/etc/default/grub") ?? "";
  const versions = [...files.keys()]
    .map((p) => /^\/boot\/vmlinuz-(.+)$/.exec(p)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareKernelVersions(b, a));
  // 10_linux uses the device name for LVM roots and when told not to use UUIDs.
  const byName = shellValue(defaults, "GRUB_DISABLE_LINUX_UUID") === "true" || probe.kernelRoot.startsWith("/dev/mapper/");
  const root = byName ? probe.kernelRoot : `UUID=${probe.rootUuid}`;
  const id = probe.rootUuid;
  const args = `${shellValue(defaults, "GRUB_CMDLINE_LINUX") ?? ""} ${shellValue(defaults, "GRUB_CMDLINE_LINUX_DEFAULT") ?? ""}`.trim();
  const entry = (title: string, entryId: string, v: string, extra: string, indent: string): string =>
    `${indent}menuentry '${title}' --class debian $menuentry_id_option '${entryId}' {\n`
    + `${indent}\tlinux\t/boot/vmlinuz-${v} root=${root} ro ${extra}\n${indent}\tinitrd\t/boot/initrd.img-${v}\n${indent}}\n`;
  let out = `if [ "\${next_entry}" ] ; then\n   set default="\${next_entry}"\nelse\n   set default="${shellValue(defaults, "GRUB_DEFAULT") ?? "0"}"\nfi\n`;
  if (versions[0]) out += entry("Debian GNU/Linux", `gnulinux-simple-${id}`, versions[0], args, "");
  out += `submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-${id}' {\n`;
  for (const v of versions) {
    out += entry(`Debian GNU/Linux, with Linux ${v}`, `gnulinux-${v}-advanced-${id}`, v, args, "\t");
    out += entry(`Debian GNU/Linux, with Linux ${v} (recovery mode)`, `gnulinux-${v}-recovery-${id}`, v, "single", "\t");
  }
  return `${out}}\n`;
}

/** The files whose stale content initramfs-tools would copy into an image. */
const LVM_CACHES = ["/etc/lvm/cache/.cache", "/etc/lvm/devices/system.devices"];

/**
 * The image update-initramfs writes, as text: the modules it lists, the RESUME= it bakes in
 * (conf.d overrides initramfs.conf) and the LVM caches it copies.
 */
export function fakeInitrd(g: FakeGuest): string {
  const modules = (g.file("/etc/initramfs-tools/modules") ?? "").split("\n").filter((l) => l && !l.startsWith("#"));
  const resume = ["/etc/initramfs-tools/initramfs.conf", "/etc/initramfs-tools/conf.d/resume"]
    .map((p) => shellValue(g.file(p) ?? "", "RESUME"))
    .reduce((a, b) => b ?? a, undefined as string | undefined);
  const caches = LVM_CACHES.filter((p) => g.file(p) !== undefined);
  return `rebuilt initrd with ${modules.join(",")}\nRESUME=${resume ?? "none"}\nLVM caches: ${caches.join(",") || "none"}\n`;
}

/** Kernel device per mountpoint (what findmnt prints in the appliance), for the root mounted now. */
export type KernelMounts = (g: FakeGuest) => Readonly<Record<string, string>>;

/** Script every program the Debian conversion runs, so the guest can stay strict. */
export function scriptDebianTools(g: FakeGuest, mounts: KernelMounts, rootUuid: (g: FakeGuest) => string): void {
  const regenerate = (_c: FakeCall, guest: FakeGuest): void => {
    guest.setFile("/boot/grub/grub.cfg", generateGrubCfg(guest.files, { kernelRoot: mounts(guest)["/"] ?? "/dev/sda1", rootUuid: rootUuid(guest) }));
  };
  g.on(/(^|\n)update-grub\n/, regenerate);
  g.on(/(^|\n)grub-mkconfig -o \/boot\/grub\/grub.cfg\n/, regenerate);
  g.on(/^update-initramfs -[uc] -k /, (c, guest) => { guest.setFile(`/boot/initrd.img-${c.argv[3]}`, fakeInitrd(guest)); });
  g.on(/^mkinitramfs -o /, (c, guest) => { guest.setFile(c.argv[2]!, fakeInitrd(guest)); });
  g.on(/\ndpkg --purge /, "");
  g.on(/\napt-get -y purge /, "");
  g.on(/^findmnt -n -o SOURCE --mountpoint /, (c, guest) => {
    const word = /--mountpoint ('[^']*'|\S+)/.exec(c.text)?.[1] ?? "";
    const mp = word.replace(/^'(.*)'$/, "$1");
    const dev = mounts(guest)[mp];
    return dev === undefined ? "" : `${dev}\n`;
  });
}
