// The qemu command line for test boots: buses, firmware, NIC, and snapshot=on on every drive.
import { describe, expect, test } from "vitest";
import { buildQemuArgv, type QemuMachine } from "../../../src/harness/boot/qemu-argv.js";
import { planMounts } from "../../../src/harness/boot/boot.js";

const bios: QemuMachine = { drives: [{ path: "/disks/0/g-sda.raw", format: "raw", bus: "ide" }], firmware: "bios", machine: "pc", nic: "e1000", memoryMiB: 1024, vcpus: 1 };
const opt = (argv: string[], flag: string): string[] => argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));

describe("buildQemuArgv", () => {
  test("BIOS on IDE: TCG, serial on stdio, no reboot, PIIX IDE master, snapshot drive, e1000", () => {
    const argv = buildQemuArgv(bios);
    expect(argv.slice(0, 3)).toEqual(["qemu-system-x86_64", "-accel", "tcg"]);
    for (const f of ["-nodefaults", "-no-reboot"]) expect(argv).toContain(f);
    expect(opt(argv, "-serial")).toEqual(["stdio"]);
    expect(opt(argv, "-drive")).toEqual(["file=/disks/0/g-sda.raw,format=raw,if=none,id=disk0,snapshot=on"]);
    expect(opt(argv, "-device")).toEqual(["ide-hd,bus=ide.0,unit=0,drive=disk0,bootindex=0", "e1000,netdev=net0"]);
    expect(opt(argv, "-netdev")).toEqual(["user,id=net0,restrict=on"]);
    expect(argv.join(" ")).not.toContain("pflash");
  });

  test("virtio-blk, two disks, no NIC", () => {
    const argv = buildQemuArgv({ ...bios, nic: "none", drives: [{ path: "/d/a", format: "qcow2", bus: "virtio-blk" }, { path: "/d/b", format: "raw", bus: "virtio-blk" }] });
    expect(opt(argv, "-device")).toEqual(["virtio-blk-pci,drive=disk0,bootindex=0", "virtio-blk-pci,drive=disk1,bootindex=1"]);
    expect(argv).not.toContain("-netdev");
  });

  test("UEFI: OVMF code read-only, variable store as a snapshot", () => {
    const argv = buildQemuArgv({ ...bios, firmware: "uefi", machine: "q35" });
    const pflash = opt(argv, "-drive").filter((d) => d.startsWith("if=pflash"));
    expect(pflash).toEqual([
      "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
      "if=pflash,format=raw,unit=1,snapshot=on,file=/usr/share/OVMF/OVMF_VARS_4M.fd",
    ]);
    expect(opt(argv, "-device")[0]).toBe("ide-hd,bus=ide.0,drive=disk0,bootindex=0");
  });

  test("SATA on pc adds an AHCI controller; virtio-scsi adds its HBA", () => {
    const sata = buildQemuArgv({ ...bios, drives: [{ path: "/d/a", format: "raw", bus: "sata" }] });
    expect(opt(sata, "-device").slice(0, 2)).toEqual(["ahci,id=ahci0", "ide-hd,bus=ahci0.0,drive=disk0,bootindex=0"]);
    const scsi = buildQemuArgv({ ...bios, drives: [{ path: "/d/a", format: "raw", bus: "virtio-scsi" }] });
    expect(opt(scsi, "-device").slice(0, 2)).toEqual(["virtio-scsi-pci,id=scsi0", "scsi-hd,bus=scsi0.0,drive=disk0,bootindex=0"]);
  });

  test("a disk inside a file (an OVA member) is a raw window under its format driver, still a snapshot", () => {
    const argv = buildQemuArgv({ ...bios, drives: [{ path: "/disks/0/vm,1.ova", format: "vmdk", bus: "virtio-blk", window: { offsetBytes: 1536, sizeBytes: 1048576 } }] });
    expect(opt(argv, "-drive")).toEqual([
      "driver=vmdk,file.driver=raw,file.offset=1536,file.size=1048576,file.file.driver=file,file.file.filename=/disks/0/vm,,1.ova,if=none,id=disk0,snapshot=on",
    ]);
  });

  test("reboot: true lets the guest restart (no -no-reboot); the default ends qemu on a reset", () => {
    expect(buildQemuArgv({ ...bios, reboot: true })).not.toContain("-no-reboot");
    expect(buildQemuArgv({ ...bios, reboot: false })).toContain("-no-reboot");
  });

  test("a comma in a path is doubled, as qemu's option syntax needs", () => {
    const argv = buildQemuArgv({ ...bios, drives: [{ path: "/d/a,b.raw", format: "raw", bus: "ide" }] });
    expect(opt(argv, "-drive")[0]).toContain("file=/d/a,,b.raw,");
  });
});

describe("planMounts", () => {
  test("one read-only mount per directory; disks keep their base names", () => {
    const p = planMounts([
      { path: "/var/out/g-sda", format: "raw", bus: "virtio-blk" },
      { path: "/var/out/g-sdb", format: "raw", bus: "virtio-blk" },
      { path: "/other/x.qcow2", format: "qcow2", bus: "ide" },
    ]);
    expect(p.mounts).toEqual([{ source: "/var/out", target: "/disks/0" }, { source: "/other", target: "/disks/1" }]);
    expect(p.paths).toEqual(["/disks/0/g-sda", "/disks/0/g-sdb", "/disks/1/x.qcow2"]);
  });
});
