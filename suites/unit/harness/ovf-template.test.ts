// The OVF we package reference guests with: a golden rendering, and a round trip through our own
// OVF and manifest parsers (what -i ova will read back).
import { describe, expect, test } from "vitest";
import { findRecipe, validateRecipe } from "../../../src/harness/guests/recipes.js";
import { escapeXml, renderManifest, renderOvf } from "../../../src/harness/guests/ovf-template.js";
import { parseOvf } from "../../../src/inputs/ovf-parse.js";
import { parseManifest } from "../../../src/inputs/manifest.js";

const GiB = 1024 ** 3;
const disk1 = { fileName: "debian-12-bios-disk1.vmdk", fileSizeBytes: 812_345_344, capacityBytes: 4 * GiB };

describe("renderOvf", () => {
  test("debian-12-bios matches the golden descriptor", async () => {
    await expect(renderOvf(findRecipe("debian-12-bios"), [disk1])).toMatchFileSnapshot("golden/debian-12-bios.ovf");
  });

  test("parses back to 1 vCPU, 1 GiB, one SCSI disk, an E1000 on VM Network, BIOS", () => {
    const p = parseOvf(renderOvf(findRecipe("debian-12-bios"), [disk1]), "debian-12-bios.ovf");
    expect(p).toMatchObject({ name: "debian-12-bios", vcpus: 1, memoryBytes: 1024 * 1024 * 1024, firmware: "bios", removableCount: 0, warnings: [] });
    expect(p.disks).toEqual([{ diskId: "vmdisk1", href: disk1.fileName, compression: "none", controller: "scsi", virtualSizeBytes: 4 * GiB }]);
    expect(p.nics).toEqual([{ networkName: "VM Network", vnetType: "bridge", sourceModel: "e1000" }]);
  });

  test("UEFI and a second disk of an odd size", () => {
    const disk2 = { fileName: "g-disk2.vmdk", fileSizeBytes: 1000, capacityBytes: 1536 * 1024 * 1024 + 512 };
    const p = parseOvf(renderOvf(findRecipe("debian-12-uefi"), [disk1, disk2]), "x.ovf");
    expect(p.firmware).toBe("uefi");
    expect(p.disks.map((d) => [d.href, d.virtualSizeBytes, d.controller])).toEqual([[disk1.fileName, 4 * GiB, "scsi"], ["g-disk2.vmdk", 1536 * 1024 * 1024 + 512, "scsi"]]);
  });

  test("windows-11-uefi declares Secure Boot: the OVF carries uefi.secureBoot.enabled and -i ova reads it back", () => {
    const r = findRecipe("windows-11-uefi");
    expect(r.secureBoot).toBe(true);
    const ovf = renderOvf(r, [disk1]);
    expect(ovf).toContain('<vmw:Config ovf:required="false" vmw:key="uefi.secureBoot.enabled" vmw:value="true"/>');
    expect(parseOvf(ovf, "w.ovf")).toMatchObject({ firmware: "uefi", secureBoot: true, warnings: [] });
  });

  test("no other reference guest's OVF mentions Secure Boot (their cache keys and conversions are unchanged)", () => {
    for (const name of ["debian-12-bios", "debian-12-uefi", "windows-2022-uefi", "windows-10-uefi", "windows-7-bios"] as const) {
      const ovf = renderOvf(findRecipe(name), [disk1]);
      expect(ovf, name).not.toMatch(/secureBoot/i);
      expect("secureBoot" in parseOvf(ovf, "x.ovf"), name).toBe(false);
    }
  });

  test("a recipe that declares Secure Boot with BIOS firmware is refused", () => {
    const bad = { ...findRecipe("windows-10-bios"), secureBoot: true };
    expect(validateRecipe(bad)).toEqual(['recipe "windows-10-bios": secureBoot needs firmware uefi (VMware offers Secure Boot only with EFI)']);
  });

  test("XML special characters are escaped", () => {
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });
});

test("renderManifest lines read back with the -i ova manifest parser", () => {
  const digest = "0123456789abcdef".repeat(4);
  const m = parseManifest(renderManifest([{ fileName: "g.ovf", sha256: digest }, { fileName: "g-disk1.vmdk", sha256: digest }]));
  expect(m.badLines).toEqual([]);
  expect(m.entries).toEqual([{ file: "g.ovf", algorithm: "sha256", digest }, { file: "g-disk1.vmdk", algorithm: "sha256", digest }]);
});
