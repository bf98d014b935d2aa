// parseOvf on the hardware that the first mutation run found untested (issue 7): an NVMe
// controller beside a SATA one, a non-square CPU topology, removable drives of each kind, NICs with
// and without a Connection, no memory item, and chunked disk files. Each test names the wrong
// reading it rules out.
import { describe, expect, test } from "vitest";
import { parseOvf } from "../../../src/inputs/ovf-parse.js";
import { V2vError } from "../../../src/model/errors.js";
import { makeOvf, readFixture } from "./ova-fixtures.js";

const MiB = 1024 * 1024;

/** The one-line BAD_INPUT that parsing `xml` throws. */
function refusal(xml: string, file = "x.ovf"): V2vError {
  try {
    parseOvf(xml, file);
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("BAD_INPUT");
    return e as V2vError;
  }
  throw new Error("expected parseOvf to refuse the OVF");
}

/** A hardware item of `type` (and optional extra rasd elements) inserted into makeOvf's section. */
const withItems = (xml: string, ...items: string[]): string =>
  xml.replace("</VirtualHardwareSection>", `${items.join("")}</VirtualHardwareSection>`);
const item = (id: number, type: number, extra = ""): string =>
  `<Item><rasd:InstanceID>${id}</rasd:InstanceID><rasd:ResourceType>${type}</rasd:ResourceType>${extra}</Item>`;

describe("a vSphere 8 export: NVMe + SATA, 2 sockets x 3 cores, floppy + CD-ROM + DVD, 3 NICs, no memory item", async () => {
  const ovf = parseOvf(await readFixture("vmware-nvme-three-nics.ovf"), "nvmevm.ovf");

  test("the disk on the NVMe controller is nvme and the one on the SATA controller is sata (both are ResourceType 20)", () => {
    expect(ovf.disks.map((d) => [d.diskId, d.controller])).toEqual([["vmdisk1", "nvme"], ["vmdisk2", "sata"]]);
    expect(ovf.warnings).toEqual([]);
  });

  test("6 vCPUs with 3 cores per socket are 2 sockets of 3 cores, not 3 sockets of 2", () => {
    expect(ovf.vcpus).toBe(6);
    expect(ovf.cpuTopology).toEqual({ sockets: 2, coresPerSocket: 3, threadsPerCore: 1 });
  });

  test("a floppy, a CD-ROM and a DVD drive are 3 removable devices", () => {
    expect(ovf.removableCount).toBe(3);
  });

  test("no memory item: 1 GiB, as virt-v2v (not the CPU's quantity nor another item's)", () => {
    expect(ovf.memoryBytes).toBe(1024 * MiB);
  });

  test("NICs keep their order; the one without a Connection is 'eth1' on a network, the others bridges", () => {
    expect(ovf.nics).toEqual([
      { networkName: "VM Network", vnetType: "bridge", mac: "00:50:56:01:02:03", sourceModel: "vmxnet3" },
      { networkName: "eth1", vnetType: "network", sourceModel: "e1000e" },
      { networkName: "Storage VLAN 12", vnetType: "bridge", mac: "00:50:56:01:02:05", sourceModel: "vmxnet3" },
    ]);
  });

  test("the other facts of the fixture read as written", () => {
    expect(ovf.name).toBe("nvmevm");
    expect(ovf.firmware).toBe("uefi");
    expect(ovf.disks.map((d) => d.virtualSizeBytes)).toEqual([8 * MiB, 3 * MiB]);
  });
});

