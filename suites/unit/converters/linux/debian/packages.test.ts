// dpkg and apt as the Debian family's package manager: which tool packages go, and the scripts that remove them.
import { describe, expect, test } from "vitest";
import { aptPurgeScript, debianPackages, dpkgPurgeScript, selectToolPackages } from "../../../../../src/converters/linux/debian/packages.js";
import { debianInspection } from "../debian-guest.js";

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
});

describe("debianPackages", () => {
  test("dpkg --purge first, then apt-get purge; both noninteractive with quoted names", () => {
    expect(debianPackages.removalScripts(["open-vm-tools", "a'b"]).map((s) => [s.program, s.how])).toEqual([
      ["dpkg", "dpkg --purge"], ["apt-get", "apt-get purge"],
    ]);
    expect(dpkgPurgeScript(["open-vm-tools", "a'b"])).toMatch(/export DEBIAN_FRONTEND=noninteractive\ndpkg --purge 'open-vm-tools' 'a'\\''b'\n$/);
    expect(aptPurgeScript(["open-vm-tools", "a'b"])).toMatch(/export DEBIAN_FRONTEND=noninteractive\napt-get -y purge 'open-vm-tools' 'a'\\''b'\n$/);
    expect(debianPackages.manualRemoval(["a", "b"])).toBe("apt-get purge a b");
  });

  test("on Ubuntu server open-vm-tools is kept with a note; elsewhere every tool goes", () => {
    const ubuntu = { ...debianInspection(["ubuntu-server", "open-vm-tools"]), distro: "ubuntu" };
    expect(debianPackages.selectRemovals(["open-vm-tools", "xe-guest-utilities"], ubuntu)).toEqual({
      remove: ["xe-guest-utilities"],
      kept: "kept open-vm-tools: Ubuntu's ubuntu-server metapackage depends on it (it stays idle on KVM)",
    });
    expect(debianPackages.selectRemovals(["open-vm-tools"], debianInspection(["ubuntu-server", "open-vm-tools"])))
      .toEqual({ remove: ["open-vm-tools"] });
  });
});
