// The SUSE and ALT stand-in guests' pure parts: their recipes, packages and trees, and the static
// checks of a converted guest of each family: the converted tree (the source with the edits a
// conversion makes, written here by hand) passes them all, the unconverted one fails the negative
// check's key checks, and each wrong edit is caught by its own check.
import { describe, expect, test } from "vitest";
import { checkCallOrder, checkEditedFiles, checkRpmStandinGuest, checkRpmStandinView, judgeUnconverted, parseStandinLog, readRpmStandinView, STANDIN_LOG_PATH, type RpmStandinExpect } from "../../../src/harness/checks/rpm-standin.js";
import { imageModules, shellListValue } from "../../../src/harness/checks/rpm-standin-families.js";
import { findDefaultEntry, kernelVersionOf, rootArgOf } from "../../../src/harness/checks/grub-default.js";
import { rpmStandinExpect } from "../../../src/harness/matrix/run-cell.js";
import { ALT_10_STANDIN, kernelPackageId, SLES_15_STANDIN, validateRpmRecipe, type RpmRecipe } from "../../../src/harness/guests/rpm/recipe.js";
import { kernelPackage, renderSpec } from "../../../src/harness/guests/rpm/packages.js";
import { RPM_STANDIN_LAYOUTS, standinPackages } from "../../../src/harness/guests/rpm/layouts.js";
import { menuEntryId, renderMenuEntry, renderMenuHead } from "../../../src/harness/guests/rpm/grub-menu-standin.js";
import { SUSE_GRUB_MENU } from "../../../src/harness/guests/rpm/suse.js";
import { ALT_GRUB_MENU } from "../../../src/harness/guests/rpm/alt.js";
import { machineId } from "../../../src/harness/guests/rpm/tree.js";
import { findRecipe, validateRecipe } from "../../../src/harness/guests/recipes.js";
import type { InspectedRoot } from "../../../src/model/guest-handle.js";
import { FakeGuest } from "../fakes/fake-guest.js";

const sles = SLES_15_STANDIN;
const alt = ALT_10_STANDIN;
const VIRTIO = "virtio_pci virtio_blk virtio_scsi virtio_net";

describe("the SUSE and ALT recipes", () => {
  test("are valid and registered under their names", () => {
    for (const r of [sles, alt]) {
      expect(validateRpmRecipe(r)).toEqual([]);
      expect(validateRecipe(r)).toEqual([]);
      expect(findRecipe(r.name)).toBe(r);
    }
  });

  test("each family names its kernel package its own way", () => {
    expect(kernelPackageId("suse", "5.14.21-150500.55.39-default")).toEqual({ name: "kernel-default", version: "5.14.21", release: "150500.55.39.1", arch: "x86_64" });
    expect(kernelPackageId("alt", "5.10.199-std-def-alt1")).toEqual({ name: "kernel-image-std-def", version: "5.10.199", release: "alt1", arch: "x86_64" });
    expect(kernelPackageId("rhel", "5.14.0-362.8.1.el9_3.x86_64")?.name).toBe("kernel-core");
    expect(kernelPackageId("suse", "5.14.0-362.8.1.el9_3.x86_64")).toBeUndefined();
    expect(kernelPackageId("alt", "5.14.21-150500.55.39-default")).toBeUndefined();
  });

  test.each<[RpmRecipe, Partial<RpmRecipe>, RegExp]>([
    [sles, { kernels: ["5.14.0-362.el9.x86_64"], defaultKernel: "5.14.0-362.el9.x86_64" }, /not VERSION-RELEASE-default/],
    [alt, { kernels: ["5.10.199-alt1"], defaultKernel: "5.10.199-alt1" }, /not VERSION-std-def-altN/],
    [alt, { os: { ...alt.os, idLike: "rhel; reboot" } }, /os\.idLike/],
  ])("a %s recipe is refused with %o", (r, patch, problem) => {
    expect(validateRpmRecipe({ ...r, ...patch }).join("\n")).toMatch(problem);
  });
});

