import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { renderSource } from "../../../src/inputs/print-source.js";
import type { Source } from "../../../src/pipeline/types.js";
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
