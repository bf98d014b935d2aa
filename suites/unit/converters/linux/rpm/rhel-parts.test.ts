// The RHEL family's own choices: which grub.cfg a UEFI guest boots, DEFAULTKERNEL, and the
// initramfs tool (dracut, or mkinitrd on RHEL 5).
import { describe, expect, test } from "vitest";
import { dracutBuilder } from "../../../../../src/converters/linux/dracut.js";
import type { InstalledKernel } from "../../../../../src/converters/linux/family.js";
import { chooseRhelGrub, isStubGrubCfg, locateRhelGrub, rhelGrub } from "../../../../../src/converters/linux/rhel/grub.js";
import { redhatMkinitrdArgv, redhatMkinitrdBuilder, rhelInitramfs } from "../../../../../src/converters/linux/rhel/initramfs.js";
import { defaultKernelEdit, packageFlavour, releaseFlavour, setDefaultKernel } from "../../../../../src/converters/linux/rhel/sysconfig-kernel.js";
import { StepLog } from "../../../../../src/converters/step-log.js";
import { RecordingReporter } from "../../../../../src/model/messages.js";
import { FakeGuest } from "../../../fakes/fake-guest.js";
import { rpmInspection } from "./rpm-guests.js";

const STUB = "search --no-floppy --fs-uuid --set=dev 1234\nset prefix=($dev)/grub2\nexport $prefix\nconfigfile $prefix/grub.cfg\n";

describe("which grub.cfg a RHEL guest boots", () => {
  test("BIOS: /boot/grub2, whatever the ESP holds", () => {
    expect(chooseRhelGrub("bios", [{ vendor: "redhat", text: "blscfg\n" }])).toBe(rhelGrub);
    expect(rhelGrub).toMatchObject({
      cfgPath: "/boot/grub2/grub.cfg", envPath: "/boot/grub2/grubenv", defaultsPath: "/etc/default/grub", deviceMapPath: "/boot/grub2/device.map",
      regenerators: [{ program: "grub2-mkconfig", shell: "grub2-mkconfig -o /boot/grub2/grub.cfg" }],
      bls: { entriesDir: "/boot/loader/entries", cmdlinePath: "/etc/kernel/cmdline" }, defaultSetter: "grubby",
    });
  });

  test("UEFI: the vendor folder's real grub.cfg; the RHEL 9 stub, EFI/BOOT and odd names lead back to /boot/grub2", () => {
    const g = chooseRhelGrub("uefi", [{ vendor: "BOOT", text: "blscfg\n" }, { vendor: "a b", text: "blscfg\n" }, { vendor: "centos", text: "menuentry 'x' {\n}\n" }]);
    expect(g.cfgPath).toBe("/boot/efi/EFI/centos/grub.cfg");
    expect(g.envPath).toBe("/boot/efi/EFI/centos/grubenv");
    expect(g.regenerators).toEqual([{ program: "grub2-mkconfig", shell: "grub2-mkconfig -o /boot/efi/EFI/centos/grub.cfg" }]);
    expect(chooseRhelGrub("uefi", [{ vendor: "redhat", text: STUB }])).toBe(rhelGrub);
    expect(chooseRhelGrub("uefi", [{ vendor: "$(reboot)", text: "blscfg\n" }])).toBe(rhelGrub);
    expect(chooseRhelGrub("uefi", [])).toBe(rhelGrub);
  });

  test("the stub is told apart from a configuration", () => {
    expect(isStubGrubCfg(STUB)).toBe(true);
    expect(isStubGrubCfg(`${STUB}blscfg\n`)).toBe(false);
    expect(isStubGrubCfg("menuentry 'a' {\n}\n")).toBe(false);
  });

  test("locateRhelGrub reads the ESP's vendor folders on UEFI only", async () => {
    const g = new FakeGuest({ files: { "/boot/efi/EFI/fedora/grub.cfg": STUB, "/boot/efi/EFI/rocky/grub.cfg": "blscfg\n", "/boot/efi/EFI/x/y": "" } });
    expect((await locateRhelGrub(g, rpmInspection("rocky", 8, [], "uefi"))).cfgPath).toBe("/boot/efi/EFI/rocky/grub.cfg");
    expect(await locateRhelGrub(g, rpmInspection("rocky", 8, [], "bios"))).toBe(rhelGrub);
  });
});