describe("the SUSE and ALT packages", () => {
  test("kernels first, then the family's initramfs and GRUB tools, then the VMware tools", () => {
    expect(standinPackages(sles).map((p) => p.name)).toEqual(["kernel-default", "kernel-default", "dracut", "grub2", "grub2-i386-pc", "open-vm-tools", "open-vm-tools-desktop"]);
    expect(standinPackages(alt).map((p) => p.name)).toEqual(["kernel-image-std-def", "kernel-image-std-def", "make-initrd", "grub-common", "grub-pc", "apt", "open-vm-tools"]);
    const paths = (r: RpmRecipe): string[] => standinPackages(r).flatMap((p) => p.files.map((f) => f.path));
    expect(paths(sles)).toEqual(expect.arrayContaining(["/usr/bin/dracut", "/usr/bin/mkinitrd", "/usr/sbin/grub2-mkconfig"]));
    expect(paths(alt)).toEqual(expect.arrayContaining(["/usr/sbin/make-initrd", "/usr/sbin/grub-mkconfig"]));
    for (const r of [sles, alt]) expect(standinPackages(r).filter((p) => p.recordScripts).map((p) => p.name)).toEqual(r.vmwareTools);
  });

  test("module files carry the family's compression, and modules.dep lists them", () => {
    const suse = kernelPackage("5.14.21-150500.55.39-default", "suse");
    expect(suse.files.map((f) => f.path)).toContain("/lib/modules/5.14.21-150500.55.39-default/kernel/drivers/block/virtio_blk.ko.zst");
    expect(suse.files.find((f) => f.path.endsWith("modules.dep"))!.text).toMatch(/^kernel\/drivers\/net\/virtio_net\.ko\.zst:$/m);
    const altKernel = kernelPackage("5.10.199-std-def-alt1", "alt");
    expect(altKernel.files.map((f) => f.path)).toContain("/lib/modules/5.10.199-std-def-alt1/kernel/drivers/block/virtio_blk.ko");
    expect(renderSpec(altKernel)).toMatch(/^Name: kernel-image-std-def\nVersion: 5\.10\.199\nRelease: alt1$/m);
  });
});

describe("the SUSE and ALT trees", () => {
  const tree = (r: RpmRecipe): Map<string, string> => new Map(RPM_STANDIN_LAYOUTS[r.family].treeFiles(r).map((f) => [f.path, f.text]));

  test("os-release says SLES 15.5 and ALT 10.1 (what libguestfs 1.48 reads first)", () => {
    expect(tree(sles).get("/etc/os-release")).toMatch(/^ID="sles"$/m);
    expect(tree(sles).get("/etc/os-release")).toMatch(/^VERSION_ID="15\.5"$/m);
    expect(tree(alt).get("/etc/os-release")).toMatch(/^ID=altlinux$/m);
    expect(tree(alt).get("/etc/os-release")).not.toMatch(/^ID_LIKE/m);
    expect(tree(alt).get("/etc/altlinux-release")).toBe("ALT Server 10.1 (Mendelevium)\n");
  });

  test.each([[sles, "/boot/grub2/grub.cfg", "/boot/grub2/grubenv"], [alt, "/boot/grub/grub.cfg", "/boot/grub/grubenv"]] as const)(
    "%s: the installer's grub.cfg boots the older kernel (saved_entry) from /dev/sda2",
    (r, cfg, env) => {
      const t = tree(r);
      const entry = findDefaultEntry(t.get(cfg)!, t.get(env)!);
      expect(entry && kernelVersionOf(entry)).toBe(r.defaultKernel);
      expect(entry && rootArgOf(entry)).toBe("/dev/sda2");
      expect(r.defaultKernel).toBe(r.kernels[0]);
      expect(t.get(env)).toHaveLength(1024);
    });

  test("the VMware-era files the conversion must change are there", () => {
    const s = tree(sles);
    expect(shellListValue(s.get("/etc/sysconfig/kernel")!, "INITRD_MODULES")).toEqual(["mptspi", "vmw_pvscsi"]);
    expect(shellListValue(s.get("/etc/sysconfig/kernel")!, "DOMU_INITRD_MODULES")).toEqual(["xennet", "xenblk", "dm-mod"]);
    expect(s.get("/etc/NetworkManager/system-connections/eth0.nmconnection")).toMatch(/^mac-address=00:50:56/m);
    expect(s.get("/etc/zypp/repos.d/vmware-tools.repo")).toMatch(/^enabled=1$/m);
    expect(s.get("/etc/default/grub")).toMatch(/^GRUB_DEFAULT=saved$/m);
    const a = tree(alt);
    expect(imageModules("alt", a.get("/etc/initrd.mk")!)).toEqual(["mptspi", "vmw_pvscsi"]);
    expect(a.get("/etc/sysconfig/grub2")).toMatch(/^GRUB_DEFAULT=saved$/m);
    expect(a.get("/etc/fstab")).toMatch(/^\/dev\/sda2\s+\/\s/m);
  });
});

