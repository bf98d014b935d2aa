import { describe, expect, test } from "vitest";
import { debianPackages } from "../../../../src/converters/linux/debian/packages.js";
import { installedToolPackages, removeGuestTools } from "../../../../src/converters/linux/guest-tools.js";
import type { PackageManager } from "../../../../src/converters/linux/family.js";
import { StepLog } from "../../../../src/converters/step-log.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import { debianInspection } from "./debian-guest.js";

const apps = (...names: string[]) => names.map((name) => ({ name, version: "1" }));

describe("installedToolPackages", () => {
  test("other hypervisors' tools only, sorted, each once", () => {
    expect(installedToolPackages(apps("openssh-server", "virtualbox-guest-utils", "open-vm-tools-desktop", "open-vm-tools",
      "xe-guest-utilities", "vmware-tools-foundation", "qemu-guest-agent", "open-vm-toolsy", "open-vm-tools")))
      .toEqual(["open-vm-tools", "open-vm-tools-desktop", "virtualbox-guest-utils", "vmware-tools-foundation", "xe-guest-utilities"]);
  });
});

describe("removeGuestTools", () => {
  test("tarball installs are reported, not touched", async () => {
    const g = new FakeGuest({ files: { "/usr/bin/vmware-uninstall-tools.pl": "" } });
    const log = new StepLog(new RecordingReporter());
    await removeGuestTools(g, debianInspection(), debianPackages, log);
    expect(g.calls).toEqual([]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain("vmware-uninstall-tools.pl");
  });

  /** A package manager whose scripts fail with the given errors, in order (undefined: succeeds). */
  const manager = (errors: readonly (string | undefined)[]): PackageManager => ({
    selectRemovals: (tools) => ({ remove: tools }),
    removalScripts: () => errors.map((_, i) => ({ program: `pm${i}`, how: `pm${i} remove`, script: `pm${i} remove` })),
    manualRemoval: (pkgs) => `pm remove ${pkgs.join(" ")}`,
  });
  const guestFailing = (errors: readonly (string | undefined)[]): FakeGuest => {
    const g = new FakeGuest();
    errors.forEach((e, i) => g.on(`pm${i} remove`, e === undefined ? "" : new Error(e)));
    return g;
  };
  const insp = debianInspection(["open-vm-tools", "xe-guest-utilities"]);

  test("the scripts run in order until one succeeds; the change names it and why the one before failed", async () => {
    const g = guestFailing(["line1\nfirst refused", undefined, undefined]);
    const log = new StepLog(new RecordingReporter());
    await removeGuestTools(g, insp, manager(["line1\nfirst refused", undefined, undefined]), log);
    expect(g.commandTexts).toEqual(["pm0 remove", "pm1 remove"]);
    expect(g.calls.map((c) => c.timeoutMs)).toEqual([600_000, 600_000]);
    expect(log.changes).toEqual(["removed other hypervisors' guest tools: open-vm-tools xe-guest-utilities (pm1 remove, after pm0 refused: line1 first refused)"]);
    expect(log.warnings).toEqual([]);
  });

  test("every script failing is a warning with the manual command and the last error", async () => {
    const g = guestFailing(["a", "b"]);
    const log = new StepLog(new RecordingReporter());
    await removeGuestTools(g, insp, manager(["a", "b"]), log);
    expect(log.changes).toEqual([]);
    expect(log.warnings).toEqual([
      'could not remove open-vm-tools xe-guest-utilities from the guest (b); they are harmless on KVM but you can remove them after the first boot with "pm remove open-vm-tools xe-guest-utilities"',
    ]);
  });
});
