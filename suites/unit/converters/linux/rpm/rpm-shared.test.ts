// The pure pieces the RPM families share: rpm's version order, kernel names in /boot, which tool
// packages go, BLS entries and grubenv, modprobe aliases, MAC-pinned network profiles, VMware
// repositories and the SELinux relabel.
import { describe, expect, test } from "vitest";
import {
  blsMenuEntries, editGrubenv, expandGrubVars, parseBlsEntry, parseGrubenv, rewriteBlsOptions, rewriteGrubenvKernelopts, usesBlscfg,
} from "../../../../../src/converters/linux/bls.js";
import { replaceXenConsolesInBlsOptions, replaceXenConsolesInGrubenv } from "../../../../../src/converters/linux/bls-files.js";
import { makeVirtioRenamer } from "../../../../../src/converters/linux/device-names.js";
import type { EditFacts, InstalledKernel } from "../../../../../src/converters/linux/family.js";
import { modprobeAliasEdit, rewriteModprobeAliases } from "../../../../../src/converters/linux/modprobe.js";
import { ifcfgHwaddrEdit, nmKeyfileMacEdit, removeIfcfgHwaddr, removeKeyfileMac } from "../../../../../src/converters/linux/network-configs.js";
import { disableVmwareRepos, vmwareRepoEdit } from "../../../../../src/converters/linux/repo-files.js";
import { parseRpmVmlinuzNames, rpmKernelNaming } from "../../../../../src/converters/linux/rpm-kernels.js";
import { rpmEraseScript, rpmPackageManager, rpmToolPackages } from "../../../../../src/converters/linux/rpm-packages.js";
import { compareRpmVersions } from "../../../../../src/converters/linux/rpm-version.js";
import { applyConfigEdits } from "../../../../../src/converters/linux/family-edits.js";
import { selinuxEnabled, selinuxRelabelEdit } from "../../../../../src/converters/linux/selinux.js";
import { StepLog } from "../../../../../src/converters/step-log.js";
import { RecordingReporter } from "../../../../../src/model/messages.js";
import { FakeGuest } from "../../../fakes/fake-guest.js";
import { grubenvBlock } from "./fake-rpm-tools.js";
import { rpmInspection } from "./rpm-guests.js";

const apps = (...names: string[]) => names.map((name) => ({ name, version: "1" }));

describe("compareRpmVersions (rpmvercmp)", () => {
  test.each([
    ["5.14.0-362.8.1.el9_3.x86_64", "5.14.0-70.13.1.el9_0.x86_64", 1],
    ["3.10.0-1160.el7.x86_64", "3.10.0-1160.105.1.el7.x86_64", -1],
    ["1.0", "1.0", 0],
    ["1.0", "1.0.0", -1],
    ["1.01", "1.1", 0],
    ["1.a", "1.0", -1], // a number is newer than letters
    ["1.b", "1.a", 1],
    ["1.0~rc1", "1.0", -1], // ~ is older than the end
    ["1.0~rc1", "1.0~rc2", -1],
    ["1.0^git1", "1.0", 1], // ^ is newer than the end...
    ["1.0^git1", "1.0.1", -1], // ...but older than another segment
    ["1.0^", "1.0^", 0],
    ["2.0", "10.0", -1],
    ["99999999999999999999", "100000000000000000000", -1], // no Number overflow
    ["a", "b", -1],
    ["1_0", "1.0", 0], // separators only separate
  ])("%s vs %s -> %i", (a, b, want) => {
    expect(compareRpmVersions(a, b)).toBe(want);
    expect(compareRpmVersions(b, a)).toBe(-want || 0);
  });
});

