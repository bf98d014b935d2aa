// Bus, machine and firmware decisions (src/target/buses.ts).
import { describe, expect, test } from "vitest";
import {
  chooseGuestCaps, decideTargetFirmware, deviceNamesForBus, osPredatesQ35, type GuestCapsInput,
} from "../../../src/target/buses.js";

const debian12 = { osType: "linux", distro: "debian", majorVersion: 12 };
const virtio = { virtioBlk: true, virtioNet: true, virtioRng: true, virtioBalloon: true };
const none = { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false };
const input = (over: Partial<GuestCapsInput>): GuestCapsInput =>
  ({ drivers: virtio, firmware: "bios", inspection: debian12, sourceControllers: ["scsi"], ...over });

describe("chooseGuestCaps", () => {
  test("virtio drivers: virtio-blk, virtio-net, rng and balloon on q35", () => {
    expect(chooseGuestCaps(input({}))).toEqual({
      blockBus: "virtio-blk", nicModel: "virtio-net", machine: "q35",
      virtioDrivers: true, virtioRng: true, virtioBalloon: true, acpi: true,
    });
  });

  test("no virtio, source disks on SCSI: q35 with sata and e1000, no rng, no balloon", () => {
    const caps = chooseGuestCaps(input({ drivers: none }));
    expect(caps).toMatchObject({ blockBus: "sata", nicModel: "e1000", machine: "q35", virtioDrivers: false, virtioRng: false, virtioBalloon: false });
  });

  test("no virtio, source disks unknown (-i disk): q35 with sata", () => {
    expect(chooseGuestCaps(input({ drivers: none, sourceControllers: [undefined] }))).toMatchObject({ machine: "q35", blockBus: "sata" });
  });

  test("no virtio, BIOS, source disks on IDE: pc keeps the PIIX IDE the guest booted from", () => {
    expect(chooseGuestCaps(input({ drivers: none, sourceControllers: ["ide", undefined] }))).toMatchObject({ machine: "pc", blockBus: "ide" });
  });

  test("no virtio, more IDE disks than pc has slots: q35 with sata", () => {
    const caps = chooseGuestCaps(input({ drivers: none, sourceControllers: ["ide", "ide", "ide", "ide", "ide"] }));
    expect(caps).toMatchObject({ machine: "q35", blockBus: "sata" });
  });

  test("no virtio, UEFI: always q35 with sata", () => {
    expect(chooseGuestCaps(input({ drivers: none, firmware: "uefi", sourceControllers: ["ide"] }))).toMatchObject({ machine: "q35", blockBus: "sata" });
  });

  test("an OS older than q35 gets pc even with virtio", () => {
    const caps = chooseGuestCaps(input({ inspection: { osType: "linux", distro: "rhel", majorVersion: 4 } }));
    expect(caps).toMatchObject({ machine: "pc", blockBus: "virtio-blk" });
  });

  test("virtio_blk without virtio_net: disks on virtio, NIC e1000, not counted as having virtio drivers", () => {
    const caps = chooseGuestCaps(input({ drivers: { ...virtio, virtioNet: false } }));
    expect(caps).toMatchObject({ blockBus: "virtio-blk", nicModel: "e1000", virtioDrivers: false });
  });
});

test.each([
  [{ osType: "windows", distro: "windows", majorVersion: 5 }, true],
  [{ osType: "windows", distro: "windows", majorVersion: 10 }, false],
  [{ osType: "linux", distro: "debian", majorVersion: 3 }, true],
  [{ osType: "linux", distro: "ubuntu", majorVersion: 4 }, false],
  [{ osType: "linux", distro: "sles", majorVersion: 9 }, true],
  [{ osType: "linux", distro: "centos", majorVersion: 7 }, false],
])("osPredatesQ35(%o) is %s", (os, expected) => {
  expect(osPredatesQ35(os)).toBe(expected);
});

test("firmware: the source wins, unknown falls back to inspection", () => {
  expect(decideTargetFirmware("bios", "uefi")).toBe("bios");
  expect(decideTargetFirmware("uefi", "bios")).toBe("uefi");
  expect(decideTargetFirmware("unknown", "uefi")).toBe("uefi");
  expect(decideTargetFirmware("unknown", "bios")).toBe("bios");
});

test("device names per bus in disk order", () => {
  expect(deviceNamesForBus("virtio-blk", 3)).toEqual(["vda", "vdb", "vdc"]);
  expect(deviceNamesForBus("sata", 2)).toEqual(["sda", "sdb"]);
  expect(deviceNamesForBus("ide", 2)).toEqual(["hda", "hdb"]);
});
