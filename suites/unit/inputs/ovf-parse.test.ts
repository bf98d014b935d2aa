import { describe, expect, test } from "vitest";
import { parseAllocationUnits, parseOvf } from "../../../src/inputs/ovf-parse.js";
import { V2vError } from "../../../src/pipeline/errors.js";
import { makeOvf, readFixture } from "./ova-fixtures.js";

const MiB = 1024 * 1024;

function expectBadInput(f: () => unknown, text: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("BAD_INPUT");
    expect((e as V2vError).message).toMatch(text);
    return;
  }
  throw new Error("expected a BAD_INPUT error");
}

describe("parseOvf on a vSphere export (namespaces, 2 disks, SCSI + SATA, CD-ROM, vmxnet3, efi)", async () => {
  const xml = await readFixture("vmware-efi-two-disks.ovf");
  const ovf = parseOvf(xml, "testvm.ovf");

  test("reads name, memory, vCPUs and topology", () => {
    expect(ovf.name).toBe("testvm-efi");
    expect(ovf.memoryBytes).toBe(2048 * MiB);
    expect(ovf.vcpus).toBe(4);
    expect(ovf.cpuTopology).toEqual({ sockets: 2, coresPerSocket: 2, threadsPerCore: 1 });
  });

  test("firmware efi becomes uefi", () => {
    expect(ovf.firmware).toBe("uefi");
  });

  test("disks come in document order with controller, href and capacity", () => {
    expect(ovf.disks).toEqual([
      { diskId: "vmdisk1", href: "testvm-disk1.vmdk", compression: "none", controller: "scsi", virtualSizeBytes: 4 * MiB },
      { diskId: "vmdisk2", href: "testvm-disk2.vmdk", compression: "none", controller: "sata", virtualSizeBytes: 2 * MiB },
    ]);
  });

  test("NIC: Connection is a bridge name, MAC and model lower-cased", () => {
    expect(ovf.nics).toEqual([{ networkName: "VM Network", vnetType: "bridge", mac: "00:50:56:ab:cd:ef", sourceModel: "vmxnet3" }]);
  });

  test("the CD-ROM is counted as removable and nothing warns", () => {
    expect(ovf.removableCount).toBe(1);
    expect(ovf.warnings).toEqual([]);
  });
});

describe("parseOvf details", () => {
  test("AllocationUnits byte * 2^30 is GiB; no firmware key means bios; no Name is undefined", () => {
    const ovf = parseOvf(makeOvf([{ href: "a.vmdk" }], null), "x.ovf");
    expect(ovf.memoryBytes).toBe(1024 * MiB);
    expect(ovf.vcpus).toBe(2);
    expect(ovf.cpuTopology).toBeUndefined();
    expect(ovf.firmware).toBe("bios");
    expect(ovf.name).toBeUndefined();
    expect(ovf.nics).toEqual([{ networkName: "lan", vnetType: "bridge", sourceModel: "e1000" }]);
  });

  test("gzip compression is carried; other compressions are refused", () => {
    expect(parseOvf(makeOvf([{ href: "a.vmdk.gz", compression: "gzip" }]), "x.ovf").disks[0]?.compression).toBe("gzip");
    expectBadInput(() => parseOvf(makeOvf([{ href: "a.vmdk.xz", compression: "xz" }]), "x.ovf"), /compression "xz"/);
  });

  test("memory without AllocationUnits is MiB; unknown units warn and fall back to MiB", () => {
    const base = makeOvf([{ href: "a.vmdk" }]);
    const noUnits = base.replace("<rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits>", "");
    expect(parseOvf(noUnits, "x.ovf").memoryBytes).toBe(1 * MiB);
    const odd = parseOvf(base.replace("byte * 2^30", "furlongs"), "x.ovf");
    expect(odd.memoryBytes).toBe(1 * MiB);
    expect(odd.warnings.join("\n")).toMatch(/furlongs/);
  });

  test("CoresPerSocket that does not divide the vCPUs warns and drops the topology", () => {
    const xml = makeOvf([{ href: "a.vmdk" }]).replace(
      "<rasd:VirtualQuantity>2</rasd:VirtualQuantity>",
      "<rasd:VirtualQuantity>2</rasd:VirtualQuantity><vmw:CoresPerSocket ovf:required=\"false\">3</vmw:CoresPerSocket>",
    );
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.cpuTopology).toBeUndefined();
    expect(ovf.warnings.join("\n")).toMatch(/CoresPerSocket 3/);
  });

  test("a disk whose Parent is not a known controller warns and has no controller", () => {
    const xml = makeOvf([{ href: "a.vmdk" }]).replace("<rasd:Parent>3</rasd:Parent>", "<rasd:Parent>99</rasd:Parent>");
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.disks[0]?.controller).toBeUndefined();
    expect(ovf.warnings.join("\n")).toMatch(/Parent 99/);
  });

  test("unknown firmware value is refused", async () => {
    const xml = (await readFixture("vmware-efi-two-disks.ovf")).replace('vmw:value="efi"', 'vmw:value="coreboot"');
    expectBadInput(() => parseOvf(xml, "x.ovf"), /firmware "coreboot"/);
  });

  test("a HostResource naming a disk missing from DiskSection is refused", () => {
    const xml = makeOvf([{ href: "a.vmdk" }]).replace("ovf:/disk/d0</rasd:HostResource>", "ovf:/disk/nope</rasd:HostResource>");
    expectBadInput(() => parseOvf(xml, "x.ovf"), /"nope"/);
  });

  test("malformed XML is refused naming the file", () => {
    expectBadInput(() => parseOvf("<Envelope><VirtualSystem></Envelope>", "broken.ovf"), /^broken\.ovf: .*not well-formed/);
  });

  test("a document that is not an OVF is refused", () => {
    expectBadInput(() => parseOvf("<html><body/></html>", "page.ovf"), /no <Envelope>/);
  });
});

describe("parseAllocationUnits", () => {
  test.each([
    ["byte", 1],
    ["byte * 2^20", MiB],
    ["byte*2^30", 1024 * MiB],
    ["byte * 10^3", 1000],
    ["MegaBytes", MiB],
    ["GigaBytes", 1024 * MiB],
    ["hertz * 10^6", undefined],
  ])("%s", (units, expected) => {
    expect(parseAllocationUnits(units)).toBe(expected);
  });
});