describe("DEFAULTKERNEL", () => {
  test.each([
    ["5.14.0-362.el9.x86_64", ""], ["5.4.17-2136.300.7.el8uek.x86_64", "uek"], ["2.6.18-398.el5PAE", "PAE"], ["5.14.0-362.el9.x86_64+debug", "debug"],
  ])("flavour of %s is %j", (release, flavour) => { expect(releaseFlavour(release)).toBe(flavour); });

  test.each([["kernel", ""], ["kernel-core", ""], ["kernel-uek", "uek"], ["kernel-uek-core", "uek"], ["kernel-PAE", "PAE"]])(
    "package %s selects %j", (pkg, flavour) => { expect(packageFlavour(pkg)).toBe(flavour); });

  test("set to the chosen kernel's flavour, keeping -core and the rest of the file", () => {
    expect(setDefaultKernel("UPDATEDEFAULT=yes\nDEFAULTKERNEL=kernel-uek\n", "4.18.0-513.el8.x86_64"))
      .toEqual({ text: "UPDATEDEFAULT=yes\nDEFAULTKERNEL=kernel\n", from: "kernel-uek", to: "kernel" });
    expect(setDefaultKernel('DEFAULTKERNEL="kernel-core"\n', "5.15.0-1.el9uek.x86_64"))
      .toEqual({ text: "DEFAULTKERNEL=kernel-uek-core\n", from: "kernel-core", to: "kernel-uek-core" });
    expect(setDefaultKernel("DEFAULTKERNEL=kernel-core\n", "5.14.0-362.el9.x86_64")).toEqual({ text: "DEFAULTKERNEL=kernel-core\n" });
    expect(setDefaultKernel("UPDATEDEFAULT=yes\n", "5.15.0-1.el9uek.x86_64")).toEqual({ text: "UPDATEDEFAULT=yes\n" });
  });

  test("the edit needs the chosen kernel and says what it changed", () => {
    const files = [{ path: "/etc/sysconfig/kernel", text: "DEFAULTKERNEL=kernel-uek\n" }];
    const kernel = { version: "4.18.0-513.el8.x86_64" } as InstalledKernel;
    expect(defaultKernelEdit.apply(files, { kernel, virtioModules: [] })).toEqual({
      written: [{ path: "/etc/sysconfig/kernel", text: "DEFAULTKERNEL=kernel\n" }],
      changes: ["set DEFAULTKERNEL=kernel (was kernel-uek) in /etc/sysconfig/kernel, the flavour of kernel 4.18.0-513.el8.x86_64, so that kernel updates keep it"],
      warnings: [],
    });
    expect(defaultKernelEdit.apply(files, { virtioModules: [] }).written).toEqual([]);
    const sameFlavour = { version: "5.4.17-2136.el8uek.x86_64" } as InstalledKernel;
    expect(defaultKernelEdit.apply(files, { kernel: sameFlavour, virtioModules: [] })).toEqual({ written: [], changes: [], warnings: [] });
    expect(defaultKernelEdit.apply([], { kernel, virtioModules: [] }).written).toEqual([]);
    expect(defaultKernelEdit.paths).toEqual(["/etc/sysconfig/kernel"]);
  });
});

describe("the RHEL initramfs tool", () => {
  const k = { version: "2.6.18-398.el5", vmlinuz: "/boot/vmlinuz-2.6.18-398.el5" } as InstalledKernel;

  test("dracut when the guest has it, else mkinitrd, else a refusal naming dracut", async () => {
    expect(await rhelInitramfs.findBuilder(new FakeGuest({ files: { "/sbin/dracut": "", "/sbin/mkinitrd": "" } }), k)).toBe(dracutBuilder);
    expect(await rhelInitramfs.findBuilder(new FakeGuest({ files: { "/sbin/mkinitrd": "" } }), k)).toBe(redhatMkinitrdBuilder);
    await expect(rhelInitramfs.findBuilder(new FakeGuest(), k)).rejects.toThrow(
      "the guest has neither dracut nor mkinitrd, so the initramfs of kernel 2.6.18-398.el5 cannot be rebuilt with the virtio drivers; install dracut in the guest and convert it again.");
    expect(rhelInitramfs.configDir).toBe("/etc/dracut.conf.d");
  });

  test("mkinitrd gets each module with --with= and replaces the image", async () => {
    expect(redhatMkinitrdArgv("/boot/initrd-2.6.18-398.el5.img", "2.6.18-398.el5", ["virtio_blk", "virtio_net"]))
      .toEqual(["mkinitrd", "--with=virtio_blk", "--with=virtio_net", "-f", "/boot/initrd-2.6.18-398.el5.img", "2.6.18-398.el5"]);
    const g = new FakeGuest();
    g.on(/^mkinitrd /, "");
    await redhatMkinitrdBuilder.rebuild(g, k, "/boot/i.img", ["virtio_blk"], new StepLog(new RecordingReporter()));
    expect(g.commandTexts).toEqual(["mkinitrd --with=virtio_blk -f /boot/i.img 2.6.18-398.el5"]);
    const failing = new FakeGuest();
    failing.on(/^mkinitrd /, new Error("no space"));
    await expect(redhatMkinitrdBuilder.rebuild(failing, k, "/boot/i.img", [], new StepLog(new RecordingReporter())))
      .rejects.toThrow(/"mkinitrd -f \/boot\/i.img 2.6.18-398.el5" failed in the guest while rebuilding the initramfs of kernel 2.6.18-398.el5: no space/);
  });
});
