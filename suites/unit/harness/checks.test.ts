// The static checks' pure parts, and check-guest on an in-memory guest: a converted guest passes
// every check, a half-converted one fails each check it should, and all of them still run.
import { describe, expect, test } from "vitest";
import { checkBoot, checkNegativeControl, NEGATIVE_CONTROL_BOOTED } from "../../../src/harness/boot/boot-checks.js";
import type { BootResult } from "../../../src/harness/boot/boot.js";
import { compareSourceHashes } from "../../../src/harness/checks/converted.js";
import { checkGuest, installedInDpkgStatus, missingModules } from "../../../src/harness/checks/guest.js";
import {
  checkKubevirtFrame, compareMeta, parseQemuOpts, type MetaFacts, quantityMiB, readJsonMetaFacts, readKubevirtYamlFacts, readLibvirtXmlFacts, readQemuScriptFacts,
} from "../../../src/harness/checks/meta.js";
import { isNonDiskSpec, mapperToLv, resolveSpec, resumeSpecs, staleDeviceName, type DeviceFacts } from "../../../src/harness/checks/device-specs.js";
import { findDefaultEntry, kernelVersionOf, rootArgOf } from "../../../src/harness/checks/grub-default.js";
import { renderJsonMeta } from "../../../src/outputs/json/json-meta.js";
import { renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { renderKubevirtYaml } from "../../../src/outputs/kubevirt/kubevirt-yaml.js";
import { renderQemuScript } from "../../../src/outputs/qemu/qemu-script.js";
import { FakeGuest } from "../fakes/fake-guest.js";
import type { TargetMeta } from "../../../src/model/types.js";
import {
  biosNoVirtio, biosVirtio, OVMF, ovmfOptionFor, uefiGuest, windows11NoDrivers, windows11SecureBoot, windows2022, windows2022Scsi,
} from "../outputs/meta-fixtures.js";

const GRUB_CFG = `set default="0"
if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
fi
menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-1234' {
	linux	/boot/vmlinuz-6.1.0-27-amd64 root=UUID=1234 ro quiet
	initrd	/boot/initrd.img-6.1.0-27-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-1234' {
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-27-amd64' $menuentry_id_option 'gnulinux-6.1.0-27-amd64-advanced-1234' {
		linux	/boot/vmlinuz-6.1.0-27-amd64 root=UUID=1234 ro quiet
	}
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-13-amd64' $menuentry_id_option 'gnulinux-6.1.0-13-amd64-advanced-1234' {
		linux	/boot/vmlinuz-6.1.0-13-amd64 root=/dev/vda1 ro
	}
}
`;

describe("grub's default entry", () => {
  test("default 0 is the first top-level entry; its kernel and root=", () => {
    const e = findDefaultEntry(GRUB_CFG)!;
    expect(e.title).toBe("Debian GNU/Linux");
    expect(kernelVersionOf(e)).toBe("6.1.0-27-amd64");
    expect(rootArgOf(e)).toBe("UUID=1234");
  });
  test("a submenu path by id, by index, and through saved_entry", () => {
    const byId = GRUB_CFG.replace('set default="0"', 'set default="gnulinux-advanced-1234>gnulinux-6.1.0-13-amd64-advanced-1234"');
    expect(kernelVersionOf(findDefaultEntry(byId)!)).toBe("6.1.0-13-amd64");
    expect(findDefaultEntry(GRUB_CFG.replace('set default="0"', 'set default="1>1"'))?.submenus).toEqual(["Advanced options for Debian GNU/Linux"]);
    const saved = GRUB_CFG.replace('set default="0"', 'set default="${saved_entry}"');
    expect(rootArgOf(findDefaultEntry(saved, "# GRUB Environment Block\nsaved_entry=1>1\n")!)).toBe("/dev/vda1");
    expect(findDefaultEntry(saved, "")?.title).toBe("Debian GNU/Linux");
  });
  test("a default that designates nothing, or a submenu, gives undefined", () => {
    expect(findDefaultEntry(GRUB_CFG.replace('set default="0"', 'set default="7"'))).toBeUndefined();
    expect(findDefaultEntry(GRUB_CFG.replace('set default="0"', 'set default="1"'))).toBeUndefined();
  });
});

const FACTS: DeviceFacts = {
  disks: ["/dev/sda", "/dev/sdb"],
  filesystems: [
    { device: "/dev/sda1", tags: { UUID: "1234", LABEL: "root", TYPE: "ext4" } },
    { device: "/dev/sdb1", tags: { UUID: "abcd", TYPE: "ext4" } },
    { device: "/dev/vg0/root", tags: { UUID: "5678" } },
  ],
};

describe("device specs", () => {
  test.each([
    ["UUID=1234", true, "/dev/sda1"], ["LABEL=root", true, "/dev/sda1"], ["/dev/disk/by-uuid/abcd", true, "/dev/sdb1"],
    ["/dev/vda1", true, "/dev/sda1"], ["/dev/vdb1", true, "/dev/sdb1"], ["/dev/mapper/vg0-root", true, "/dev/vg0/root"],
    ["UUID=ffff", false, "no filesystem has UUID=ffff"], ["/dev/vdc1", false, "the guest has only 2 disk(s)"],
    ["/dev/sda1", false, "not a virtio-blk device name"], ["/dev/vda2", false, "no partition /dev/sda2"],
    ["/dev/mapper/vg0-swap", false, "no logical volume /dev/vg0/swap"],
  ])("%s on virtio-blk resolves: %s", (spec, ok, what) => {
    const r = resolveSpec(spec, FACTS, "virtio-blk");
    expect(r.ok).toBe(ok);
    expect(r.ok ? r.device : r.why).toContain(what);
  });
  test("stale names depend on the bus; cdroms and pseudo filesystems are not disks", () => {
    expect(staleDeviceName("/dev/sda1", "virtio-blk")).toBe("/dev/sda1");
    expect(staleDeviceName("/dev/xvda", "virtio-blk")).toBe("/dev/xvda");
    expect(staleDeviceName("/dev/vda1", "virtio-blk")).toBeUndefined();
    expect(staleDeviceName("/dev/sda1", "sata")).toBeUndefined();
    expect(staleDeviceName("UUID=1", "virtio-blk")).toBeUndefined();
    expect(["/dev/sr0", "/dev/cdrom", "proc", "tmpfs"].every(isNonDiskSpec)).toBe(true);
    expect(isNonDiskSpec("/dev/vda1")).toBe(false);
    expect(mapperToLv("/dev/mapper/my--vg-lv--1")).toBe("/dev/my-vg/lv-1");
  });
  test("resume devices: resume= anywhere on a line, RESUME= of its own, comments skipped", () => {
    expect(resumeSpecs('GRUB_CMDLINE_LINUX="quiet resume=/dev/sda2"\n#GRUB_CMDLINE_LINUX="resume=/dev/sdz9"\nRESUME="UUID=ab-cd"\n  RESUME=/dev/xvda5\nNORESUME=/dev/sdq1\n'))
      .toEqual(["/dev/sda2", "UUID=ab-cd", "/dev/xvda5"]);
    expect(resumeSpecs("")).toEqual([]);
  });
});

/** A guest as a correct conversion leaves it, on two virtio disks; `over` breaks pieces of it. */
function convertedGuest(over: { fstab?: string; initrd?: string; apps?: string[]; dpkg?: string; lister?: string; esp?: Record<string, string>; resume?: Record<string, string> } = {}): FakeGuest {
  const g = new FakeGuest({
    roots: [{ root: "/dev/sda1", osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 7, productName: "Debian GNU/Linux 12", arch: "x86_64", osinfo: "debian12", packageFormat: "deb", packageManagement: "apt", mountpoints: { "/": "/dev/sda1" } }],
    devices: ["/dev/sda", "/dev/sdb"],
    filesystems: { "/dev/sda1": "ext4", "/dev/sdb1": "ext4" },
    blkid: { "/dev/sda1": { UUID: "1234", TYPE: "ext4" }, "/dev/sdb1": { UUID: "abcd", TYPE: "ext4" } },
    applications: { "/dev/sda1": (over.apps ?? ["linux-image-amd64"]).map((name) => ({ name, version: "1" })) },
    files: {
      "/etc/fstab": over.fstab ?? "# static\nUUID=1234 / ext4 errors=remount-ro 0 1\n/dev/vdb1 /srv/data ext4 defaults 0 2\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n",
      "/boot/grub/grub.cfg": GRUB_CFG,
      "/boot/vmlinuz-6.1.0-27-amd64": "",
      "/boot/initrd.img-6.1.0-27-amd64": "",
      "/lib/modules/6.1.0-27-amd64/modules.builtin": "kernel/drivers/virtio/virtio.ko\n",
      "/var/lib/dpkg/status": over.dpkg ?? "Package: open-vm-tools\nStatus: deinstall ok config-files\n\nPackage: bash\nStatus: install ok installed\n",
      [over.lister ?? "/usr/bin/lsinitramfs"]: "",
      ...over.esp,
      ...over.resume,
    },
  });
  g.on(/lsinitramfs|lsinitrd/, over.initrd ?? "usr/lib/modules/6.1.0-27-amd64/kernel/drivers/block/virtio_blk.ko\nusr/lib/modules/6.1.0-27-amd64/kernel/drivers/virtio/virtio_pci.ko\n");
  return g;
}

describe("checkGuest", () => {
  test("a converted guest passes every check", async () => {
    const out = await checkGuest(convertedGuest(), { blockBus: "virtio-blk" });
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    expect(out.checks).toHaveLength(7);
    expect(out.checks.find((c) => c.name.startsWith("resume="))?.detail).toBe("no resume device is configured");
    expect(out.defaultKernel).toBe("6.1.0-27-amd64");
  });

  test("resume= in GRUB's defaults and RESUME= of initramfs-tools must name the target's devices", async () => {
    const renamed = { "/etc/default/grub": 'GRUB_CMDLINE_LINUX="console=ttyS0 resume=/dev/vda2"\n', "/etc/initramfs-tools/conf.d/resume": "RESUME=/dev/vda2\n" };
    const good = await checkGuest(convertedGuest({ resume: renamed }), { blockBus: "virtio-blk" });
    expect(good.checks.find((c) => c.name.startsWith("resume="))).toMatchObject({ ok: true, detail: "/etc/default/grub: /dev/vda2; /etc/initramfs-tools/conf.d/resume: /dev/vda2" });
    const stale = await checkGuest(convertedGuest({ resume: { ...renamed, "/etc/initramfs-tools/conf.d/resume": "# old\nRESUME=/dev/sda2\n" } }), { blockBus: "virtio-blk" });
    expect(stale.checks.find((c) => c.name.startsWith("resume="))).toMatchObject({ ok: false, detail: "stale: /etc/initramfs-tools/conf.d/resume: /dev/sda2" });
  });

  test("a half-converted guest fails each broken check, and every check still runs", async () => {
    const g = convertedGuest({
      fstab: "/dev/sda1 / ext4 defaults 0 1\nUUID=9999 /srv/data ext4 defaults 0 2\n",
      initrd: "usr/lib/modules/6.1.0-27-amd64/kernel/drivers/virtio/virtio_pci.ko\n",
      apps: ["open-vm-tools"],
    });
    const out = await checkGuest(g, { blockBus: "virtio-blk" });
    const failed = Object.fromEntries(out.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(failed).toEqual({
      "fstab names no device that is not on virtio-blk": "stale entries: line 1: /dev/sda1 /",
      "every fstab entry resolves to a filesystem": expect.stringMatching(/line 1 \(\/\): \/dev\/sda1 is not a virtio-blk device name.*line 2 \(\/srv\/data\): no filesystem has UUID=9999/),
      "the default kernel's initramfs holds virtio_blk, virtio_pci": "/boot/initrd.img-6.1.0-27-amd64 lacks virtio_blk",
      "other hypervisors' guest tools are removed": "still installed: open-vm-tools (inspection: open-vm-tools; dpkg status: none)",
    });
    expect(out.checks).toHaveLength(7);
  });

  test("a dracut guest's initramfs is listed with lsinitrd; with no lister the check fails saying so", async () => {
    const g = convertedGuest({ lister: "/usr/bin/lsinitrd" });
    const out = await checkGuest(g, { blockBus: "virtio-blk" });
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    expect(g.calls.some((c) => /\/usr\/bin\/lsinitrd '\/boot\/initrd\.img-6\.1\.0-27-amd64'/.test(c.text))).toBe(true);
    const none = await checkGuest(convertedGuest({ lister: "/usr/bin/unrelated" }), { blockBus: "virtio-blk" });
    expect(none.checks.find((c) => /initramfs holds/.test(c.name))).toMatchObject({ ok: false, detail: expect.stringMatching(/neither \/usr\/bin\/lsinitramfs nor \/usr\/bin\/lsinitrd/) });
  });

  test("UEFI: the ESP must hold EFI/BOOT/BOOTX64.EFI (any case); BIOS guests are not asked", async () => {
    const name = "the ESP has the removable-path loader EFI/BOOT/BOOTX64.EFI (fresh UEFI variables boot only that)";
    const good = await checkGuest(convertedGuest({ esp: { "/boot/efi/EFI/BOOT/bootx64.efi": "MZ" } }), { blockBus: "virtio-blk", firmware: "uefi" });
    expect(good.checks.find((c) => c.name === name)).toEqual({ name, ok: true, detail: "/boot/efi/EFI/BOOT/bootx64.efi" });
    const vendorOnly = await checkGuest(convertedGuest({ esp: { "/boot/efi/EFI/debian/grubx64.efi": "MZ" } }), { blockBus: "virtio-blk", firmware: "uefi" });
    expect(vendorOnly.checks.find((c) => c.name === name)).toMatchObject({ ok: false, detail: expect.stringMatching(/no BOOTX64\.EFI in \/boot\/efi\/EFI\/BOOT/) });
    const bios = await checkGuest(convertedGuest(), { blockBus: "virtio-blk", firmware: "bios" });
    expect(bios.checks.map((c) => c.name)).not.toContain(name);
  });

  test("no operating system: one failed check, nothing mounted", async () => {
    const out = await checkGuest(new FakeGuest({ roots: [] }), { blockBus: "virtio-blk" });
    expect(out.checks).toEqual([{ name: "inspection finds one operating system", ok: false, detail: "libguestfs found 0 operating systems" }]);
  });

  test("initramfs and dpkg helpers", () => {
    expect(missingModules("lib/modules/x/virtio_blk.ko.zst\n", "kernel/drivers/virtio/virtio_pci.ko\n", ["virtio_blk", "virtio_pci", "ahci"])).toEqual(["ahci"]);
    expect(missingModules("lib/modules/x/not_virtio_blk.ko\n", "", ["virtio_blk"])).toEqual(["virtio_blk"]);
    expect(installedInDpkgStatus("Package: open-vm-tools\nStatus: install ok unpacked\n\nPackage: vmware-tools\nStatus: purge ok not-installed\n", ["open-vm-tools", "vmware-tools"])).toEqual(["open-vm-tools"]);
  });
});

describe("metadata facts read back what the output modules render", () => {
  const meta = biosVirtio();
  const expectOf = { firmware: "bios", blockBus: "virtio-blk", diskCount: 2, memoryMiB: 2048, vcpus: 2, nicModel: "virtio-net" } as const;
  const texts = {
    xml: readLibvirtXmlFacts(renderLibvirtXml(meta, { version: "t" })),
    json: readJsonMetaFacts(renderJsonMeta(meta, { version: "t" })),
    sh: readQemuScriptFacts(renderQemuScript(meta, { version: "t", accel: "tcg" })),
    yaml: readKubevirtYamlFacts(renderKubevirtYaml(meta, { version: "t" })),
  };
  test.each(Object.entries(texts))("%s: every property matches", (what, facts) => {
    expect(compareMeta(facts, expectOf, what).filter((c) => !c.ok)).toEqual([]);
    expect(facts.diskPaths).toEqual(meta.disks.map((d) => d.path));
  });
  test.each(Object.entries(texts))("%s: wrong expectations fail, one check each", (what, facts) => {
    const bad = compareMeta(facts, { firmware: "uefi", blockBus: "sata", diskCount: 1, memoryMiB: 1024, vcpus: 1, nicModel: "e1000" }, what);
    expect(bad.map((c) => c.ok)).toEqual([false, false, false, false, false]);
  });
  test("UEFI shows as a loader in all four", () => {
    const u = uefiGuest();
    expect(readLibvirtXmlFacts(renderLibvirtXml(u, { version: "t", ovmf: OVMF })).uefi).toBe(true);
    expect(readJsonMetaFacts(renderJsonMeta(u, { version: "t" })).uefi).toBe(true);
    expect(readQemuScriptFacts(renderQemuScript(u, { version: "t", accel: "tcg", uefi: { code: OVMF.code, vars: "/x/VARS.fd" } })).uefi).toBe(true);
    expect(readKubevirtYamlFacts(renderKubevirtYaml(u, { version: "t" })).uefi).toBe(true);
  });
  test("kubevirt: no-virtio guests read back as sata and e1000; KubeVirt's defaults fill what the YAML leaves out", () => {
    const f = readKubevirtYamlFacts(renderKubevirtYaml(biosNoVirtio(), { version: "t" }));
    expect(compareMeta(f, { firmware: "bios", blockBus: "sata", diskCount: 1, memoryMiB: 2048, vcpus: 1, nicModel: "e1000" }, "yaml").filter((c) => !c.ok)).toEqual([]);
    const bare = readKubevirtYamlFacts([
      "kind: VirtualMachine", "spec:", "  template:", "    spec:", "      domain:", "        cpu: {sockets: 2, cores: 2}",
      "        memory: {guest: 1Gi}", "        devices:", "          disks: [{name: d, disk: {}}, {name: c, cdrom: {}}]",
      "          interfaces: [{name: default}]", "      volumes: [{name: d, hostDisk: {path: /x, type: Disk}}]",
    ].join("\n"));
    expect(bare).toEqual({
      diskBuses: ["virtio"], diskPaths: ["/x"], uefi: false, secureBoot: false, smm: false, memoryMiB: 1024, vcpus: 4, nicModels: ["virtio"], hyperv: [], tpm: false,
    });
  });
  test("kubevirt: quantities and the document's frame", () => {
    expect([quantityMiB("2048Mi"), quantityMiB("2Gi"), quantityMiB("1048576Ki"), quantityMiB("2147483648"), quantityMiB(2048), quantityMiB("2 Gi")])
      .toEqual([2048, 2048, 1024, 2048, undefined, undefined]);
    expect(checkKubevirtFrame(renderKubevirtYaml(biosVirtio(), { version: "t" }))).toEqual({
      name: "NAME.yaml is a KubeVirt v1 VirtualMachine (name, kind, a volume for each disk)", ok: true, detail: "VirtualMachine debian12-bios",
    });
    const broken = "apiVersion: kubevirt.io/v1alpha3\nkind: VirtualMachineInstance\nmetadata: {name: Bad_Name}\n" +
      "spec: {template: {spec: {domain: {devices: {disks: [{name: disk-0}]}}, volumes: []}}}\n";
    expect(checkKubevirtFrame(broken).detail).toBe(
      'apiVersion is "kubevirt.io/v1alpha3"; kind is "VirtualMachineInstance"; metadata.name "Bad_Name" is not an RFC 1123 name; disk(s) without a volume: disk-0');
    expect(checkKubevirtFrame("a: [").ok).toBe(false);
  });
  test("Windows: local time, Hyper-V and the TPM read back from every format; a Linux guest fails them", () => {
    const w11 = windows11NoDrivers();
    const w22 = windows2022();
    const uefi = { uefi: { code: OVMF.code, vars: "/x/VARS.fd" } };
    const read = (m: typeof w11) => ({
      xml: readLibvirtXmlFacts(renderLibvirtXml(m, { version: "t", ovmf: OVMF })),
      json: readJsonMetaFacts(renderJsonMeta(m, { version: "t" })),
      sh: readQemuScriptFacts(renderQemuScript(m, { version: "t", accel: "tcg", ...uefi })),
      yaml: readKubevirtYamlFacts(renderKubevirtYaml(m, { version: "t" })),
    });
    const base = { firmware: "uefi", blockBus: "sata", diskCount: 1, nicModel: "e1000" } as const;
    for (const [what, f] of Object.entries(read(w11))) {
      expect(compareMeta(f, { ...base, windows: { tpm: true } }, what).filter((c) => !c.ok), what).toEqual([]);
      expect(f.hyperv, what).toEqual(expect.arrayContaining(["relaxed", "vapic", "spinlocks", "stimer"]));
    }
    const f22 = read(w22);
    expect([f22.xml.clock, f22.json.clock, f22.sh.clock, f22.yaml.clock]).toEqual(["localtime", "localtime", "localtime", undefined]);
    expect([f22.xml.tpm, f22.json.tpm, f22.sh.tpm, f22.yaml.tpm]).toEqual([false, false, undefined, false]);
    // A TPM expected but absent, and a Linux guest's metadata: the Windows checks fail.
    expect(compareMeta(f22.xml, { ...base, blockBus: "virtio-blk", nicModel: "virtio-net", windows: { tpm: true } }, "xml").filter((c) => !c.ok).map((c) => c.name))
      .toEqual(["xml: a TPM 2.0 (Windows 11)"]);
    const linux = readLibvirtXmlFacts(renderLibvirtXml(biosVirtio(), { version: "t" }));
    expect(compareMeta(linux, { ...expectOf, windows: { tpm: false } }, "xml").filter((c) => !c.ok).map((c) => c.name))
      .toEqual(["xml: the RTC keeps local time (Windows)", "xml: Hyper-V enlightenments (relaxed, vapic, spinlocks at least)"]);
  });
  test("Secure Boot reads back from every format; a guest without it passes 'no Secure Boot' and fails 'Secure Boot'", () => {
    const read = (m: TargetMeta) => {
      const { ovmf } = ovmfOptionFor(m);
      return {
        xml: readLibvirtXmlFacts(renderLibvirtXml(m, { version: "t", ovmf })),
        json: readJsonMetaFacts(renderJsonMeta(m, { version: "t" })),
        sh: readQemuScriptFacts(renderQemuScript(m, { version: "t", accel: "tcg", uefi: { code: ovmf!.code, vars: "/x/VARS.fd" } })),
        yaml: readKubevirtYamlFacts(renderKubevirtYaml(m, { version: "t" })),
      };
    };
    const base = { firmware: "uefi", blockBus: "virtio-blk", diskCount: 1, nicModel: "virtio-net" } as const;
    const names = (f: MetaFacts, secureBoot: boolean): string[] => compareMeta(f, { ...base, secureBoot }, "m").filter((c) => !c.ok).map((c) => c.name);
    for (const [what, f] of Object.entries(read(windows11SecureBoot()))) {
      expect([f.secureBoot, f.smm], what).toEqual([true, what === "json" ? undefined : true]);
      expect(names(f, true), what).toEqual([]);
      expect(names(f, false), what).toEqual(["m: no Secure Boot"]);
    }
    for (const [what, f] of Object.entries(read(windows2022()))) {
      expect([f.secureBoot, f.smm], what).toEqual([false, what === "json" ? undefined : false]);
      expect(names(f, false), what).toEqual([]);
      expect(names(f, true), what).toEqual(["m: UEFI Secure Boot with SMM (the source had it)"]);
    }
  });
  test("Secure Boot half set up (a secure loader without SMM, or SMM alone) passes neither expectation", () => {
    const sb = readLibvirtXmlFacts(renderLibvirtXml(windows11SecureBoot(), { version: "t", ovmf: OVMF }));
    const noSmm = { ...sb, smm: false };
    const smmOnly = { ...sb, secureBoot: false };
    for (const f of [noSmm, smmOnly]) {
      for (const secureBoot of [true, false]) {
        expect(compareMeta(f, { firmware: "uefi", blockBus: "virtio-blk", diskCount: 1, secureBoot }, "m").filter((c) => !c.ok)).toHaveLength(1);
      }
    }
    // KubeVirt's default: an efi bootloader without secureBoot: false has Secure Boot on.
    const yaml = renderKubevirtYaml(windows2022(), { version: "t" }).replace("secureBoot: false", "persistent: false");
    expect(readKubevirtYamlFacts(yaml).secureBoot).toBe(true);
  });
  test("qemu option text: doubled commas are literal", () => {
    expect(parseQemuOpts("virtio-blk-pci,drive=d0,bootindex=1")).toEqual({ "": "virtio-blk-pci", drive: "d0", bootindex: "1" });
    expect(parseQemuOpts("file=/a,,b/c,format=raw")).toEqual({ file: "/a,b/c", format: "raw" });
  });
});

const boot = (over: Partial<BootResult>): BootResult => ({ outcome: "reported", seconds: 60, serialLogPath: "s.log", qemuArgv: [], ...over });
const REPORT = {
  root: "/dev/vda1", kernel: "6.1.0-27-amd64", virtioBlk: "bound", virtioNet: "bound", virtioScsi: "absent",
  fstabOk: true, fstabMissing: [], nicDrivers: ["virtio_net"], disks: ["vda", "vdb"], fields: {},
} as const;

test("--block-driver virtio-scsi: every format reads back scsi disks and virtio-net; a virtio-blk expectation fails", () => {
  const m = windows2022Scsi();
  const uefi = { uefi: { code: OVMF.code, vars: "/x/VARS.fd" } };
  const read = {
    xml: readLibvirtXmlFacts(renderLibvirtXml(m, { version: "t", ovmf: OVMF })),
    json: readJsonMetaFacts(renderJsonMeta(m, { version: "t" })),
    sh: readQemuScriptFacts(renderQemuScript(m, { version: "t", accel: "tcg", ...uefi })),
    yaml: readKubevirtYamlFacts(renderKubevirtYaml(m, { version: "t" })),
  };
  const want = { firmware: "uefi", blockBus: "virtio-scsi", diskCount: 2, nicModel: "virtio-net" } as const;
  for (const [what, f] of Object.entries(read)) {
    expect(compareMeta(f, want, what).filter((c) => !c.ok), what).toEqual([]);
    expect(compareMeta(f, { ...want, blockBus: "virtio-blk" }, what).filter((c) => !c.ok).length, what).toBe(1);
  }
});

describe("boot checks", () => {
  const expectOf = { blockBus: "virtio-blk", diskCount: 2, kernel: "^6\\.1\\.", defaultKernel: "6.1.0-27-amd64", nicDriver: "virtio_net" } as const;
  test("a good report passes every check", () => {
    const checks = checkBoot(boot({ report: { ...REPORT }, reportLine: "V2V-BOOT-REPORT root=/dev/vda1" }), expectOf);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks).toHaveLength(8);
  });
  test("a report from the wrong bus and kernel fails those checks", () => {
    const checks = checkBoot(boot({ report: { ...REPORT, root: "/dev/sda1", disks: ["sda"], virtioBlk: "absent", kernel: "5.10.0-1-amd64", fstabOk: false, fstabMissing: ["/srv/data"] } }), expectOf);
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "boot: / is mounted from a virtio-blk disk", "boot: the guest sees 2 virtio-blk disk(s)", "boot: virtio_blk is bound",
      "boot: every fstab entry is mounted (swap: active)", "boot: the kernel matches /^6\\.1\\./", "boot: the kernel is grub's default entry",
    ]);
  });
  test("the kernel console: ttyS0 passes, a Xen hvc0 left in place fails, an old report without the field fails", () => {
    const want = { ...expectOf, console: "ttyS0" };
    expect(checkBoot(boot({ report: { ...REPORT, console: "ttyS0" } }), want).find((c) => c.name === "boot: the kernel's console is ttyS0")?.ok).toBe(true);
    expect(checkBoot(boot({ report: { ...REPORT, console: "hvc0" } }), want).find((c) => c.name === "boot: the kernel's console is ttyS0"))
      .toEqual({ name: "boot: the kernel's console is ttyS0", ok: false, detail: "console=hvc0" });
    expect(checkBoot(boot({ report: { ...REPORT } }), want).find((c) => c.name === "boot: the kernel's console is ttyS0")?.detail).toBe("console=(not reported)");
  });
  test("no report: one failed check with the failure line", () => {
    expect(checkBoot(boot({ outcome: "failed", failureLine: "Kernel panic - not syncing" }), expectOf))
      .toEqual([{ name: "boot: the converted guest reaches the boot-report line", ok: false, detail: "failed after 60 s: Kernel panic - not syncing" }]);
  });
  test("the negative control must not boot", () => {
    expect(checkNegativeControl(boot({ outcome: "failed", failureLine: "Gave up waiting for root file system device" })).ok).toBe(true);
    expect(checkNegativeControl(boot({ outcome: "timeout" })).ok).toBe(true);
    const booted = checkNegativeControl(boot({ reportLine: "V2V-BOOT-REPORT root=/dev/vda1" }));
    expect(booted.ok).toBe(false);
    expect(booted.detail.startsWith(NEGATIVE_CONTROL_BOOTED)).toBe(true);
  });
});

test("source hashes: equal passes, a change or no hash fails", () => {
  expect(compareSourceHashes({ a: "1", b: "2" }, { a: "1", b: "2" }).ok).toBe(true);
  expect(compareSourceHashes({ a: "1", b: "2" }, { a: "1", b: "3" })).toMatchObject({ ok: false, detail: "changed: b" });
  expect(compareSourceHashes({}, {}).ok).toBe(false);
});