const rootOf = (r: RpmRecipe): InspectedRoot => ({
  root: "/dev/sda2", osType: "linux", distro: r.inspect.distro, majorVersion: r.inspect.major, minorVersion: r.inspect.minor,
  productName: r.os.name, arch: "x86_64", osinfo: "", packageFormat: "rpm", packageManagement: r.family === "alt" ? "apt" : "zypper",
  mountpoints: { "/": "/dev/sda2", "/boot": "/dev/sda1" },
});

/** The builder's tree, plus the VMware tools' own files. */
function sourceFiles(r: RpmRecipe): Record<string, string> {
  const files: Record<string, string> = Object.fromEntries(RPM_STANDIN_LAYOUTS[r.family].treeFiles(r).map((f) => [f.path, f.text]));
  for (const t of r.vmwareTools) {
    files[`/usr/bin/${t}-daemon`] = "#!/bin/sh\n";
    files[`/etc/vmware-tools/${t}.conf`] = "[logging]\n";
  }
  return files;
}

const newestOf = (r: RpmRecipe): string => r.kernels[r.kernels.length - 1]!;

/** grub.cfg as the stand-in regenerates it after the conversion: root on /dev/vda2, GRUB_DEFAULT the newest entry. */
function convertedGrubCfg(r: RpmRecipe, menu = r.family === "suse" ? SUSE_GRUB_MENU : ALT_GRUB_MENU): string {
  const args = r.family === "suse" ? "splash=silent mitigations=auto quiet" : "panic=30 splash";
  const initrd = (k: string): string => (r.family === "suse" ? `initrd-${k}` : `initrd-${k}.img`);
  const entries = [...r.kernels].reverse().map((k) => renderMenuEntry(menu, k, machineId(r), "/dev/vda2", args, initrd(k)));
  return `${[renderMenuHead(menuEntryId(newestOf(r), machineId(r))), ...entries].join("\n\n")}\n`;
}

function goodLog(r: RpmRecipe): string {
  const k = newestOf(r);
  const tools = r.vmwareTools;
  const mk = r.family === "suse" ? "grub2-mkconfig -o /boot/grub2/grub.cfg" : "grub-mkconfig -o /boot/grub/grub.cfg";
  return [
    `rpm -e --allmatches ${tools.join(" ")}`,
    ...[...tools].reverse().flatMap((t) => [`%preun ${t} 0`, `%postun ${t} 0`]),
    r.family === "suse" ? `dracut --force --no-hostonly /boot/initrd-${k} ${k}` : `make-initrd -k ${k}`,
    mk,
    mk,
    "",
  ].join("\n");
}

/** The source tree with the edits a conversion makes (by hand, not by the converter). */
function convertedFiles(r: RpmRecipe): Record<string, string> {
  const f = sourceFiles(r);
  const k = newestOf(r);
  f["/etc/fstab"] = f["/etc/fstab"]!.replace(/\/dev\/sda/g, "/dev/vda");
  for (const t of r.vmwareTools) {
    delete f[`/usr/bin/${t}-daemon`];
    delete f[`/etc/vmware-tools/${t}.conf`];
  }
  const id = menuEntryId(k, machineId(r));
  if (r.family === "suse") {
    f["/boot/grub2/grub.cfg"] = convertedGrubCfg(r);
    f["/etc/default/grub"] = f["/etc/default/grub"]!.replace("GRUB_DEFAULT=saved", `GRUB_DEFAULT="${id}"`);
    f["/etc/sysconfig/kernel"] = f["/etc/sysconfig/kernel"]!
      .replace('INITRD_MODULES="mptspi vmw_pvscsi"', `INITRD_MODULES="mptspi vmw_pvscsi ${VIRTIO}"`)
      .replace('DOMU_INITRD_MODULES="xennet xenblk dm-mod"', 'DOMU_INITRD_MODULES="dm-mod"');
    f["/etc/NetworkManager/system-connections/eth0.nmconnection"] = f["/etc/NetworkManager/system-connections/eth0.nmconnection"]!.replace(/^mac-address=.*\n/m, "");
    f["/etc/zypp/repos.d/vmware-tools.repo"] = f["/etc/zypp/repos.d/vmware-tools.repo"]!.replace("enabled=1", "enabled=0");
    f["/etc/modprobe.d/50-vmware.conf"] = "alias scsi_hostadapter virtio_blk\nalias eth0 virtio_net\n";
    f[`/boot/initrd-${k}`] = `stand-in initramfs for kernel ${k}\nadd_drivers+=" ${VIRTIO} "\n`;
  } else {
    f["/boot/grub/grub.cfg"] = convertedGrubCfg(r);
    f["/etc/sysconfig/grub2"] = f["/etc/sysconfig/grub2"]!.replace("GRUB_DEFAULT=saved", `GRUB_DEFAULT="${id}"`);
    f["/etc/initrd.mk"] += `# virtio drivers for the KVM target, added by v2v\nMODULES_ADD += ${VIRTIO}\n`;
    f["/etc/modprobe.d/vmware.conf"] = "alias scsi_hostadapter virtio_blk\n";
    f[`/boot/initrd-${k}.img`] = `stand-in initramfs for kernel ${k}\nMODULES_ADD += mptspi vmw_pvscsi\nMODULES_ADD += ${VIRTIO}\n`;
  }
  f[STANDIN_LOG_PATH] = goodLog(r);
  return f;
}

