// buildTargetMeta: names, firmware fallback, NIC models, disk sizes and device names.
import { expect, test } from "vitest";
import { buildTargetMeta, decideSecureBoot, keepConsistentTopology } from "../../../src/target/meta.js";
import type { GuestCaps } from "../../../src/model/types.js";
import { biosNoVirtio, biosVirtio, makeInspection, makeSource, uefiGuest } from "./meta-fixtures.js";

const caps: GuestCaps = {
  blockBus: "sata", nicModel: "e1000", machine: "q35", virtioDrivers: false, virtioRng: false, virtioBalloon: false, acpi: true,
};
const none = { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false };
const conversion = { converter: "linux", drivers: none, guestcaps: caps, changes: [], warnings: [] };

test("name: -on wins over the source name", () => {
  expect(uefiGuest().name).toBe("ubuntu-uefi");
  expect(biosVirtio().name).toBe("debian12-bios");
});

test("firmware: source unknown falls back to inspection; a declared source firmware wins", () => {
  expect(uefiGuest().firmware).toBe("uefi");
  expect(biosNoVirtio().firmware).toBe("bios");
  const meta = buildTargetMeta(makeSource({ firmware: "bios" }), makeInspection({ firmware: "uefi" }), conversion,
    { diskPaths: ["/o/guest-sda"] }, { format: "raw" }, [1024]);
  expect(meta.firmware).toBe("bios");
});

test("disks: overlay sizes, plan paths, the guestcaps bus and per-bus device names", () => {
  const meta = biosVirtio();
  expect(meta.disks.map((d) => [d.index, d.path, d.bus, d.deviceName, d.virtualSizeBytes])).toEqual([
    [0, "/srv/v2v out/it's,here/debian12-bios-sda", "virtio-blk", "vda", 8 * 1024 ** 3],
    [1, "/srv/v2v out/it's,here/debian12-bios-sdb", "virtio-blk", "vdb", 9 * 1024 ** 3],
  ]);
  expect(biosNoVirtio().disks[0]).toMatchObject({ bus: "ide", deviceName: "hda" });
});

test("NICs take the guestcaps model and keep MAC and network; no source NIC means none", () => {
  expect(biosVirtio().nics).toEqual([{ mac: "00:50:56:aa:bb:cc", model: "virtio-net", networkName: "VM Network", vnetType: "bridge" }]);
  expect(biosNoVirtio().nics).toEqual([{ model: "e1000", networkName: "default", vnetType: "network" }]);
  expect(uefiGuest().nics).toEqual([]);
});

test("a disk with neither an overlay size nor a source size is a programming error", () => {
  expect(() => buildTargetMeta(makeSource(), makeInspection(), conversion, { diskPaths: [undefined] }, { format: "raw" }, []))
    .toThrow(/no virtual size for disk 0/);
});

test("a CPU topology that does not multiply to the vCPU count is dropped", () => {
  expect(keepConsistentTopology(4, { sockets: 2, coresPerSocket: 2, threadsPerCore: 1 })).toEqual({ sockets: 2, coresPerSocket: 2, threadsPerCore: 1 });
  expect(keepConsistentTopology(4, { sockets: 1, coresPerSocket: 2, threadsPerCore: 1 })).toBeUndefined();
});

test("Secure Boot: only a UEFI target whose source had it; the key is absent otherwise", () => {
  expect(decideSecureBoot({ secureBoot: true }, "uefi")).toBe(true);
  expect(decideSecureBoot({ secureBoot: true }, "bios")).toBe(false);
  expect(decideSecureBoot({ secureBoot: false }, "uefi")).toBe(false);
  expect(decideSecureBoot({}, "uefi")).toBe(false);
  const build = (source: Parameters<typeof makeSource>[0], inspected: "bios" | "uefi") =>
    buildTargetMeta(makeSource(source), makeInspection({ firmware: inspected }), conversion, { diskPaths: ["/o/guest-sda"] }, { format: "raw" }, [1024]);
  expect(build({ firmware: "uefi", secureBoot: true }, "uefi").secureBoot).toBe(true);
  // A BIOS source (whatever its metadata claims), a source that said false, and -i disk (unknown, no key): none.
  for (const meta of [build({ firmware: "bios", secureBoot: true }, "uefi"), build({ firmware: "uefi", secureBoot: false }, "uefi"), build({ firmware: "unknown" }, "uefi")]) {
    expect("secureBoot" in meta).toBe(false);
  }
  expect("secureBoot" in uefiGuest()).toBe(false);
});