describe("controllers", () => {
  const base = makeOvf([{ href: "a.vmdk" }]);
  const onController = (controller: string): string | undefined =>
    parseOvf(base.replace(item(3, 6), controller), "x.ovf").disks[0]?.controller;

  test("ResourceType 20 is nvme only when its ResourceSubType says so (in any case), else sata", () => {
    expect(onController(item(3, 20, "<rasd:ResourceSubType>vmware.nvme.controller</rasd:ResourceSubType>"))).toBe("nvme");
    expect(onController(item(3, 20, "<rasd:ResourceSubType>NVMe</rasd:ResourceSubType>"))).toBe("nvme");
    expect(onController(item(3, 20, "<rasd:ResourceSubType>vmware.sata.ahci</rasd:ResourceSubType>"))).toBe("sata");
    expect(onController(item(3, 20))).toBe("sata");
  });

  test("ResourceType 5 is ide and 6 is scsi", () => {
    expect(onController(item(3, 5))).toBe("ide");
    expect(onController(item(3, 6))).toBe("scsi");
  });

  test("a disk without a Parent has no controller and no warning", () => {
    const ovf = parseOvf(base.replace("<rasd:Parent>3</rasd:Parent>", ""), "x.ovf");
    expect(ovf.disks[0]?.controller).toBeUndefined();
    expect(ovf.warnings).toEqual([]);
  });

  test("a Parent of an unknown type warns naming the disk and the type", () => {
    const ovf = parseOvf(base.replace(item(3, 6), item(3, 24)).replace("<rasd:ResourceType>17</rasd:ResourceType>", "<rasd:ResourceType>17</rasd:ResourceType><rasd:ElementName>Hard disk 1</rasd:ElementName>"), "x.ovf");
    expect(ovf.disks[0]?.controller).toBeUndefined();
    expect(ovf.warnings).toEqual([`"Hard disk 1": its controller (Parent "3") is of unknown ResourceType "24"; no source controller recorded`]);
  });
});

describe("CPU topology", () => {
  const cpu = (vcpus: number, cps?: string): string =>
    makeOvf([{ href: "a.vmdk" }]).replace(
      "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity>",
      `<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>${vcpus}</rasd:VirtualQuantity>${cps === undefined ? "" : `<vmw:CoresPerSocket ovf:required="false">${cps}</vmw:CoresPerSocket>`}`,
    );

  test.each([
    [6, "3", { sockets: 2, coresPerSocket: 3 }],
    [6, "2", { sockets: 3, coresPerSocket: 2 }],
    [8, "8", { sockets: 1, coresPerSocket: 8 }],
    [8, "1", { sockets: 8, coresPerSocket: 1 }],
  ])("%i vCPUs, %s cores per socket", (vcpus, cps, topo) => {
    const ovf = parseOvf(cpu(vcpus, cps), "x.ovf");
    expect(ovf.vcpus).toBe(vcpus);
    expect(ovf.cpuTopology).toEqual({ ...topo, threadsPerCore: 1 });
    expect(ovf.warnings).toEqual([]);
  });

  test.each(["0", "4", "-3", "1.5", "three"])("CoresPerSocket %s that does not divide 6 vCPUs drops the topology with a warning", (cps) => {
    const ovf = parseOvf(cpu(6, cps), "x.ovf");
    expect(ovf.vcpus).toBe(6);
    expect(ovf.cpuTopology).toBeUndefined();
    expect(ovf.warnings).toEqual([`CoresPerSocket "${cps}" in the OVF does not divide 6 vCPUs; the CPU topology is ignored`]);
  });

  test("no CoresPerSocket: no topology, no warning", () => {
    const ovf = parseOvf(cpu(6), "x.ovf");
    expect(ovf.cpuTopology).toBeUndefined();
    expect(ovf.warnings).toEqual([]);
  });
});

describe("removable drives", () => {
  const base = makeOvf([{ href: "a.vmdk" }]);
  test.each([
    ["a floppy", [14], 1],
    ["a CD-ROM", [15], 1],
    ["a DVD", [16], 1],
    ["two floppies", [14, 14], 2],
    ["a floppy, a CD-ROM and a DVD", [14, 15, 16], 3],
    ["a sound card, a USB controller and a video card (not removable media)", [35, 23, 24], 0],
  ])("%s", (_what, types, count) => {
    expect(parseOvf(withItems(base, ...types.map((t, i) => item(30 + i, t))), "x.ovf").removableCount).toBe(count);
  });

  test("an OVF without any has none", () => {
    expect(parseOvf(base, "x.ovf").removableCount).toBe(0);
  });
});

