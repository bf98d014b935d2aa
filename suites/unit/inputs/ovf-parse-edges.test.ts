// parseOvf at the edges Stryker found unguarded: documents missing a section, limits at exactly
// the bound, each duplicated element named in its refusal, empty disks, controller warnings,
// HostResource spellings, and keys that must be absent (not present as undefined).
import { describe, expect, test } from "vitest";
import { parseAllocationUnits, parseOvf } from "../../../src/inputs/ovf-parse.js";
import { V2vError } from "../../../src/model/errors.js";
import { makeOvf } from "./ova-fixtures.js";

const MiB = 1024 * 1024;
const base = makeOvf([{ href: "a.vmdk" }]);

/** The message of the BAD_INPUT parsing `xml` throws. */
function refusal(xml: string): string {
  try {
    parseOvf(xml, "x.ovf");
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("BAD_INPUT");
    return (e as V2vError).message;
  }
  throw new Error("expected parseOvf to refuse the OVF");
}
const hw = (items: string): string => base.replace("</VirtualHardwareSection>", `${items}</VirtualHardwareSection>`);

describe("documents missing a part", () => {
  test("several virtual machines (VirtualSystemCollection) are refused with the fix", () => {
    const xml = base.replace('<VirtualSystem ovf:id="vm">', '<VirtualSystemCollection ovf:id="c"/><VirtualSystem ovf:id="vm">');
    expect(refusal(xml)).toBe("x.ovf: the OVF describes several virtual machines (VirtualSystemCollection); export each VM as its own OVA");
  });

  test("no VirtualSystem, or no VirtualHardwareSection, is refused naming what is missing", () => {
    expect(refusal(base.replace(/<VirtualSystem [\s\S]*<\/VirtualSystem>/, ""))).toBe("x.ovf: no <VirtualSystem> element; the OVF describes no virtual machine");
    expect(refusal(base.replace(/<VirtualHardwareSection>[\s\S]*<\/VirtualHardwareSection>/, ""))).toBe(
      "x.ovf: no <VirtualHardwareSection>; the OVF describes no virtual hardware",
    );
  });

  test("no References, no DiskSection and no disk item: a VM without disks (the OVA input refuses that later)", () => {
    const xml = base.replace(/<References>.*<\/References>/, "").replace(/<DiskSection>.*<\/DiskSection>/, "").replace(/<Item><rasd:HostResource>.*?<\/Item>/, "");
    expect(parseOvf(xml, "x.ovf").disks).toEqual([]);
  });

  test("a disk item whose disk has no file (an empty disk) is skipped with a warning; two such disks are no conflict", () => {
    const xml = makeOvf([{ href: "a.vmdk" }, { href: "b.vmdk" }, { href: "c.vmdk" }])
      .replace(' ovf:fileRef="file1"', "").replace(' ovf:fileRef="file2"', "");
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.disks.map((d) => d.diskId)).toEqual(["d0"]);
    expect(ovf.warnings).toEqual([
      'disk "d1" in the OVF has no file (an empty disk to be created); it is skipped',
      'disk "d2" in the OVF has no file (an empty disk to be created); it is skipped',
    ]);
  });

  test("Files without an id are not indexed (and two of them are no duplicate)", () => {
    const xml = base.replace("<References>", '<References><File ovf:href="x.iso"/><File ovf:href="y.iso"/>');
    expect(parseOvf(xml, "x.ovf").disks.map((d) => d.href)).toEqual(["a.vmdk"]);
  });

  test("a disk naming a file missing from References, or a File without href, is refused", () => {
    expect(refusal(base.replace('ovf:fileRef="file0"', 'ovf:fileRef="file9"'))).toBe(
      'x.ovf: disk "d0" refers to file "file9", which is not in <References>; the OVF is inconsistent',
    );
    expect(refusal(base.replace('<File ovf:href="a.vmdk" ovf:id="file0"/>', '<File ovf:id="file0"/>'))).toMatch(/disk "d0" refers to file "file0", which is not in <References>/);
  });
});

