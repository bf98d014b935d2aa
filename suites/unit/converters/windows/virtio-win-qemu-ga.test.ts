// Which file of a virtio-win tree is the guest agent's installer: per arch, by preferred name,
// whatever the folder and the case, and the same answer for the same tree.
import { describe, expect, test } from "vitest";
import { qemuGaGuestName, selectQemuGaMsi } from "../../../../src/converters/windows/virtio-win/qemu-ga.js";

describe("selectQemuGaMsi", () => {
  const tree = ["guest-agent/qemu-ga-x86_64.msi", "guest-agent/qemu-ga-i386.msi", "viostor/2k22/amd64/viostor.sys"];

  test("the installer of each arch, not the other's", () => {
    expect(selectQemuGaMsi(tree, "x86_64")).toBe("guest-agent/qemu-ga-x86_64.msi");
    expect(selectQemuGaMsi(tree, "i386")).toBe("guest-agent/qemu-ga-i386.msi");
  });

  test("older names are accepted, the preferred name wins over them, case does not matter", () => {
    expect(selectQemuGaMsi(["RHEV/RHEV-QGA64.MSI"], "x86_64")).toBe("RHEV/RHEV-QGA64.MSI");
    expect(selectQemuGaMsi(["a/qemu-ga-x86.msi"], "i386")).toBe("a/qemu-ga-x86.msi");
    expect(selectQemuGaMsi(["a/rhev-qga64.msi", "z/qemu-ga-x64.msi", "y/Qemu-GA-x86_64.msi"], "x86_64")).toBe("y/Qemu-GA-x86_64.msi");
    expect(selectQemuGaMsi(["a/rhev-qga64.msi", "z/qemu-ga-x64.msi"], "x86_64")).toBe("z/qemu-ga-x64.msi");
  });

  test("among equal names the path that sorts first, whatever the input order", () => {
    const a = ["b/qemu-ga-x86_64.msi", "a/qemu-ga-x86_64.msi"];
    expect(selectQemuGaMsi(a, "x86_64")).toBe("a/qemu-ga-x86_64.msi");
    expect(selectQemuGaMsi([...a].reverse(), "x86_64")).toBe("a/qemu-ga-x86_64.msi");
  });

  test("no installer: undefined; a name that only contains one is not one", () => {
    expect(selectQemuGaMsi(["viostor/2k22/amd64/viostor.sys"], "x86_64")).toBeUndefined();
    expect(selectQemuGaMsi(["x/old-qemu-ga-x86_64.msi", "x/qemu-ga-x86_64.msi.txt", "qemu-ga-x86_64.msi/readme"], "x86_64")).toBeUndefined();
    expect(selectQemuGaMsi([], "i386")).toBeUndefined();
  });

  test("the name in the guest is the preferred one of the arch", () => {
    expect(qemuGaGuestName("x86_64")).toBe("qemu-ga-x86_64.msi");
    expect(qemuGaGuestName("i386")).toBe("qemu-ga-i386.msi");
  });
});