describe("RPM kernel names", () => {
  test("versions from /boot, without rescue images, leftovers, hmac files or the bare symlink", () => {
    expect(parseRpmVmlinuzNames([
      "vmlinuz-5.14.0-70.el9.x86_64", "vmlinuz-0-rescue-8f3c", "vmlinuz-5.14.0-1.el9.x86_64.rpmnew", "vmlinuz", "vmlinuz-",
      ".vmlinuz-5.14.0-70.el9.x86_64.hmac", "vmlinuz-1.0.rpmsave", "vmlinuz-2.0.pre-v2v", "initramfs-5.14.0-70.el9.x86_64.img", "vmlinuz-6.4.0-150600.23-default",
    ])).toEqual(["5.14.0-70.el9.x86_64", "6.4.0-150600.23-default"]);
  });

  test("the family's initramfs name and rpm's order", () => {
    const n = rpmKernelNaming((v) => `/boot/initrd-${v}`, "kernel-default");
    expect(n.vmlinuzPath("6.4.0-150600.23-default")).toBe("/boot/vmlinuz-6.4.0-150600.23-default");
    expect(n.initrdPath("6.4.0-150600.23-default")).toBe("/boot/initrd-6.4.0-150600.23-default");
    expect(n.compareVersions("6.4.0-150600.23-default", "6.4.0-150600.9-default")).toBe(1);
    expect(n.packageHint).toBe("kernel-default");
  });
});

describe("rpm package removal", () => {
  test("VMware, Xen and VirtualBox tools, each once and sorted; everything else stays", () => {
    expect(rpmToolPackages(apps(
      "open-vm-tools", "open-vm-tools-desktop", "vmware-tools-core", "VMwareTools", "kmod-vmware-tools-vmxnet", "kmod-xenpv",
      "kmod-xenpv-PAE", "xe-guest-utilities", "xe-guest-utilities-xenstore", "virtualbox-guest-additions", "open-vm-tools", "kernel",
      "vmware-toolsX", "openssh",
    ))).toEqual([
      "VMwareTools", "kmod-vmware-tools-vmxnet", "kmod-xenpv", "kmod-xenpv-PAE", "open-vm-tools", "open-vm-tools-desktop",
      "virtualbox-guest-additions", "vmware-tools-core", "xe-guest-utilities", "xe-guest-utilities-xenstore",
    ]);
  });

  test("rpm -e --allmatches with quoted names, after the stale database locks", () => {
    expect(rpmEraseScript(["open-vm-tools", "a'b"])).toBe(
      "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C LANG=C\nrm -f /var/lib/rpm/__db.00?\n"
      + "rpm -e --allmatches 'open-vm-tools' 'a'\\''b'\n");
    const pm = rpmPackageManager("zypper remove");
    expect(pm.selectRemovals([], rpmInspection("sles", 15, ["kmod-xenpv", "bash"]))).toEqual({ remove: ["kmod-xenpv"] });
    expect(pm.removalScripts(["x"])).toEqual([{ program: "rpm", how: "rpm -e --allmatches", script: rpmEraseScript(["x"]) }]);
    expect(pm.manualRemoval(["x", "y"])).toBe("zypper remove x y");
  });
});