describe("limits, exactly at the bound", () => {
  test("256 NICs and a 4096-character name are accepted", () => {
    const nic = (i: number): string => `<Item><rasd:InstanceID>${100 + i}</rasd:InstanceID><rasd:ResourceType>10</rasd:ResourceType></Item>`;
    const ovf = parseOvf(hw(Array.from({ length: 255 }, (_, i) => nic(i)).join("")), "x.ovf");
    expect(ovf.nics).toHaveLength(256);
    expect(ovf.nics[255]).toEqual({ networkName: "eth255", vnetType: "network" });
    expect(parseOvf(makeOvf([{ href: "a.vmdk" }], "n".repeat(4096)), "x.ovf").name).toHaveLength(4096);
  });

  test("a DiskSection of more than 256 disks is refused, even when few are attached", () => {
    const disks = Array.from({ length: 257 }, (_, i) => `<Disk ovf:capacity="1" ovf:diskId="e${i}"/>`).join("");
    expect(refusal(base.replace("<Info>disks</Info>", `<Info>disks</Info>${disks}`))).toMatch(/^x\.ovf: the DiskSection lists 258 disks; at most 256 are supported/);
  });
});

describe("each element that must appear once is named when it appears twice", () => {
  test.each([
    ["the memory VirtualQuantity", "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity>", "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity><rasd:VirtualQuantity>2</rasd:VirtualQuantity>"],
    ["the memory AllocationUnits", "<rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits>", "<rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits><rasd:AllocationUnits>byte</rasd:AllocationUnits>"],
    ["the CPU VirtualQuantity", "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity><rasd:VirtualQuantity>4</rasd:VirtualQuantity>"],
    ["the disk HostResource", "<rasd:HostResource>ovf:/disk/d0</rasd:HostResource>", "<rasd:HostResource>ovf:/disk/d0</rasd:HostResource><rasd:HostResource>ovf:/disk/d0</rasd:HostResource>"],
    ["VirtualSystem/Name", "<Name>small</Name>", "<Name>small</Name><Name>big</Name>"],
  ])("%s", (where, from, to) => {
    expect(base).toContain(from);
    expect(refusal(base.replace(from, to))).toBe(`x.ovf: ${where} appears 2 times; it must appear once: fix the OVF or export the VM again`);
  });

  test("a CPU item without VirtualQuantity says it is missing", () => {
    expect(refusal(base.replace("<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:ResourceType>3</rasd:ResourceType>")))
      .toBe("x.ovf: the CPU item's VirtualQuantity is missing; it must be a whole number of vCPUs from 1 to 4096: fix the OVF or export the VM again");
  });
});