const kernelPkg = (r: RpmRecipe): string => RPM_STANDIN_LAYOUTS[r.family].kernelPackage;
const guest = (r: RpmRecipe, files: Record<string, string>, packages: readonly string[]): FakeGuest =>
  new FakeGuest({ files, roots: [rootOf(r)], applications: { "/dev/sda2": packages.map((name) => ({ name, version: "1" })) } });

describe.each([["suse", sles], ["alt", alt]] as const)("the %s checks", (_family, r) => {
  const e: RpmStandinExpect = rpmStandinExpect(r);
  const k = newestOf(r);

  test("the converted stand-in passes every check", async () => {
    const out = await checkRpmStandinGuest(guest(r, convertedFiles(r), [kernelPkg(r)]), e);
    expect(out.filter((c) => !c.ok)).toEqual([]);
    expect(out.length).toBeGreaterThanOrEqual(r.family === "suse" ? 16 : 14);
  });

  test("the unconverted stand-in fails the negative check's key checks, and the negative check says so", async () => {
    const view = await readRpmStandinView(guest(r, sourceFiles(r), [kernelPkg(r), ...r.vmwareTools]), e);
    const checks = checkRpmStandinView(view, e);
    const verdict = judgeUnconverted(checks, r.family);
    expect(verdict.ok).toBe(true);
    expect(verdict.name).toMatch(/GRUB default/);
    // Every check fails on the source, except none: nothing the conversion is meant to do is already done.
    expect(checks.filter((c) => c.ok).map((c) => c.name)).toEqual([]);
  });

  test("the negative check fails when the unconverted guest already passes a key check", async () => {
    const files = sourceFiles(r);
    files["/etc/fstab"] = files["/etc/fstab"]!.replace(/\/dev\/sda/g, "/dev/vda");
    const verdict = judgeUnconverted(checkRpmStandinView(await readRpmStandinView(guest(r, files, [kernelPkg(r)]), e), e), r.family);
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toMatch(/\/etc\/fstab/);
    expect(judgeUnconverted([], r.family).ok).toBe(false);
  });

  test("the call order: the initramfs tool after rpm -e, grub-mkconfig after it, and a second grub-mkconfig", () => {
    const calls = parseStandinLog(goodLog(r));
    expect(checkCallOrder(calls, e).filter((c) => !c.ok)).toEqual([]);
    const once = goodLog(r).replace(/^(grub2?-mkconfig .*)\n\1\n/m, "$1\n");
    expect(checkCallOrder(parseStandinLog(once), e).at(-1)!.ok).toBe(false);
    const lines = goodLog(r).split("\n");
    const rebuildFirst = [lines[lines.length - 4]!, ...lines.filter((_, i) => i !== lines.length - 4)].join("\n");
    expect(checkCallOrder(parseStandinLog(rebuildFirst), e)[1]!.ok).toBe(false);
    const otherKernel = goodLog(r).replaceAll(k, r.kernels[0]!);
    expect(checkCallOrder(parseStandinLog(otherKernel), e)[1]!.ok).toBe(false);
    const withGrubby = `${goodLog(r)}grubby --set-default /boot/vmlinuz-${k}\n`;
    expect(checkCallOrder(parseStandinLog(withGrubby), e).at(-1)!.ok).toBe(false);
  });

  const common: [string, (f: Record<string, string>) => void, RegExp][] = [
    ["grub.cfg still boots the older kernel", (f) => {
      const cfg = r.family === "suse" ? "/boot/grub2/grub.cfg" : "/boot/grub/grub.cfg";
      f[cfg] = f[cfg]!.replace(/set default="[^"]*"/, `set default="${menuEntryId(r.kernels[0]!, machineId(r))}"`);
    }, /the default GRUB entry/],
    ["an entry left on /dev/sda2", (f) => {
      const cfg = r.family === "suse" ? "/boot/grub2/grub.cfg" : "/boot/grub/grub.cfg";
      f[cfg] = f[cfg]!.replace(`/vmlinuz-${r.kernels[0]} root=/dev/vda2`, `/vmlinuz-${r.kernels[0]} root=/dev/sda2`);
    }, /every entry of/],
    ["GRUB_DEFAULT left at saved", (f) => {
      const p = r.family === "suse" ? "/etc/default/grub" : "/etc/sysconfig/grub2";
      f[p] = f[p]!.replace(/^GRUB_DEFAULT=.*$/m, "GRUB_DEFAULT=saved");
    }, /GRUB_DEFAULT in/],
    ["a VMware tools file left", (f) => { f["/usr/bin/open-vm-tools-daemon"] = ""; }, /VMware tools are gone/],
    ["the modprobe alias still names mptspi", (f) => {
      const p = r.family === "suse" ? "/etc/modprobe.d/50-vmware.conf" : "/etc/modprobe.d/vmware.conf";
      f[p] = "alias scsi_hostadapter mptspi\n";
    }, /loads virtio_blk as the SCSI host adapter/],
    ["an image without virtio_net", (f) => {
      const p = r.family === "suse" ? `/boot/initrd-${k}` : `/boot/initrd-${k}.img`;
      f[p] = r.family === "suse" ? 'add_drivers+=" virtio_blk "\n' : "MODULES_ADD += virtio_blk\n";
    }, /the rebuilt \/boot\/initrd-/],
  ];
  const suseOnly: [string, (f: Record<string, string>) => void, RegExp][] = [
    ["INITRD_MODULES without virtio", (f) => { f["/etc/sysconfig/kernel"] = f["/etc/sysconfig/kernel"]!.replace(/^INITRD_MODULES=.*$/m, 'INITRD_MODULES="mptspi vmw_pvscsi"'); }, /INITRD_MODULES/],
    ["a Xen driver left in DOMU_INITRD_MODULES", (f) => { f["/etc/sysconfig/kernel"] = f["/etc/sysconfig/kernel"]!.replace('DOMU_INITRD_MODULES="dm-mod"', 'DOMU_INITRD_MODULES="xenblk dm-mod"'); }, /INITRD_MODULES/],
    ["the keyfile still pinned", (f) => { f["/etc/NetworkManager/system-connections/eth0.nmconnection"] += "[ethernet]\nmac-address=00:50:56:9A:3C:21\n"; }, /network profile/],
    ["the zypper repository enabled", (f) => { f["/etc/zypp/repos.d/vmware-tools.repo"] = f["/etc/zypp/repos.d/vmware-tools.repo"]!.replace("enabled=0", "enabled=1"); }, /zypper repository/],
  ];
  const altOnly: [string, (f: Record<string, string>) => void, RegExp][] = [
    ["MODULES_ADD without virtio", (f) => { f["/etc/initrd.mk"] = "AUTODETECT = all\nMODULES_ADD += mptspi vmw_pvscsi\n"; }, /MODULES_ADD in \/etc\/initrd\.mk/],
  ];
  test.each(r.family === "suse" ? [...common, ...suseOnly] : [...common, ...altOnly])("one wrong edit is caught: %s", async (_what, spoil, check) => {
    const files = convertedFiles(r);
    spoil(files);
    const out = checkEditedFiles(await readRpmStandinView(guest(r, files, [kernelPkg(r)]), e), e);
    expect(out.filter((c) => !c.ok).map((c) => c.name)).toEqual([expect.stringMatching(check)]);
  });

  test("a database that lost the kernel package fails the tools check", async () => {
    const out = checkEditedFiles(await readRpmStandinView(guest(r, convertedFiles(r), ["kernel-core"]), e), e);
    expect(out.filter((c) => !c.ok).map((c) => c.name)).toEqual([expect.stringMatching(/VMware tools are gone/)]);
  });
});
