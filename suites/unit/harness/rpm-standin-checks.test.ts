// The static checks of converted stand-in RPM guests: the recorded calls and their order, the
// edited files, and the negative check. The unconverted guest is the builder's own tree (as files
// of a fake guest); the converted one is that tree with the edits a conversion makes.
import { describe, expect, test } from "vitest";
import {
  checkCallOrder, checkEditedFiles, checkRpmStandinGuest, checkRpmStandinView, judgeUnconverted, parseStandinLog,
  readRpmStandinView, STANDIN_LOG_PATH, type RpmStandinExpect,
} from "../../../src/harness/checks/rpm-standin.js";
import { rpmStandinExpect } from "../../../src/harness/matrix/run-cell.js";
import { ROCKY_9_STANDIN as r } from "../../../src/harness/guests/rpm/recipe.js";
import { STANDIN_LOG } from "../../../src/harness/guests/rpm/standins.js";
import { blsId, renderGrubenv, standinTreeFiles } from "../../../src/harness/guests/rpm/tree.js";
import type { InspectedRoot } from "../../../src/model/guest-handle.js";
import { FakeGuest } from "../fakes/fake-guest.js";

const expectR: RpmStandinExpect = rpmStandinExpect(r);
const [older, newer] = r.kernels as [string, string];

const ROOT: InspectedRoot = {
  root: "/dev/sda2", osType: "linux", distro: "rocky", majorVersion: 9, minorVersion: 3, productName: "Rocky Linux 9.3 (Blue Onyx)",
  arch: "x86_64", osinfo: "rocky9", packageFormat: "rpm", packageManagement: "dnf", mountpoints: { "/": "/dev/sda2", "/boot": "/dev/sda1" },
};
const ALL_PACKAGES = ["kernel-core", "dracut", "grub2-tools", "grub2-pc", "grubby", ...r.vmwareTools];

/** The builder's tree, plus the VMware tools' own files (they come from their rpm). */
function sourceFiles(): Record<string, string> {
  const files: Record<string, string> = Object.fromEntries(standinTreeFiles(r).map((f) => [f.path, f.text]));
  for (const t of r.vmwareTools) {
    files[`/usr/bin/${t}-daemon`] = "#!/bin/sh\n";
    files[`/etc/vmware-tools/${t}.conf`] = "[logging]\n";
  }
  return files;
}

const GOOD_LOG = [
  "rpm -e --allmatches open-vm-tools open-vm-tools-desktop",
  "%preun open-vm-tools-desktop 0",
  "%postun open-vm-tools-desktop 0",
  "%preun open-vm-tools 0",
  "%postun open-vm-tools 0",
  `dracut --force --no-hostonly /boot/initramfs-${newer}.img ${newer}`,
  "grub2-mkconfig -o /boot/grub2/grub.cfg",
  `grubby --set-default /boot/vmlinuz-${newer}`,
  "",
].join("\n");

/** The source tree with the edits a conversion makes (written here by hand, not by the converter). */
function convertedFiles(): Record<string, string> {
  const f = sourceFiles();
  const rename = (t: string): string => t.replace(/\/dev\/sda/g, "/dev/vda");
  for (const p of Object.keys(f)) if (p.startsWith("/boot/loader/entries/") || p === "/etc/fstab" || p === "/etc/kernel/cmdline") f[p] = rename(f[p]!);
  for (const t of r.vmwareTools) {
    delete f[`/usr/bin/${t}-daemon`];
    delete f[`/etc/vmware-tools/${t}.conf`];
  }
  f["/etc/sysconfig/network-scripts/ifcfg-ens192"] = f["/etc/sysconfig/network-scripts/ifcfg-ens192"]!.replace(/^HWADDR=.*\n/m, "");
  f["/etc/NetworkManager/system-connections/ens192.nmconnection"] = f["/etc/NetworkManager/system-connections/ens192.nmconnection"]!.replace(/^mac-address=.*\n/m, "");
  f["/etc/yum.repos.d/vmware-tools.repo"] = f["/etc/yum.repos.d/vmware-tools.repo"]!.replace("enabled=1", "enabled=0");
  f[`/boot/initramfs-${newer}.img`] = `stand-in initramfs for kernel ${newer}\nadd_drivers+=" virtio_pci virtio_blk virtio_scsi virtio_net "\n`;
  f["/boot/grub2/grubenv"] = renderGrubenv(blsId(r, newer));
  f["/.autorelabel"] = "";
  f[STANDIN_LOG_PATH] = GOOD_LOG;
  return f;
}

const guest = (files: Record<string, string>, packages: readonly string[]): FakeGuest =>
  new FakeGuest({ files, roots: [ROOT], applications: { "/dev/sda2": packages.map((name) => ({ name, version: "1" })) } });

describe("parseStandinLog", () => {
  test("one call per non-blank line, in order, program first", () => {
    const calls = parseStandinLog("rpm -e a b\n\n  dracut --force /boot/x.img 1  \n");
    expect(calls).toEqual([
      { index: 0, program: "rpm", args: ["-e", "a", "b"] },
      { index: 1, program: "dracut", args: ["--force", "/boot/x.img", "1"] },
    ]);
    expect(parseStandinLog("")).toEqual([]);
  });

  test("the log path the checks read is the one the stand-ins write", () => {
    expect(STANDIN_LOG_PATH).toBe(STANDIN_LOG);
  });
});

