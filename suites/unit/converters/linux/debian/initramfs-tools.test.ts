// initramfs-tools' configuration edits (pure): the modules file, MODULES=dep, update_initramfs=no.
import { describe, expect, test } from "vitest";
import {
  addInitramfsModules, disablesUpdates, switchModulesDepToMost,
} from "../../../../../src/converters/linux/debian/initramfs-tools.js";

const VIRTIO = ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net"];

describe("modules file editing (pure)", () => {
  test("appends only the missing modules after a comment, keeps the rest", () => {
    const r = addInitramfsModules("# comment\nvirtio_blk\nahci\n", VIRTIO);
    expect(r.added).toEqual(["virtio_pci", "virtio_scsi", "virtio_net"]);
    expect(r.text).toBe("# comment\nvirtio_blk\nahci\n# virtio drivers for the KVM target, added by v2v\nvirtio_pci\nvirtio_scsi\nvirtio_net\n");
  });

  test("a file without a final newline, dashes for underscores, and a second run changes nothing", () => {
    const once = addInitramfsModules("virtio-net", VIRTIO);
    expect(once.text.startsWith("virtio-net\n# virtio")).toBe(true);
    expect(once.added).not.toContain("virtio_net");
    expect(addInitramfsModules(once.text, VIRTIO)).toEqual({ text: once.text, added: [] });
  });

  test("a module name commented out does not count as listed", () => {
    expect(addInitramfsModules("#virtio_blk\n", ["virtio_blk"]).added).toEqual(["virtio_blk"]);
  });

  test("MODULES=dep becomes most; other values and comments stay", () => {
    expect(switchModulesDepToMost("MODULES=dep\n")).toEqual({ text: "MODULES=most\n", changed: true });
    expect(switchModulesDepToMost('MODULES="dep" # small\n').text).toBe('MODULES="most" # small\n');
    expect(switchModulesDepToMost("# MODULES=dep\nMODULES=list\n")).toEqual({ text: "# MODULES=dep\nMODULES=list\n", changed: false });
  });

  test("update_initramfs=no is detected", () => {
    expect(disablesUpdates("update_initramfs=no\n")).toBe(true);
    expect(disablesUpdates("update_initramfs=yes\n#update_initramfs=no\n")).toBe(false);
  });
});
