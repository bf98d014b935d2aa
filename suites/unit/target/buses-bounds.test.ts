// Target decisions at their boundaries (src/target/buses.ts), where Stryker found the suite blind:
// the last OS version that predates q35 and the first that does not, mixed controllers, exactly
// four IDE disks, virtio on an IDE source, and guestCapsFor reading the source's controllers.
import { expect, test } from "vitest";
import { chooseGuestCaps, guestCapsFor, isVirtioBus, osPredatesQ35, type GuestCapsInput } from "../../../src/target/buses.js";
import type { Inspection, SourceDisk } from "../../../src/model/types.js";

const none = { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false };
const virtio = { virtioBlk: true, virtioNet: true, virtioRng: false, virtioBalloon: false };
const debian12 = { osType: "linux", distro: "debian", majorVersion: 12 };
const input = (over: Partial<GuestCapsInput>): GuestCapsInput =>
  ({ drivers: none, firmware: "bios", inspection: debian12, sourceControllers: ["ide"], ...over });

test.each([
  ["windows", "windows", 5, true], ["windows", "windows", 6, false],
  ["linux", "debian", 3, true], ["linux", "debian", 4, false], ["linux", "ubuntu", 3, false],
  ["linux", "rhel", 4, true], ["linux", "rhel", 5, false], ["linux", "centos", 3, true],
  ["linux", "sles", 9, true], ["linux", "sles", 10, false], ["linux", "opensuse", 9, false],
  ["linux", "archlinux", 1, false], ["linux", "unknown", 0, false],
])("osPredatesQ35: %s %s %i is %s", (osType, distro, majorVersion, expected) => {
  expect(osPredatesQ35({ osType, distro, majorVersion })).toBe(expected);
});

test("pc only when every known controller was IDE: IDE + SCSI is q35", () => {
  expect(chooseGuestCaps(input({ sourceControllers: ["ide", "scsi"] })).machine).toBe("q35");
  expect(chooseGuestCaps(input({ sourceControllers: [undefined, undefined] })).machine).toBe("q35");
});

test("exactly four IDE disks still fit pc's IDE controller; five do not", () => {
  expect(chooseGuestCaps(input({ sourceControllers: ["ide", "ide", "ide", "ide"] }))).toMatchObject({ machine: "pc", blockBus: "ide" });
  expect(chooseGuestCaps(input({ sourceControllers: ["ide", "ide", "ide", "ide", "ide"] }))).toMatchObject({ machine: "q35", blockBus: "sata" });
});

test("with virtio_blk, an IDE source still gets q35", () => {
  expect(chooseGuestCaps(input({ drivers: virtio }))).toMatchObject({ machine: "q35", blockBus: "virtio-blk" });
});

test("guestCapsFor reads the source disks' controllers and the source firmware", () => {
  const insp = { ...debian12, firmware: "bios" } as Inspection;
  const disk = (controller: SourceDisk["controller"]): SourceDisk => ({ index: 0, displayName: "d", ...(controller ? { controller } : {}) } as SourceDisk);
  expect(guestCapsFor(none, { firmware: "bios", disks: [disk("ide")] }, insp)).toMatchObject({ machine: "pc", blockBus: "ide" });
  expect(guestCapsFor(none, { firmware: "bios", disks: [disk("scsi")] }, insp)).toMatchObject({ machine: "q35", blockBus: "sata" });
  expect(guestCapsFor(none, { firmware: "uefi", disks: [disk("ide")] }, insp)).toMatchObject({ machine: "q35" });
  expect(guestCapsFor(none, { firmware: "unknown", disks: [disk("ide")] }, { ...insp, firmware: "uefi" })).toMatchObject({ machine: "q35" });
});

test("no virtio-net: e1000, except Windows NT 5, whose in-box driver is the rtl8139's", () => {
  const windows = (majorVersion: number) => ({ osType: "windows", distro: "windows", majorVersion });
  expect(chooseGuestCaps(input({ inspection: windows(5) })).nicModel).toBe("rtl8139");
  expect(chooseGuestCaps(input({ inspection: windows(6) })).nicModel).toBe("e1000");
  expect(chooseGuestCaps(input({ inspection: { osType: "linux", distro: "debian", majorVersion: 3 } })).nicModel).toBe("e1000");
  expect(chooseGuestCaps(input({ inspection: windows(5), drivers: virtio })).nicModel).toBe("virtio-net");
});

test("isVirtioBus: the two virtio buses, not the emulated ones", () => {
  expect((["virtio-blk", "virtio-scsi", "sata", "ide"] as const).map(isVirtioBus)).toEqual([true, true, false, false]);
});
