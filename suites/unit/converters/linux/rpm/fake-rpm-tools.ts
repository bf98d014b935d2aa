// The programs a converted RPM-family guest runs, faked on a FakeGuest: rpm -e succeeds (and is
// recorded), dracut / mkinitrd / make-initrd write an image naming the configuration they read,
// grub2-mkconfig / grub-mkconfig regenerate grub.cfg (menu entries, or the "blscfg" header of a
// BLS guest, and RHEL 8's kernelopts in grubenv), grubby sets saved_entry, findmnt answers.
import { compareRpmVersions } from "../../../../../src/converters/linux/rpm-version.js";
import type { FakeCall, FakeGuest } from "../../../fakes/fake-guest.js";

/** Value of KEY= in a shell-style file (last assignment wins, quotes removed). */
export function shellValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^\\s*${key}=(.*)$`).exec(line);
    if (m) value = m[1]!.trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return value;
}

/** A grubenv block of 1024 bytes, as grub2-editenv writes it. */
export function grubenvBlock(vars: Readonly<Record<string, string>>): string {
  const body = `# GRUB Environment Block\n${Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join("")}`;
  return body + "#".repeat(1024 - body.length);
}

/** Set one grubenv variable, keeping the block at 1024 bytes. */
function setGrubenvVar(text: string, key: string, value: string): string {
  const vars: Record<string, string> = {};
  for (const line of text.replace(/#+$/, "").split("\n")) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!;
  }
  vars[key] = value;
  return grubenvBlock(vars);
}

const kernelVersions = (g: FakeGuest): string[] => [...g.files.keys()]
  .map((p) => /^\/boot\/vmlinuz-(.+)$/.exec(p)?.[1])
  .filter((v): v is string => v !== undefined && !v.startsWith("0-rescue-"))
  .sort((a, b) => compareRpmVersions(b, a));

/** How the fake grub-mkconfig sees the disks. */
export interface RpmProbe {
  /** What the appliance's kernel calls / ("/dev/sda1"); written as root= when GRUB_DISABLE_LINUX_UUID=true. */
  readonly kernelRoot: string;
  readonly rootUuid: string;
  /** The initramfs name of a release, to write on initrd lines. */
  readonly initrd: (version: string) => string;
  /** The distro name in titles ("CentOS Linux"). */
  readonly title: string;
}

/** A small grub2-mkconfig: BLS header, or 10_linux entries, from /etc/default/grub and /boot. */
export function generateRpmGrubCfg(g: FakeGuest, defaultsPath: string, envPath: string, probe: RpmProbe): string {
  const defaults = g.file(defaultsPath) ?? "";
  const root = shellValue(defaults, "GRUB_DISABLE_LINUX_UUID") === "true" ? probe.kernelRoot : `UUID=${probe.rootUuid}`;
  const args = `${shellValue(defaults, "GRUB_CMDLINE_LINUX") ?? ""} ${shellValue(defaults, "GRUB_CMDLINE_LINUX_DEFAULT") ?? ""}`.trim();
  const grubDefault = shellValue(defaults, "GRUB_DEFAULT") ?? "0";
  let out = `### BEGIN /etc/grub.d/00_header ###\nif [ -s $prefix/grubenv ]; then\n  load_env\nfi\n`
    + `if [ "\${next_entry}" ] ; then\n   set default="\${next_entry}"\nelse\n   set default="${grubDefault === "saved" ? "${saved_entry}" : grubDefault}"\nfi\n`;
  if (shellValue(defaults, "GRUB_ENABLE_BLSCFG") === "true") {
    // RHEL 8 keeps the arguments in grubenv; RHEL 9 leaves the entries' options lines alone.
    const env = g.file(envPath);
    if (env?.includes("\nkernelopts=")) g.setFile(envPath, setGrubenvVar(env, "kernelopts", `root=${root} ro ${args}`));
    return `${out}### BEGIN /etc/grub.d/10_linux ###\ninsmod blscfg\nblscfg\n### END /etc/grub.d/10_linux ###\n`;
  }
  for (const v of kernelVersions(g)) {
    out += `menuentry '${probe.title} (${v})' --class gnu-linux $menuentry_id_option 'gnulinux-${v}-advanced-${probe.rootUuid}' {\n`
      + `\tlinux16 /boot/vmlinuz-${v} root=${root} ro ${args}\n\tinitrd16 ${probe.initrd(v)}\n}\n`;
  }
  return out;
}

/** grubby --set-default: saved_entry becomes the BLS id or the menu entry's title of that kernel. */
function grubbySetDefault(g: FakeGuest, vmlinuz: string, cfgPath: string, envPath: string): void {
  const version = vmlinuz.replace(/^\/boot\/vmlinuz-/, "");
  const bls = [...g.files.keys()].find((p) => p.startsWith("/boot/loader/entries/") && (g.file(p) ?? "").includes(`linux /vmlinuz-${version}\n`));
  const title = new RegExp(`menuentry '([^']*\\(${version.replace(/[.+]/g, "\\$&")}\\))'`).exec(g.file(cfgPath) ?? "")?.[1];
  const entry = bls ? bls.slice(bls.lastIndexOf("/") + 1).replace(/\.conf$/, "") : title;
  if (!entry) throw new Error(`grubby: no entry for ${vmlinuz}`);
  g.setFile(envPath, setGrubenvVar(g.file(envPath) ?? grubenvBlock({}), "saved_entry", entry));
}

export interface RpmToolsOptions {
  readonly probe: RpmProbe;
  readonly defaultsPath: string;
  /** grub.cfg and grubenv, as the guest keeps them (RHEL 8 UEFI: on the ESP). */
  readonly cfgPath: string;
  readonly envPath: string;
}

/** The image text every fake initramfs tool writes: which tool, and the configuration it read. */
export const fakeImage = (tool: string, config: string): string => `${tool} image\n${config}`;

/** Script every program an RPM-family conversion may run, so the guest can stay strict. */
export function scriptRpmTools(g: FakeGuest, o: RpmToolsOptions): void {
  const regenerate = (c: FakeCall, guest: FakeGuest): void => {
    const cfg = /-o (\S+)\n/.exec(c.text)?.[1] ?? o.cfgPath;
    guest.setFile(cfg, generateRpmGrubCfg(guest, o.defaultsPath, o.envPath, o.probe));
  };
  g.on(/\ngrub2?-mkconfig -o \S+\n/, regenerate);
  g.on(/\nrpm -e --allmatches /, "");
  g.on(/^dracut --force --no-hostonly /, (c, guest) => {
    guest.setFile(c.argv[3]!, fakeImage("dracut", guest.file("/etc/dracut.conf.d/60-v2v-virtio.conf") ?? ""));
  });
  g.on(/^mkinitrd /, (c, guest) => {
    const image = c.argv.includes("-i") ? c.argv[c.argv.indexOf("-i") + 1]! : c.argv[c.argv.length - 2]!;
    guest.setFile(image, fakeImage("mkinitrd", `${c.argv.join(" ")}\n${guest.file("/etc/sysconfig/kernel") ?? ""}`));
  });
  g.on(/^make-initrd -k /, (c, guest) => {
    guest.setFile(o.probe.initrd(c.argv[2]!), fakeImage("make-initrd", guest.file("/etc/initrd.mk") ?? ""));
  });
  g.on(/^grubby --set-default /, (c, guest) => { grubbySetDefault(guest, c.argv[2]!, o.cfgPath, o.envPath); });
  g.on(/^findmnt -n -o SOURCE --mountpoint /, `${o.probe.kernelRoot}\n`);
}
