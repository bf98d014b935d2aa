import { describe, expect, test } from "vitest";
import { parseAllocationUnits, parseOvf } from "../../../src/inputs/ovf-parse.js";
import { V2vError } from "../../../src/model/errors.js";
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

  test("memory without AllocationUnits is MiB; unknown units are refused, not guessed", () => {
    const base = makeOvf([{ href: "a.vmdk" }]);
    const noUnits = base.replace("<rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits>", "");
    expect(parseOvf(noUnits, "x.ovf").memoryBytes).toBe(1 * MiB);
    expectBadInput(() => parseOvf(base.replace("byte * 2^30", "furlongs"), "x.ovf"), /^x\.ovf: the memory item's AllocationUnits "furlongs" is not a unit/);
  });

  test("an OVF without a memory or CPU item gets 1 GiB and 1 vCPU", () => {
    const xml = makeOvf([{ href: "a.vmdk" }])
      .replace(/<Item><rasd:InstanceID>1<\/rasd:InstanceID>.*?<\/Item>/, "")
      .replace(/<Item><rasd:AllocationUnits>.*?<\/Item>/, "");
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.memoryBytes).toBe(1024 * MiB);
    expect(ovf.vcpus).toBe(1);
  });

  test("CoresPerSocket that does not divide the vCPUs warns and drops the topology", () => {
    const xml = makeOvf([{ href: "a.vmdk" }]).replace(
      "<rasd:VirtualQuantity>2</rasd:VirtualQuantity>",
      "<rasd:VirtualQuantity>2</rasd:VirtualQuantity><vmw:CoresPerSocket ovf:required=\"false\">3</vmw:CoresPerSocket>",
    );
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.cpuTopology).toBeUndefined();
    expect(ovf.warnings.join("\n")).toMatch(/CoresPerSocket "3"/);
  });

  test("a disk whose Parent is not a known controller warns and has no controller", () => {
    const xml = makeOvf([{ href: "a.vmdk" }]).replace("<rasd:Parent>3</rasd:Parent>", "<rasd:Parent>99</rasd:Parent>");
    const ovf = parseOvf(xml, "x.ovf");
    expect(ovf.disks[0]?.controller).toBeUndefined();
    expect(ovf.warnings.join("\n")).toMatch(/Parent "99"/);
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

describe("parseOvf refuses what a crafted OVF carries (one line naming the file, the value escaped)", () => {
  const base = makeOvf([{ href: "a.vmdk" }, { href: "b.vmdk" }]);
  const cpuQuantity = "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity>";
  const memQuantity = "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity>";
  const nic = "<rasd:Connection>lan</rasd:Connection>";
  /** BAD_INPUT matching `text`, on one line, starting with the file name, with no raw control character. */
  const refused = (xml: string, text: RegExp): void => {
    expectBadInput(() => parseOvf(xml, "x.ovf"), text);
    const message = (() => { try { parseOvf(xml, "x.ovf"); } catch (e) { return (e as Error).message; } return ""; })();
    expect(message).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
    expect(message.startsWith("x.ovf: ")).toBe(true);
  };

  test("the fixtures used below parse", () => {
    expect(parseOvf(base, "x.ovf").disks.map((d) => d.diskId)).toEqual(["d0", "d1"]);
  });

  test("a DOCTYPE (entity expansion) is refused before any parsing", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>`;
    refused(base.replace(`<?xml version="1.0" encoding="UTF-8"?>`, laughs), /the OVF has a DOCTYPE declaration/);
    refused(base.replace("<References>", "<!ENTITY x SYSTEM \"file:///etc/passwd\"><References>"), /ENTITY declaration/);
  });

  test("deep nesting is refused by the linear pre-scan, without exhausting the stack", () => {
    const deep = (n: number): string => `${"<a>".repeat(n)}${"</a>".repeat(n)}`;
    refused(base.replace("<Info>A virtual machine</Info>", deep(65)), /nested more than 64 deep \(line \d+\)/);
    refused(deep(200_000), /nested more than 64 deep/);
    expect(() => parseOvf(base.replace("<Info>A virtual machine</Info>", deep(60)), "x.ovf")).not.toThrow();
  });

  test("huge values, huge tags and millions of nodes are refused", () => {
    refused(base.replace("<Info>disks</Info>", `<Info>${"x".repeat(70_000)}</Info>`), /a text value is longer than 65536 characters/);
    refused(base.replace('ovf:id="vm"', `ovf:id="${"v".repeat(70_000)}"`), /an attribute value is longer than 65536/);
    refused(base.replace("<Info>disks</Info>", `<![CDATA[${"c".repeat(70_000)}]]>`), /a CDATA section is longer/);
    refused(base.replace("<Info>disks</Info>", "<i/>".repeat(100_001)), /more than 100000 elements and attributes/);
    refused(`<Envelope ${"a".repeat(1024 * 1024 + 10)}/>`, /a start tag is longer/);
  });

  test("an exception from the XML library becomes BAD_INPUT", () => {
    refused(base.replace("<Info>disks</Info>", "<constructor>x</constructor>"), /could not be parsed as XML/);
  });

  test("MAC: normalised when valid; anything else refused, shown escaped", () => {
    const withMac = (mac: string): string => base.replace(nic, `${nic}<rasd:Address>${mac}</rasd:Address>`);
    expect(parseOvf(withMac("00-50-56-AB-CD-EF"), "x.ovf").nics[0]?.mac).toBe("00:50:56:ab:cd:ef");
    refused(withMac("00:50:56:ab:cd:ef,id=x"), /network adapter 1 has rasd:Address "00:50:56:ab:cd:ef,id=x", which is not a MAC address/);
    refused(withMac("00:50:56:ab:cd&#10;-device evil"), /rasd:Address "00:50:56:ab:cd\\n-device evil"/);
    refused(withMac("\x1b[31mred"), /rasd:Address "\\u001b\[31mred"/);
    refused(base.replace(nic, `${nic}<rasd:Address>00:50:56:ab:cd:ef</rasd:Address><rasd:Address>00:50:56:ab:cd:ee</rasd:Address>`), /the Address of network adapter 1 appears 2 times/);
  });

  test("memory: a positive whole number, in understood units, within 1 MiB .. 16 TiB", () => {
    for (const q of ["0", "-1", "1.5", "1e3", "0x10", "NaN", "Infinity", "99999999999999999999"]) {
      refused(base.replace(memQuantity, `<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>${q}</rasd:VirtualQuantity>`), /the memory item's VirtualQuantity "[^"]*" is not a positive whole number/);
    }
    refused(base.replace(memQuantity, "<rasd:ResourceType>4</rasd:ResourceType>"), /the memory item's VirtualQuantity is missing/);
    refused(base.replace(memQuantity, "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>16385</rasd:VirtualQuantity>").replace("byte * 2^30", "byte * 2^30"), /outside 1 MiB \.\. 16 TiB/);
    refused(base.replace("byte * 2^30", "byte"), /outside 1 MiB \.\. 16 TiB/);
    refused(base.replace("byte * 2^30", "byte * 2^9999"), /AllocationUnits "byte \* 2\^9999" is not a unit/);
    expect(parseOvf(base.replace(memQuantity, "<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>16384</rasd:VirtualQuantity>"), "x.ovf").memoryBytes).toBe(16 * 1024 ** 4);
  });

  test("vCPUs: a whole number from 1 to 4096, else refused (no silent 1)", () => {
    for (const q of ["0", "4097", "-2", "2.5", "two"]) {
      refused(base.replace(cpuQuantity, `<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>${q}</rasd:VirtualQuantity>`), /the CPU item's VirtualQuantity "[^"]*"; it must be a whole number of vCPUs from 1 to 4096/);
    }
    expect(parseOvf(base.replace(cpuQuantity, "<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>4096</rasd:VirtualQuantity>"), "x.ovf").vcpus).toBe(4096);
  });

  test("network and bridge names outside the allowed characters are refused", () => {
    refused(base.replace(nic, "<rasd:Connection>lan;$(reboot)</rasd:Connection>"), /network adapter 1 \(rasd:Connection\): the network name "lan;\$\(reboot\)" has characters/);
    refused(base.replace(nic, "<rasd:Connection>-netdev</rasd:Connection>"), /the network name "-netdev"/);
    refused(base.replace(nic, "<rasd:Connection>a&#10;b</rasd:Connection>"), /the network name "a\\nb"/);
    expect(parseOvf(base.replace(nic, "<rasd:Connection>DSwitch/PG-VLAN 60</rasd:Connection>"), "x.ovf").nics[0]?.networkName).toBe("DSwitch/PG-VLAN 60");
  });

  test("the guest name is returned as written (checked later, -on may replace it), but not past 4096 characters", () => {
    expect(parseOvf(makeOvf([{ href: "a.vmdk" }], "we&apos;ird $(name)"), "x.ovf").name).toBe("we'ird $(name)");
    refused(makeOvf([{ href: "a.vmdk" }], "n".repeat(4097)), /VirtualSystem\/Name is longer than 4096 characters/);
  });

  test("a stated disk capacity must be 1 byte .. 1 PiB in understood units", () => {
    const cap = /ovf:capacity="\d+" ovf:capacityAllocationUnits="byte \* 2\^20" ovf:diskId="d0"/;
    expect(base).toMatch(cap);
    for (const c of ["0", "-1", "abc", "${disk.size}", "1.5"]) {
      refused(base.replace(cap, `ovf:capacity="${c}" ovf:diskId="d0"`), /disk "d0" has ovf:capacity "[^"]*", not a positive whole number/);
    }
    refused(base.replace(cap, 'ovf:capacity="1" ovf:capacityAllocationUnits="furlongs" ovf:diskId="d0"'), /disk "d0" has ovf:capacityAllocationUnits "furlongs"/);
    refused(base.replace(cap, 'ovf:capacity="1025" ovf:capacityAllocationUnits="byte * 2^40" ovf:diskId="d0"'), /disk "d0" states a capacity of 1025 x 1099511627776 bytes, more than 1 PiB/);
    expect(parseOvf(base.replace(cap, 'ovf:capacity="1024" ovf:capacityAllocationUnits="byte * 2^40" ovf:diskId="d0"'), "x.ovf").disks[0]?.virtualSizeBytes).toBe(1024 ** 5);
    expect(parseOvf(base.replace(cap, 'ovf:diskId="d0"'), "x.ovf").disks[0]?.virtualSizeBytes).toBeUndefined();
  });

  test("duplicate ids, a file shared by two disks, a disk attached twice: refused naming the id", () => {
    refused(base.replace('ovf:diskId="d1"', 'ovf:diskId="d0"'), /two <Disk> elements in the DiskSection have ovf:diskId "d0"/);
    refused(base.replace('ovf:id="file1"', 'ovf:id="file0"'), /two <File> elements in <References> have ovf:id "file0"/);
    refused(base.replace('ovf:fileRef="file1"', 'ovf:fileRef="file0"'), /disks "d0" and "d1" both use file "file0" \(ovf:fileRef\)/);
    refused(base.replace("ovf:/disk/d1</rasd:HostResource>", "ovf:/disk/d0</rasd:HostResource>"), /disk "d0" is attached by two disk items/);
    refused(base.replace("ovf:/disk/d1</rasd:HostResource>", "ovf:/file/file0</rasd:HostResource>"), /file "file0" is used by two disk items/);
    refused(base.replace('ovf:href="b.vmdk"', 'ovf:href="a.vmdk"'), /two disks use the same file "a\.vmdk" \(ovf:href\)/);
  });

  test("at most 256 disks and 256 NICs", () => {
    const many = makeOvf(Array.from({ length: 257 }, (_, i) => ({ href: `d${i}.vmdk` })));
    refused(many, /the OVF has 257 disk items; at most 256/);
    expect(parseOvf(makeOvf(Array.from({ length: 256 }, (_, i) => ({ href: `d${i}.vmdk` }))), "x.ovf").disks).toHaveLength(256);
    const nicItem = `<Item>${nic}<rasd:InstanceID>20</rasd:InstanceID><rasd:ResourceType>10</rasd:ResourceType></Item>`;
    refused(base.replace("</VirtualHardwareSection>", `${nicItem.repeat(256)}</VirtualHardwareSection>`), /the OVF has 257 network adapters; at most 256/);
  });

  test("the file name in messages is escaped too", () => {
    expect(() => parseOvf("<html/>", "evil\x1b[2J.ovf")).toThrow(/^evil\\x1b\[2J\.ovf: no <Envelope>/);
  });
});
