import { describe, expect, test } from "vitest";
import { aptPurgeScript, removeGuestTools, selectToolPackages } from "../../../../src/converters/linux/guest-tools.js";
import { StepLog } from "../../../../src/converters/linux/step-log.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import { debianInspection } from "./debian-guest.js";

const apps = (...names: string[]) => names.map((name) => ({ name, version: "1" }));

describe("selectToolPackages", () => {
  test("other hypervisors' tools only, sorted", () => {
    expect(selectToolPackages(apps("openssh-server", "virtualbox-guest-utils", "open-vm-tools-desktop", "open-vm-tools",
      "xe-guest-utilities", "vmware-tools-foundation", "qemu-guest-agent", "open-vm-toolsy"), "debian"))
      .toEqual(["open-vm-tools", "open-vm-tools-desktop", "virtualbox-guest-utils", "vmware-tools-foundation", "xe-guest-utilities"]);
  });

  test("Ubuntu with ubuntu-server keeps open-vm-tools", () => {
    expect(selectToolPackages(apps("ubuntu-server", "open-vm-tools", "virtualbox-guest-x11"), "ubuntu")).toEqual(["virtualbox-guest-x11"]);
    expect(selectToolPackages(apps("ubuntu-server", "open-vm-tools"), "debian")).toEqual(["open-vm-tools"]);
  });

  test("the purge script is noninteractive and quotes names", () => {
    expect(aptPurgeScript(["open-vm-tools", "a'b"])).toMatch(/export DEBIAN_FRONTEND=noninteractive\napt-get -y purge 'open-vm-tools' 'a'\\''b'\n$/);
  });
});

describe("removeGuestTools", () => {
  test("tarball installs are reported, not touched", async () => {
    const g = new FakeGuest({ files: { "/usr/bin/vmware-uninstall-tools.pl": "" } });
    const log = new StepLog(new RecordingReporter());
    await removeGuestTools(g, debianInspection(), log);
    expect(g.calls).toEqual([]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain("vmware-uninstall-tools.pl");
  });
});