describe("NICs", () => {
  const noNic = makeOvf([{ href: "a.vmdk" }]).replace(/<Item><rasd:Connection>lan<\/rasd:Connection>.*?<\/Item>/, "");
  const nic = (id: number, extra: string): string => item(id, 10, extra);

  test("the fixture without its NIC has none", () => {
    expect(parseOvf(noNic, "x.ovf").nics).toEqual([]);
  });

  test("a NIC without a Connection is named ethN after its position, on a network (not a bridge)", () => {
    const ovf = parseOvf(withItems(noNic, nic(20, "")), "x.ovf");
    expect(ovf.nics).toEqual([{ networkName: "eth0", vnetType: "network" }]);
  });

  test("four NICs keep document order, names, MACs and models; only the unconnected ones are ethN", () => {
    const ovf = parseOvf(withItems(
      noNic,
      nic(20, "<rasd:Connection>Prod</rasd:Connection><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>"),
      nic(21, "<rasd:Address>00:50:56:00:00:02</rasd:Address>"),
      nic(22, "<rasd:Connection>Backup</rasd:Connection><rasd:Address>00:50:56:00:00:03</rasd:Address>"),
      nic(23, "<rasd:ResourceSubType>E1000</rasd:ResourceSubType>"),
    ), "x.ovf");
    expect(ovf.nics).toEqual([
      { networkName: "Prod", vnetType: "bridge", sourceModel: "vmxnet3" },
      { networkName: "eth1", vnetType: "network", mac: "00:50:56:00:00:02" },
      { networkName: "Backup", vnetType: "bridge", mac: "00:50:56:00:00:03" },
      { networkName: "eth3", vnetType: "network", sourceModel: "e1000" },
    ]);
  });

  test("OVF 2.0 EthernetPortItems are NICs too", () => {
    const port = "<EthernetPortItem><epasd:Connection xmlns:epasd=\"urn:x\">Lab</epasd:Connection><epasd:InstanceID xmlns:epasd=\"urn:x\">40</epasd:InstanceID><epasd:ResourceType xmlns:epasd=\"urn:x\">10</epasd:ResourceType></EthernetPortItem>";
    expect(parseOvf(withItems(noNic, port), "x.ovf").nics).toEqual([{ networkName: "Lab", vnetType: "bridge" }]);
  });

  test("a second Connection on one NIC is refused, naming the adapter", () => {
    const xml = withItems(noNic, nic(20, "<rasd:Connection>a</rasd:Connection><rasd:Connection>b</rasd:Connection>"));
    expect(refusal(xml).message).toMatch(/^x\.ovf: the Connection of network adapter 1 appears 2 times/);
  });
});

describe("memory", () => {
  const base = makeOvf([{ href: "a.vmdk" }]);
  const memoryItem = /<Item><rasd:AllocationUnits>byte \* 2\^30<\/rasd:AllocationUnits>.*?<\/Item>/;

  test("the fixture's memory item is 3 GiB when it says 3 (so the default below is not the item read back)", () => {
    expect(base).toMatch(memoryItem);
    const three = base.replace("<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1<", "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>3<");
    expect(parseOvf(three, "x.ovf").memoryBytes).toBe(3 * 1024 * MiB);
  });

  test("without a memory item: exactly 1 GiB, whatever the CPU item says", () => {
    const xml = base.replace(memoryItem, "").replace(
      "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2<",
      "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>16<",
    );
    expect(xml).not.toMatch(/<rasd:ResourceType>4</);
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.memoryBytes).toBe(1024 * MiB);
    expect(ovf.vcpus).toBe(16);
  });

  test("units: KiloBytes, MB and 'byte * 2^20' multiply the quantity", () => {
    const units = (u: string, q: number): number =>
      parseOvf(base.replace("byte * 2^30", u).replace("<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1<", `<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>${q}<`), "x.ovf").memoryBytes;
    expect(units("KiloBytes", 4096)).toBe(4 * MiB);
    expect(units("MB", 768)).toBe(768 * MiB);
    expect(units("byte * 2^20", 1536)).toBe(1536 * MiB);
  });
});

describe("chunked disk files (ovf:chunkSize)", () => {
  test("are refused naming the file and the fix, not read as one file", async () => {
    const e = refusal(await readFixture("vmware-chunked.refused.ovf"), "chunkvm.ovf");
    expect(e.message).toBe(
      'chunkvm.ovf: file "chunkvm-disk1.vmdk" is split into chunks (ovf:chunkSize), which is not supported; concatenate the chunks and edit the OVF',
    );
  });

  test("the same OVF without chunkSize parses (the refusal is about the chunks alone)", async () => {
    const ovf = parseOvf((await readFixture("vmware-chunked.refused.ovf")).replace(' ovf:chunkSize="1048576"', ""), "chunkvm.ovf");
    expect(ovf.disks).toEqual([{ diskId: "vmdisk1", href: "chunkvm-disk1.vmdk", compression: "none", controller: "scsi", virtualSizeBytes: 4 * MiB }]);
    expect(ovf.memoryBytes).toBe(512 * MiB);
  });
});