describe("BLS entries and grubenv", () => {
  const entry = (v: string, options = "root=/dev/sda1 ro") => parseBlsEntry(`abc-${v}`, `title T (${v})\nversion ${v}\nlinux /vmlinuz-${v}\n# options ignored\noptions ${options}\n`);

  test("keys, the first occurrence of each; comments skipped", () => {
    const e = parseBlsEntry("id", "title  A b \n# title no\ninitrd /one\ninitrd /two\noptions root=/dev/sda1\n");
    expect([...e.keys]).toEqual([["title", "A b"], ["initrd", "/one"], ["options", "root=/dev/sda1"]]);
  });

  test("the menu: newest version first, $vars expanded from grubenv, as GrubEntries", () => {
    const menu = blsMenuEntries(
      [entry("5.14.0-70.el9.x86_64", "$kernelopts x"), entry("5.14.0-362.el9.x86_64"), parseBlsEntry("zz-no-version", "linux /vmlinuz-1\n")],
      parseGrubenv(grubenvBlock({ kernelopts: "root=/dev/sda2 ro" })));
    // Letters are older than digits in rpm's order, so the entry sorted by its id comes last.
    expect(menu.map((e) => e.id)).toEqual(["abc-5.14.0-362.el9.x86_64", "abc-5.14.0-70.el9.x86_64", "zz-no-version"]);
    expect(menu[0]).toEqual({ kind: "entry", title: "T (5.14.0-362.el9.x86_64)", id: "abc-5.14.0-362.el9.x86_64", kernel: "/vmlinuz-5.14.0-362.el9.x86_64", args: ["root=/dev/sda1", "ro"] });
    expect(menu[1]!.args).toEqual(["root=/dev/sda2", "ro", "x"]);
    expect(menu[2]).toEqual({ kind: "entry", title: "zz-no-version", id: "zz-no-version", kernel: "/vmlinuz-1", args: [] });
  });

  test("equal versions: the id decides, descending", () => {
    const a = parseBlsEntry("a", "version 1\n");
    const b = parseBlsEntry("b", "version 1\n");
    expect(blsMenuEntries([a, b], new Map()).map((e) => e.id)).toEqual(["b", "a"]);
    expect(blsMenuEntries([b, a], new Map()).map((e) => e.id)).toEqual(["b", "a"]);
  });

  test("expandGrubVars: $x and ${x}; unset is empty", () => {
    expect(expandGrubVars("$a ${b} $c.", new Map([["a", "1"], ["b", "2"]]))).toBe("1 2 .");
  });

  test("usesBlscfg needs a blscfg command line", () => {
    expect(usesBlscfg("insmod blscfg\nblscfg\n")).toBe(true);
    expect(usesBlscfg("insmod blscfg\n# blscfg\n")).toBe(false);
  });

  test("options lines only are renamed", () => {
    const r = rewriteBlsOptions("title root=/dev/sda1\noptions root=/dev/sda1 resume=/dev/sdb2 ro\n", makeVirtioRenamer(2));
    expect(r.text).toBe("title root=/dev/sda1\noptions root=/dev/vda1 resume=/dev/vdb2 ro\n");
    expect(r.renamed).toEqual([{ from: "/dev/sda1", to: "/dev/vda1" }, { from: "/dev/sdb2", to: "/dev/vdb2" }]);
    expect(rewriteBlsOptions("options root=/dev/sdc1\noptions root=/dev/sdc1\n", makeVirtioRenamer(1)).unknown).toEqual(["/dev/sdc1"]);
  });

  test("grubenv keeps 1024 bytes when a value grows or shrinks", () => {
    const env = grubenvBlock({ saved_entry: "x", kernelopts: "root=/dev/sda1 console=hvc0" });
    const longer = replaceXenConsolesInGrubenv(env);
    expect(longer.replaced).toBe(1);
    expect(longer.text).toHaveLength(1024);
    expect(longer.text).toContain("\nkernelopts=root=/dev/sda1 console=ttyS0\n");
    const shorter = editGrubenv(env, (l) => l.replace("console=hvc0", ""));
    expect(shorter).toHaveLength(1024);
    expect(shorter.startsWith("# GRUB Environment Block\nsaved_entry=x\nkernelopts=root=/dev/sda1 \n#")).toBe(true);
    expect(editGrubenv(env, (l) => l)).toBe(env);
    expect(() => editGrubenv(env, (l) => (l.startsWith("kernelopts=") ? l + "x".repeat(1024) : l))).toThrow(/more than its 1024/);
  });

  test("an unpadded grubenv is edited as text, even when it grows; comments are not variables", () => {
    expect(editGrubenv("# kernelopts=a\nkernelopts=a\n", (l) => l.replace("a", "b"))).toBe("# kernelopts=a\nkernelopts=b\n");
    expect(editGrubenv("kernelopts=a\n", (l) => `${l}bc`)).toBe("kernelopts=abc\n");
  });

  test("an edit that uses the whole padding still fits", () => {
    const env = grubenvBlock({ kernelopts: "x" });
    const pad = env.length - env.replace(/#+$/, "").length;
    const full = editGrubenv(env, (l) => l + "y".repeat(pad));
    expect(full).toHaveLength(1024);
    expect(full.endsWith("y\n")).toBe(true);
  });

  test("only kernelopts gets its console replaced", () => {
    const r = replaceXenConsolesInGrubenv(grubenvBlock({ saved_entry: "console=hvc0", kernelopts: "ro" }));
    expect(r.replaced).toBe(0);
    expect(r.text).toContain("\nsaved_entry=console=hvc0\n");
  });

  test("kernelopts: root= right after the '=' is renamed; other variables are not", () => {
    const r = rewriteGrubenvKernelopts(grubenvBlock({ saved_entry: "root=/dev/sda1", kernelopts: "root=/dev/sda1 resume=/dev/sda2" }), makeVirtioRenamer(1));
    expect(r.text).toContain("\nsaved_entry=root=/dev/sda1\nkernelopts=root=/dev/vda1 resume=/dev/vda2\n");
    expect(r.text).toHaveLength(1024);
    expect(r.renamed).toHaveLength(2);
  });

  test("consoles on options lines only", () => {
    expect(replaceXenConsolesInBlsOptions("title console=hvc0\noptions console=hvc0 console=xvc0,115200\n"))
      .toEqual({ text: "title console=hvc0\noptions console=ttyS0 console=ttyS0,115200\n", replaced: 2 });
  });
});

const kernel = { version: "5.14.0-70.el9.x86_64" } as InstalledKernel;
const virtioFacts: EditFacts = { kernel, virtioModules: ["virtio_blk", "virtio_net"] };
const emulatedFacts: EditFacts = { virtioModules: [] };

describe("modprobe aliases", () => {
  test("the first scsi_hostadapter of all files is kept as virtio_blk; ethN -> virtio_net; other aliases stay", () => {
    const r = modprobeAliasEdit.apply([
      { path: "/etc/modprobe.conf", text: "alias scsi_hostadapter2 mptspi  # first\nalias snd-card-0 snd-ens1371\n" },
      { path: "/etc/modprobe.d/a.conf", text: "alias scsi_hostadapter ata_piix\nalias eth0 e1000\nalias eth1 virtio_net\n" },
      { path: "/etc/modprobe.d/b.conf", text: "alias scsi_hostadapter virtio_blk\n" },
    ], virtioFacts);
    expect(r.written).toEqual([
      { path: "/etc/modprobe.conf", text: "alias scsi_hostadapter virtio_blk  # first\nalias snd-card-0 snd-ens1371\n" },
      { path: "/etc/modprobe.d/a.conf", text: "alias eth0 virtio_net\nalias eth1 virtio_net\n" },
      { path: "/etc/modprobe.d/b.conf", text: "" },
    ]);
    expect(r.changes).toEqual([
      "rewrote module aliases in /etc/modprobe.conf: alias scsi_hostadapter2 mptspi -> alias scsi_hostadapter virtio_blk",
      "rewrote module aliases in /etc/modprobe.d/a.conf: removed alias scsi_hostadapter ata_piix, alias eth0 e1000 -> virtio_net",
      "rewrote module aliases in /etc/modprobe.d/b.conf: removed alias scsi_hostadapter virtio_blk",
    ]);
    expect(r.warnings).toEqual([]);
  });

  test("an alias already right is no change", () => {
    const text = "alias scsi_hostadapter virtio_blk\nalias eth0 virtio_net\n";
    expect(rewriteModprobeAliases(text, true, { blockAliasKept: false })).toEqual({ text, state: { blockAliasKept: true }, changes: [], xenAliases: [] });
  });

  test("emulated target: every scsi_hostadapter goes, NICs become e1000", () => {
    const r = rewriteModprobeAliases("alias scsi_hostadapter mptspi\nalias eth0 vmxnet3\n", false, { blockAliasKept: false });
    expect(r.text).toBe("alias eth0 e1000\n");
    expect(r.state).toEqual({ blockAliasKept: false });
    expect(modprobeAliasEdit.apply([{ path: "/etc/modprobe.conf", text: "alias scsi_hostadapter mptspi\n" }], emulatedFacts).written)
      .toEqual([{ path: "/etc/modprobe.conf", text: "" }]);
  });

  test("an alias to a Xen driver is a warning naming the file", () => {
    const r = modprobeAliasEdit.apply([{ path: "/etc/modprobe.d/xen.conf", text: "alias block xen_blkfront\nalias net xen-vnif\n" }], virtioFacts);
    expect(r.written).toEqual([]);
    expect(r.warnings).toEqual([
      "/etc/modprobe.d/xen.conf has alias block xen_blkfront, alias net xen-vnif, a Xen driver that does not exist on KVM; remove it after the first boot",
    ]);
  });

  test("reads the legacy files and /etc/modprobe.d/*.conf, not hidden or other files", () => {
    expect(modprobeAliasEdit.paths).toEqual(["/etc/conf.modules", "/etc/modules.conf", "/etc/modprobe.conf", "/etc/modprobe.conf.local"]);
    const names = modprobeAliasEdit.dirs![0]!;
    expect(names.dir).toBe("/etc/modprobe.d");
    expect(["a.conf", ".x.conf", "a.conf.rpmsave", "README"].filter((n) => names.names.test(n))).toEqual(["a.conf"]);
  });
});

describe("MAC-pinned network profiles", () => {
  test("ifcfg: HWADDR= lines go (quoted or not), MACADDR= stays", () => {
    expect(removeIfcfgHwaddr('DEVICE=eth0\nHWADDR="00:50:56:aa:bb:cc"\n  HWADDR=00:11:22:33:44:55\nMACADDR=00:50:56:00:00:01\n'))
      .toEqual({ text: "DEVICE=eth0\nMACADDR=00:50:56:00:00:01\n", removed: ["00:50:56:aa:bb:cc", "00:11:22:33:44:55"] });
  });

  test("keyfile: mac-address= in the ethernet section only; cloned-mac-address stays", () => {
    const text = "[connection]\nmac-address=keep\n[802-3-ethernet]\nmac-address=AA\ncloned-mac-address=BB\n[ethernet]\nmac-address=CC\n[wifi]\nmac-address=DD\n";
    expect(removeKeyfileMac(text)).toEqual({
      text: "[connection]\nmac-address=keep\n[802-3-ethernet]\ncloned-mac-address=BB\n[ethernet]\n[wifi]\nmac-address=DD\n", removed: ["AA", "CC"],
    });
  });

  test("the edits read ifcfg-<name> (not ifcfg-lo or backups) and *.nmconnection, and log each file", () => {
    const ifcfg = ifcfgHwaddrEdit.dirs![0]!;
    expect(ifcfg.dir).toBe("/etc/sysconfig/network-scripts");
    expect(["ifcfg-eth0", "ifcfg-lo", "ifcfg-eth0.bak", "ifcfg-eth0~", "route-eth0", "ifcfg-lo2"].filter((n) => ifcfg.names.test(n))).toEqual(["ifcfg-eth0", "ifcfg-lo2"]);
    expect(nmKeyfileMacEdit.dirs).toEqual([{ dir: "/etc/NetworkManager/system-connections", names: /\.nmconnection$/ }]);
    const r = ifcfgHwaddrEdit.apply([{ path: "/x/ifcfg-a", text: "HWADDR=1\n" }, { path: "/x/ifcfg-b", text: "DEVICE=b\n" }], emulatedFacts);
    expect(r).toEqual({
      written: [{ path: "/x/ifcfg-a", text: "" }],
      changes: ["removed HWADDR=1 from /x/ifcfg-a so that it applies to the target's NIC whatever its MAC address"], warnings: [],
    });
  });
});

describe("VMware repositories", () => {
  test("enabled=0 replaces enabled=1 or is added under the header; other sections stay", () => {
    const text = "[base]\nbaseurl=http://mirror.centos.org/x\nenabled=1\n\n[vmware]\nname=v\nbaseurl=https://packages.VMware.com/tools\nenabled = 1\n[vm2]\nmirrorlist=http://vmware.com/list\n[ok]\nenabled=0\nbaseurl=http://packages.vmware.com/y\n";
    expect(disableVmwareRepos(text)).toEqual({
      text: "[base]\nbaseurl=http://mirror.centos.org/x\nenabled=1\n\n[vmware]\nname=v\nbaseurl=https://packages.VMware.com/tools\nenabled=0\n[vm2]\nenabled=0\nmirrorlist=http://vmware.com/list\n[ok]\nenabled=0\nbaseurl=http://packages.vmware.com/y\n",
      disabled: ["vmware", "vm2"],
    });
    expect(disableVmwareRepos("baseurl=http://notvmware.company/x\n")).toEqual({ text: "baseurl=http://notvmware.company/x\n", disabled: [] });
  });

  test("the edit reads <dir>/*.repo and names each section it disabled", () => {
    const e = vmwareRepoEdit("/etc/zypp/repos.d");
    expect(e.dirs).toEqual([{ dir: "/etc/zypp/repos.d", names: /\.repo$/ }]);
    expect(e.apply([{ path: "/r/a.repo", text: "[a]\nbaseurl=https://packages.vmware.com/\n" }, { path: "/r/b.repo", text: "[b]\n" }], emulatedFacts)).toEqual({
      written: [{ path: "/r/a.repo", text: "[a]\nenabled=0\nbaseurl=https://packages.vmware.com/\n" }],
      changes: ["disabled the VMware repository [a] in /r/a.repo (enabled=0): it serves VMware's guest tools"], warnings: [],
    });
  });
});

describe("SELinux relabel", () => {
  test.each([
    ["SELINUX=enforcing\n", true], ["SELINUX=permissive\n", true], ['SELINUX="Enforcing"\n', true],
    ["SELINUX=disabled\n", false], ["# SELINUX=enforcing\n", false], ["SELINUX=enforcing\nSELINUX=disabled\n", false], ["", false],
  ])("%j -> %s", (config, on) => {
    expect(selinuxEnabled(config)).toBe(on);
    expect(selinuxRelabelEdit.apply([{ path: "/etc/selinux/config", text: config }], virtioFacts).written).toEqual(on ? [{ path: "/.autorelabel", text: "" }] : []);
  });

  test("no /etc/selinux/config: nothing", () => {
    expect(selinuxRelabelEdit.apply([], virtioFacts)).toEqual({ written: [], changes: [], warnings: [] });
  });
});

describe("applyConfigEdits", () => {
  test("reads each edit's paths and directories, writes what it returns, logs its changes and warnings", async () => {
    const g = new FakeGuest({ files: {
      "/etc/modprobe.conf": "alias eth0 vmxnet3\n", "/etc/modprobe.d/xen.conf": "alias block xen-blkfront\n", "/etc/modprobe.d/readme": "alias eth9 x\n",
    } });
    const reporter = new RecordingReporter();
    const log = new StepLog(reporter);
    await applyConfigEdits(g, [modprobeAliasEdit], virtioFacts, log);
    expect(g.ops).toEqual(["write /etc/modprobe.conf"]);
    expect(g.file("/etc/modprobe.conf")).toBe("alias eth0 virtio_net\n");
    expect(log.changes).toEqual(["rewrote module aliases in /etc/modprobe.conf: alias eth0 vmxnet3 -> virtio_net"]);
    expect(log.warnings).toEqual(["/etc/modprobe.d/xen.conf has alias block xen-blkfront, a Xen driver that does not exist on KVM; remove it after the first boot"]);
    expect(reporter.lines.filter((l) => l.type === "warning")).toHaveLength(1);
  });
});