describe("values around the text", () => {
  test("whitespace around a value is not part of it; an all-blank Connection is no Connection", () => {
    const xml = base
      .replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>\n  2\n</rasd:VirtualQuantity>")
      .replace("<rasd:Connection>lan</rasd:Connection>", "<rasd:Connection>   </rasd:Connection>");
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.vcpus).toBe(2);
    expect(ovf.nics).toEqual([{ networkName: "eth0", vnetType: "network", sourceModel: "e1000" }]);
  });

  test("an element with attributes is read by its text", () => {
    expect(parseOvf(base.replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", '<rasd:VirtualQuantity ovf:required="true">3</rasd:VirtualQuantity>'), "x.ovf").vcpus).toBe(3);
  });

  test("a firmware key without a value is bios", () => {
    expect(parseOvf(hw('<vmw:Config ovf:required="false" vmw:key="firmware"/>'), "x.ovf").firmware).toBe("bios");
    expect(parseOvf(hw('<vmw:Config vmw:key="firmware" vmw:value="EFI"/>'), "x.ovf").firmware).toBe("uefi");
  });
});

describe("HostResource", () => {
  test("with or without the ovf: prefix, and ovf:/file/ID naming the File directly", () => {
    expect(parseOvf(base.replace("ovf:/disk/d0<", "/disk/d0<"), "x.ovf").disks[0]?.diskId).toBe("d0");
    expect(parseOvf(base.replace("ovf:/disk/d0<", "ovf:/file/file0<"), "x.ovf").disks[0]).toStrictEqual({
      diskId: "file0", href: "a.vmdk", compression: "none", controller: "scsi",
    });
  });

  test.each(["ovf:/network/lan", "xovf:/disk/d0", "disk/d0", ""])("%j is refused", (host) => {
    expect(refusal(base.replace("<rasd:HostResource>ovf:/disk/d0</rasd:HostResource>", `<rasd:HostResource>${host}</rasd:HostResource>`)))
      .toBe(`x.ovf: a disk item has HostResource "${host}", expected "ovf:/disk/ID"; the OVF is not supported`);
  });
});

describe("OVF 2.0 items", () => {
  test("a StorageItem disk is read like an Item", () => {
    const xml = base.replace(/<Item><rasd:HostResource>(.*?)<\/Item>/, "<StorageItem><rasd:HostResource>$1</StorageItem>");
    expect(xml).toContain("<StorageItem>");
    expect(parseOvf(xml, "x.ovf").disks.map((d) => [d.diskId, d.controller])).toEqual([["d0", "scsi"]]);
  });
});

describe("controller warnings name the disk as well as they can", () => {
  test("by InstanceID when it has no ElementName; a Parent missing from the OVF says so", () => {
    const ovf = parseOvf(base.replace("<rasd:Parent>3</rasd:Parent>", "<rasd:Parent>99</rasd:Parent>"), "x.ovf");
    expect(ovf.warnings).toEqual(['InstanceID "10": its controller (Parent "99") is not in the OVF; no source controller recorded']);
  });

  test("a controller without ResourceType, and a disk without InstanceID", () => {
    const xml = base.replace("<Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>6</rasd:ResourceType></Item>", "<Item><rasd:InstanceID>3</rasd:InstanceID></Item>")
      .replace("<rasd:InstanceID>10</rasd:InstanceID>", "");
    expect(parseOvf(xml, "x.ovf").warnings).toEqual(['InstanceID "?": its controller (Parent "3") is of unknown ResourceType "(none)"; no source controller recorded']);
  });
});

describe("absent facts are absent keys, not keys holding undefined", () => {
  test("no Name, no capacity, no controller, no topology", () => {
    const xml = makeOvf([{ href: "a.vmdk" }], null).replace(/ ovf:capacity="4" ovf:capacityAllocationUnits="byte \* 2\^20"/, "").replace("<rasd:Parent>3</rasd:Parent>", "");
    const ovf = parseOvf(xml, "x.ovf");
    expect(Object.keys(ovf).sort()).toEqual(["disks", "firmware", "memoryBytes", "nics", "removableCount", "vcpus", "warnings"]);
    expect(ovf.disks[0]).toStrictEqual({ diskId: "d0", href: "a.vmdk", compression: "none" });
  });
});

describe("messages quote what they refuse", () => {
  test("malformed XML is reported as such, not re-wrapped as an exception of the XML library", () => {
    expect(refusal("<Envelope><VirtualSystem></Envelope>")).toMatch(/^x\.ovf: the OVF is not well-formed XML \(line 1: .*\); the OVA may be corrupt, download it again$/);
  });
});

describe("parseAllocationUnits, more spellings", () => {
  test.each([
    ["kb", 1024], ["KB", 1024], ["KiloBytes", 1024], ["mb", MiB], ["gb", 1024 * MiB],
    ["  byte * 2^20  ", MiB], ["byte * 2 ^ 20", MiB], ["BYTE*2^10", 1024],
    ["byte * 2^20 extra", undefined], ["xbyte", undefined], ["byte * 0^5", undefined], ["bytes", undefined], ["", undefined],
  ])("%j", (units, expected) => {
    expect(parseAllocationUnits(units)).toBe(expected);
  });
});
