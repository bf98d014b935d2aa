import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { renderSource } from "../../../src/inputs/print-source.js";
import type { Source } from "../../../src/model/types.js";
import { FIXTURES } from "./ova-fixtures.js";

const golden = (name: string): Promise<string> => readFile(join(FIXTURES, name), "utf8");

test("renderSource: -i disk style source (no topology, no controller, no removable media)", async () => {
  const source: Source = {
    name: "fedora",
    hypervisor: "unknown",
    memoryBytes: 2 * 1024 * 1024 * 1024,
    vcpus: 1,
    firmware: "unknown",
    disks: [
      { index: 0, image: { kind: "checked", qemuUri: "/images/fedora-sda", format: "raw", chain: [], virtualSizeBytes: 1 }, displayName: "/images/fedora-sda" },
      { index: 1, image: { kind: "checked", qemuUri: "/images/data.qcow2", format: "qcow2", chain: [], virtualSizeBytes: 1 }, displayName: "data.qcow2", controller: "virtio-blk" },
    ],
    nics: [
      { networkName: "default", vnetType: "network" },
      { networkName: "lan", vnetType: "network", mac: "52:54:00:12:34:56", sourceModel: "virtio" },
    ],
    removableCount: 0,
  };
  expect(renderSource(source)).toBe(await golden("print-source-disk.expected"));
});

test("renderSource: topology, bridge NIC and removable media", () => {
  const text = renderSource({
    name: "w", hypervisor: "vmware", memoryBytes: 1073741824, vcpus: 8, firmware: "bios",
    cpuTopology: { sockets: 2, coresPerSocket: 2, threadsPerCore: 2 },
    disks: [], nics: [{ networkName: "PG-VLAN60", vnetType: "bridge", sourceModel: "e1000" }], removableCount: 2,
  });
  expect(text.split("\n")).toEqual(expect.arrayContaining([
    "   CPU topology: sockets: 2 cores/socket: 2 threads/core: 2",
    "\t2 CD-ROM/floppy device(s), not converted",
    "\tBridge \"PG-VLAN60\" [e1000]",
  ]));
});

test("renderSource: a backing chain and VMDK extents are listed under their disk; a gzip disk says it is not opened yet", () => {
  const text = renderSource({
    name: "c", hypervisor: "unknown", memoryBytes: 1073741824, vcpus: 1, firmware: "unknown",
    disks: [
      {
        index: 0, displayName: "/images/top.qcow2",
        image: {
          kind: "checked", qemuUri: "json:{}", format: "qcow2", virtualSizeBytes: 1,
          chain: [{ label: "/images/top.qcow2", format: "qcow2" }, { label: "/images/desc.vmdk", format: "vmdk", extents: ["desc-flat.vmdk"] }],
        },
      },
      { index: 1, displayName: "x.ova:d.vmdk.gz", controller: "scsi", image: { kind: "gzip", path: "/x.ova", offsetBytes: 512, sizeBytes: 10 } },
    ],
    nics: [], removableCount: 0,
  });
  expect(text).toContain([
    "disks:",
    "\t0 /images/top.qcow2",
    "\t    backing: /images/desc.vmdk (vmdk)",
    "\t    extent: desc-flat.vmdk",
    "\t1 [scsi] x.ova:d.vmdk.gz (gzip-compressed: inflated and checked after --print-source)",
    "removable media:",
  ].join("\n"));
});

test("renderSource: every value from the OVF or the image is escaped, one line each", () => {
  const evil = "a\x1b[2J\nNICs:\r\u202e\"q\"";
  const text = renderSource({
    name: evil, hypervisor: "vmware", memoryBytes: 1073741824, vcpus: 1, firmware: "bios",
    disks: [{
      index: 0, displayName: evil,
      image: { kind: "checked", qemuUri: "json:{}", format: "raw", virtualSizeBytes: 1, chain: [{ label: evil, format: "raw" }, { label: evil, format: "raw", extents: [evil] }] },
    }],
    nics: [{ networkName: evil, vnetType: "bridge", mac: evil, sourceModel: evil }], removableCount: 0,
  });
  const e = "a\\x1b[2J\\nNICs:\\r\\u{202e}\"q\"";
  expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
  expect(text.split("\n")).toEqual(expect.arrayContaining([
    `    source name: ${e}`,
    `\t0 ${e}`,
    `\t    backing: ${e} (raw)`,
    `\t    extent: ${e}`,
    `\tBridge "a\\u001b[2J\\nNICs:\\r\\u{202e}\\"q\\"" mac: ${e} [${e}]`,
  ]));
  expect(text.split("\n").filter((l) => l === "NICs:")).toHaveLength(1);
});