describe("checkCallOrder", () => {
  test("rpm -e with %preun, then dracut, then grub2-mkconfig, then grubby: all pass", () => {
    const out = checkCallOrder(parseStandinLog(GOOD_LOG), expectR);
    expect(out).toHaveLength(4);
    expect(out.filter((c) => !c.ok)).toEqual([]);
  });

  test("dracut before the removal fails the dracut check", () => {
    const lines = GOOD_LOG.split("\n");
    const swapped = [lines[5], ...lines.slice(0, 5), ...lines.slice(6)].join("\n");
    const out = checkCallOrder(parseStandinLog(swapped), expectR);
    expect(out.find((c) => c.name.startsWith("dracut"))!.ok).toBe(false);
  });

  test("a removal whose scriptlets did not run, or that missed a package, fails", () => {
    const noPreun = GOOD_LOG.split("\n").filter((l) => !l.startsWith("%preun open-vm-tools-desktop")).join("\n");
    expect(checkCallOrder(parseStandinLog(noPreun), expectR)[0]!.ok).toBe(false);
    const partial = GOOD_LOG.replace("open-vm-tools open-vm-tools-desktop", "open-vm-tools");
    expect(checkCallOrder(parseStandinLog(partial), expectR)[0]!.ok).toBe(false);
  });

  test("grubby is required when the source booted an older kernel, and must name the newest", () => {
    const noGrubby = GOOD_LOG.split("\n").filter((l) => !l.startsWith("grubby")).join("\n");
    expect(checkCallOrder(parseStandinLog(noGrubby), expectR).at(-1)!.ok).toBe(false);
    const wrong = GOOD_LOG.replace(`grubby --set-default /boot/vmlinuz-${newer}`, `grubby --set-default /boot/vmlinuz-${older}`);
    expect(checkCallOrder(parseStandinLog(wrong), expectR).at(-1)!.ok).toBe(false);
    expect(checkCallOrder(parseStandinLog(noGrubby), { ...expectR, sourceDefaultKernel: newer })).toHaveLength(3);
  });

  test("grub2-mkconfig on another file does not count", () => {
    const other = GOOD_LOG.replace("-o /boot/grub2/grub.cfg", "-o /tmp/grub.cfg");
    expect(checkCallOrder(parseStandinLog(other), expectR).find((c) => c.name.startsWith("grub2-mkconfig"))!.ok).toBe(false);
  });
});

describe("the checks on a guest", () => {
  test("the converted stand-in passes every check", async () => {
    const out = await checkRpmStandinGuest(guest(convertedFiles(), ALL_PACKAGES.filter((p) => !r.vmwareTools.includes(p))), expectR);
    expect(out.filter((c) => !c.ok)).toEqual([]);
    expect(out.length).toBeGreaterThanOrEqual(13);
  });

  test("the unconverted stand-in fails the call, BLS, fstab, network, initramfs, tools, repo and relabel checks", async () => {
    const view = await readRpmStandinView(guest(sourceFiles(), ALL_PACKAGES), expectR);
    const failed = checkRpmStandinView(view, expectR).filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toHaveLength(14);
    expect(judgeUnconverted(checkRpmStandinView(view, expectR)).ok).toBe(true);
  });

  test("the negative check fails when the unconverted guest already passes a key check", async () => {
    const files = sourceFiles();
    files["/etc/fstab"] = files["/etc/fstab"]!.replace(/\/dev\/sda/g, "/dev/vda");
    const view = await readRpmStandinView(guest(files, ALL_PACKAGES), expectR);
    const verdict = judgeUnconverted(checkRpmStandinView(view, expectR));
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toMatch(/\/etc\/fstab/);
    expect(judgeUnconverted([]).ok).toBe(false);
  });

  test.each<[string, (f: Record<string, string>) => void, RegExp]>([
    ["a BLS entry left on /dev/sda2", (f) => { const p = `/boot/loader/entries/${blsId(r, older)}.conf`; f[p] = f[p]!.replace("/dev/vda2", "/dev/sda2"); }, /every BLS entry/],
    ["grubenv still on the older kernel", (f) => { f["/boot/grub2/grubenv"] = renderGrubenv(blsId(r, older)); }, /grubenv saved_entry/],
    ["HWADDR kept", (f) => { f["/etc/sysconfig/network-scripts/ifcfg-ens192"] += "HWADDR=00:50:56:9A:3C:21\n"; }, /network profile/],
    ["an image without virtio_net", (f) => { f[`/boot/initramfs-${newer}.img`] = 'add_drivers+=" virtio_blk "\n'; }, /rebuilt \/boot\/initramfs/],
    ["a VMware tools file left", (f) => { f["/usr/bin/open-vm-tools-daemon"] = ""; }, /VMware tools are gone/],
    ["no /.autorelabel", (f) => { delete f["/.autorelabel"]; }, /autorelabel/],
  ])("one wrong edit is caught: %s", async (_what, spoil, check) => {
    const files = convertedFiles();
    spoil(files);
    const out = checkEditedFiles(await readRpmStandinView(guest(files, ["kernel-core"]), expectR), expectR);
    expect(out.filter((c) => !c.ok).map((c) => c.name)).toEqual([expect.stringMatching(check)]);
  });

  test("a guest that cannot be read gives one failed check naming why", async () => {
    const out = await checkRpmStandinGuest(new FakeGuest({ roots: [] }), expectR);
    expect(out).toHaveLength(1);
    expect(out[0]!.ok).toBe(false);
    expect(out[0]!.detail).toMatch(/no Linux root/);
  });
});
